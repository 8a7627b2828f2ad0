import LossHostIO
import LossKit

/// The non-finite policy of an evaluation: unless the caller allows them, a
/// NaN or infinite pred or target value is an error naming its row and column
/// (`FailureKind.nonFiniteInput`; each client names its own switch to allow them).
enum NonFiniteInput {
    /// Throws for the first non-finite value of a rows x columns buffer, found by
    /// `NonFiniteScan` (vectorised, over `threads`; 0: every core).
    static func check<S: KernelScalar>(_ p: UnsafePointer<S>, rows: Int, columns: Int, threads: Int,
                                       _ input: EvaluationError.Input) throws(EvaluationError) {
        let dtype: DType = S.self == Float.self ? .f32 : .f64
        guard let i = NonFiniteScan.first(UnsafeRawPointer(p), count: rows * columns, dtype: dtype, threads: threads) else {
            return
        }
        throw EvaluationError(FailureKind.nonFiniteValue(formatNumber(p[i].asDouble)), input: input,
                              row: i / columns, column: i % columns, kind: .nonFiniteInput)
    }
}
