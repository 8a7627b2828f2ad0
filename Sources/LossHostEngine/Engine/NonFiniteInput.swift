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

    /// The first NaN or infinity of `count` values on this thread (the vector
    /// math's scan), for a chunk that is about to be used.
    @inline(__always)
    static func first<S: KernelScalar>(_ p: UnsafePointer<S>, count: Int) -> Int? {
        S.self == Double.self
            ? VectorMath.best.firstNonFinite(UnsafeRawPointer(p).assumingMemoryBound(to: Double.self), count: count)
            : VectorMath.best.firstNonFinite(UnsafeRawPointer(p).assumingMemoryBound(to: Float.self), count: count)
    }
}
