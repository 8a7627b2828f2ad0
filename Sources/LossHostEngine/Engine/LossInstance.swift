import CLossHost
import LossHostABI
import LossKit

/// A loss with its parameters bound: wraps the plugin's `create`, `evaluate`
/// and `destroy`. This file and the loader are where the host touches C memory.
public final class LossInstance: @unchecked Sendable {
    public let loss: LoadedLoss
    public let parameters: BoundParameters
    private let handle: OpaquePointer?

    /// Wraps `lh_loss.create`.
    public init(_ loss: LoadedLoss, parameters: BoundParameters) throws(EvaluationError) {
        self.loss = loss
        self.parameters = parameters
        var handle: OpaquePointer? = nil
        let lists = parameters.values.map { value -> [Double] in
            if case .list(let items) = value { return items }
            return []
        }
        let failure = Self.withListPointers(lists) { listPointers in
            var cValues = parameters.values.enumerated().map { i, value in
                var v = lh_param_value()
                v.struct_size = UInt32(MemoryLayout<lh_param_value>.size)
                switch value {
                case .scalar(let x): v.scalar = x
                case .list(let items):
                    v.list = listPointers[i]
                    v.list_length = UInt64(items.count)
                }
                return v
            }
            return cValues.withUnsafeMutableBufferPointer { buffer in
                ErrorRecord.call { record in
                    loss.entry.create(loss.entry.table, buffer.baseAddress, UInt32(buffer.count), &handle, record)
                }
            }
        }
        if let failure { throw failure.asParameterError(loss.info) }
        guard handle != nil else { throw EvaluationError("the plugin's create returned no instance") }
        self.handle = handle
    }

    deinit {
        loss.entry.destroy(handle)
    }

    /// Outputs of one `evaluate` call; nil pointers are not computed.
    struct Outputs {
        var values: UnsafeMutablePointer<Double>?
        var gradient: UnsafeMutablePointer<Double>?
        var hessian: UnsafeMutablePointer<Double>?
    }

    /// Wraps `lh_loss.evaluate` for rows `range` of the inputs; output pointers
    /// point at the first row of the range. Returns the batch's sum and normalizer.
    func evaluate(rows range: Range<Int>, predColumns: Int, targetColumns: Int,
                  pred: UnsafePointer<Double>, target: UnsafePointer<Double>, weight: UnsafePointer<Double>?,
                  outputs: Outputs) throws(EvaluationError) -> (sum: Double, normalizer: Double) {
        var batch = lh_batch()
        batch.struct_size = UInt32(MemoryLayout<lh_batch>.size)
        batch.pred_columns = UInt32(predColumns)
        batch.target_columns = UInt32(targetColumns)
        batch.rows = UInt64(range.count)
        batch.pred = pred + range.lowerBound * predColumns
        batch.target = target + range.lowerBound * targetColumns
        batch.weight = weight.map { $0 + range.lowerBound }
        var sum = 0.0, normalizer = 0.0
        let failure = withUnsafeMutablePointer(to: &sum) { sumPointer in
            withUnsafeMutablePointer(to: &normalizer) { normalizerPointer in
                var out = lh_outputs()
                out.struct_size = UInt32(MemoryLayout<lh_outputs>.size)
                out.values = outputs.values
                out.gradient = outputs.gradient
                out.hessian = outputs.hessian
                out.sum = sumPointer
                out.normalizer = normalizerPointer
                return ErrorRecord.call { record in loss.entry.evaluate(handle, &batch, &out, record) }
            }
        }
        if var failure {
            if failure.row >= 0 { failure.row += Int64(range.lowerBound) }
            throw failure.asEvaluationError()
        }
        return (sum, normalizer)
    }

    /// Whether the plugin evaluates float32 batches itself (ABI 1.1 `evaluate_f32`).
    public var supportsFloat32: Bool { loss.entry.evaluateF32 != nil }

    /// Wraps `lh_loss.evaluate_f32`, as `evaluate` does `lh_loss.evaluate`.
    /// Only when `supportsFloat32`.
    func evaluateF32(rows range: Range<Int>, predColumns: Int, targetColumns: Int,
                     pred: UnsafePointer<Float>, target: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                     values: UnsafeMutablePointer<Float>?, gradient: UnsafeMutablePointer<Float>?,
                     hessian: UnsafeMutablePointer<Float>?) throws(EvaluationError) -> (sum: Double, normalizer: Double) {
        guard let function = loss.entry.evaluateF32 else {
            throw EvaluationError("loss '\(loss.info.id)' has no float32 evaluation")
        }
        var batch = lh_batch_f32()
        batch.struct_size = UInt32(MemoryLayout<lh_batch_f32>.size)
        batch.pred_columns = UInt32(predColumns)
        batch.target_columns = UInt32(targetColumns)
        batch.rows = UInt64(range.count)
        batch.pred = pred + range.lowerBound * predColumns
        batch.target = target + range.lowerBound * targetColumns
        batch.weight = weight.map { $0 + range.lowerBound }
        var sum = 0.0, normalizer = 0.0
        let failure = withUnsafeMutablePointer(to: &sum) { sumPointer in
            withUnsafeMutablePointer(to: &normalizer) { normalizerPointer in
                var out = lh_outputs_f32()
                out.struct_size = UInt32(MemoryLayout<lh_outputs_f32>.size)
                out.values = values
                out.gradient = gradient
                out.hessian = hessian
                out.sum = sumPointer
                out.normalizer = normalizerPointer
                return ErrorRecord.call { record in function(handle, &batch, &out, record) }
            }
        }
        if var failure {
            if failure.row >= 0 { failure.row += Int64(range.lowerBound) }
            throw failure.asEvaluationError()
        }
        return (sum, normalizer)
    }

    /// `evaluate` or `evaluateF32` by the element type; outputs point at the
    /// first row of the range.
    @inline(__always)
    package func evaluate<S: KernelScalar>(rows range: Range<Int>, predColumns: Int, targetColumns: Int,
                                   pred: UnsafePointer<S>, target: UnsafePointer<S>, weight: UnsafePointer<S>?,
                                   values: UnsafeMutablePointer<S>?, gradient: UnsafeMutablePointer<S>?,
                                   hessian: UnsafeMutablePointer<S>?) throws(EvaluationError) -> (sum: Double, normalizer: Double) {
        if S.self == Float.self {
            return try evaluateF32(rows: range, predColumns: predColumns, targetColumns: targetColumns,
                                   pred: UnsafeRawPointer(pred).assumingMemoryBound(to: Float.self),
                                   target: UnsafeRawPointer(target).assumingMemoryBound(to: Float.self),
                                   weight: weight.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) },
                                   values: values.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) },
                                   gradient: gradient.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) },
                                   hessian: hessian.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) })
        }
        return try evaluate(rows: range, predColumns: predColumns, targetColumns: targetColumns,
                            pred: UnsafeRawPointer(pred).assumingMemoryBound(to: Double.self),
                            target: UnsafeRawPointer(target).assumingMemoryBound(to: Double.self),
                            weight: weight.map { UnsafeRawPointer($0).assumingMemoryBound(to: Double.self) },
                            outputs: Outputs(values: values.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) },
                                             gradient: gradient.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) },
                                             hessian: hessian.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) }))
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
