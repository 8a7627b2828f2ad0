import LossHostIO
import LossKit

/// How per-element or per-row values become one number.
public enum Reduction: String, Sendable, CaseIterable {
    case mean, sum, none

    /// The reduced value of an evaluation's weighted `sum` and `normalizer`:
    /// the sum (also for `none`), or for `mean` the sum over the normalizer.
    /// A normalizer of 0 leaves `mean` undefined: an error saying why (no rows,
    /// every weight 0, or class weights that zero every row).
    public func value<S: KernelScalar>(sum: Double, normalizer: Double, rows: Int,
                                       weight: UnsafePointer<S>?) throws(EvaluationError) -> Double {
        guard self == .mean else { return sum }
        guard normalizer == 0 else { return sum / normalizer }
        if rows == 0 { throw EvaluationError("there are no rows; mean is undefined", kind: .undefinedMean) }
        if let weight, !(0..<rows).contains(where: { weight[$0] != 0 }) {
            throw EvaluationError("the weights sum to 0; mean is undefined", kind: .undefinedMean)
        }
        throw EvaluationError("the normalizer is 0 (every row's weight, class weights included, is 0); mean is undefined",
                              kind: .undefinedMean)
    }
}
