import LossHostABI
import LossKit

/// A loss with its parameters bound: an instance made by the plugin's `create`,
/// evaluated through `evaluate` / `evaluate_f32`, freed by `destroy` (all
/// through `LossEntry`'s call wrappers, the host's one C boundary).
public final class LossInstance: @unchecked Sendable {
    public let loss: LoadedLoss
    public let parameters: BoundParameters
    private let handle: OpaquePointer?
    /// What the plugin's calls left changed in the floating-point environment
    /// (restored after each call): `eval` warns about it.
    public let stateLog = PluginStateLog()

    /// Wraps `lh_loss.create`.
    public init(_ loss: LoadedLoss, parameters: BoundParameters) throws(EvaluationError) {
        self.loss = loss
        self.parameters = parameters
        let lists = parameters.values.map { value -> [Double] in
            if case .list(let items) = value { return items }
            return []
        }
        let log = stateLog
        let created = Self.withListPointers(lists) { listPointers in
            loss.entry.callCreate(parameters.values.enumerated().map { i, value in
                switch value {
                case .scalar(let x): .scalar(x)
                case .list(let items): .list(listPointers[i], count: items.count)
                }
            }, log: log)
        }
        switch created {
        case .failure(let failure): throw failure.asParameterError(loss.info)
        case .success(nil): throw EvaluationError("the plugin's create returned no instance")
        case .success(let handle): self.handle = handle
        }
    }

    deinit {
        loss.entry.callDestroy(handle, log: stateLog)
    }

    /// Whether the plugin evaluates float32 batches itself (ABI 1.1 `evaluate_f32`).
    public var supportsFloat32: Bool { loss.entry.supportsFloat32 }

    /// Evaluates rows `range` of the inputs with `evaluate` (float64) or
    /// `evaluate_f32` (float32, only when `supportsFloat32`); output pointers
    /// point at the first row of the range. Returns the batch's sum and normalizer;
    /// one not asked for (`sum` / `normalizer` false: a NULL pointer, which the
    /// ABI lets a plugin skip) is NaN.
    @_specialize(where S == Double) @_specialize(where S == Float)
    package func evaluate<S: KernelScalar>(rows range: Range<Int>, predColumns: Int, targetColumns: Int,
                                           pred: UnsafePointer<S>, target: UnsafePointer<S>, weight: UnsafePointer<S>?,
                                           values: UnsafeMutablePointer<S>?, gradient: UnsafeMutablePointer<S>?,
                                           hessian: UnsafeMutablePointer<S>?, sum wantsSum: Bool = true,
                                           normalizer wantsNormalizer: Bool = true) throws(EvaluationError) -> (sum: Double, normalizer: Double) {
        var sum: Double = UnwrittenOutput.marker(), normalizer: Double = UnwrittenOutput.marker()
        let failure = withUnsafeMutablePointer(to: &sum) { sumPointer in
            withUnsafeMutablePointer(to: &normalizer) { normalizerPointer in
                var b = CallBuffers(rows: range.count, predColumns: predColumns, targetColumns: targetColumns,
                                    pred: pred + range.lowerBound * predColumns,
                                    target: target + range.lowerBound * targetColumns,
                                    weight: weight.map { $0 + range.lowerBound })
                b.values = values
                b.gradient = gradient
                b.hessian = hessian
                b.sum = wantsSum ? sumPointer : nil
                b.normalizer = wantsNormalizer ? normalizerPointer : nil
                return loss.entry.callEvaluate(handle, b, log: stateLog)
            }
        }
        if var failure {
            if failure.row >= 0 { failure.row += Int64(range.lowerBound) }
            throw failure.asEvaluationError()
        }
        if wantsSum && UnwrittenOutput.isMarker(sum) { throw UnwrittenOutput.error(loss, "sum", index: nil, columns: 1) }
        if wantsNormalizer && UnwrittenOutput.isMarker(normalizer) {
            throw UnwrittenOutput.error(loss, "normalizer", index: nil, columns: 1)
        }
        return (wantsSum ? sum : .nan, wantsNormalizer ? normalizer : .nan)
    }

    private static func withListPointers<R>(_ lists: [[Double]], _ body: ([UnsafePointer<Double>?]) -> R) -> R {
        var pointers: [UnsafePointer<Double>?] = []
        func recurse(_ i: Int) -> R {
            if i == lists.count { return body(pointers) }
            return lists[i].withUnsafeBufferPointer { buffer in
                pointers.append(buffer.baseAddress)
                return recurse(i + 1)
            }
        }
        return recurse(0)
    }
}
