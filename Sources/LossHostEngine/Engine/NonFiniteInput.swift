import LossHostIO
import LossKit

/// The non-finite policy of an evaluation: unless the caller allows them, a
/// NaN or infinite pred or target value is an error naming its row and column
/// (`FailureKind.nonFiniteInput`; each client names its own switch to allow them).
enum NonFiniteInput {
    /// Throws for the first non-finite value of a rows x columns buffer: a
    /// branch-free scan, then the slow search for the message.
    static func check<S: KernelScalar>(_ p: UnsafePointer<S>, rows: Int, columns: Int,
                                       _ input: EvaluationError.Input) throws(EvaluationError) {
        let count = rows * columns
        var bad = false
        for i in 0..<count { bad = bad || !p[i].isFinite }
        guard bad else { return }
        for i in 0..<count where !p[i].isFinite {
            throw EvaluationError(FailureKind.nonFiniteValue(formatNumber(p[i].asDouble)), input: input,
                                  row: i / columns, column: i % columns, kind: .nonFiniteInput)
        }
    }
}
