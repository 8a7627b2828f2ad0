import CLossHost
import LossModel

/// One parameter value as `create` receives it. A list points at memory the
/// caller keeps valid for the call.
package enum ParameterArgument {
    case scalar(Double)
    case list(UnsafePointer<Double>?, count: Int)
}

/// The buffers of one `evaluate` / `evaluate_f32` call, of the batch's element
/// type. Inputs start at the batch's first row; nil outputs are not wanted.
package struct CallBuffers<S: BatchElement> {
    package var rows: Int
    package var predColumns: Int
    package var targetColumns: Int
    package var pred: UnsafePointer<S>
    package var target: UnsafePointer<S>
    package var weight: UnsafePointer<S>?
    package var values: UnsafeMutablePointer<S>? = nil
    package var gradient: UnsafeMutablePointer<S>? = nil
    package var hessian: UnsafeMutablePointer<S>? = nil
    package var sum: UnsafeMutablePointer<Double>? = nil
    package var normalizer: UnsafeMutablePointer<Double>? = nil

    package init(rows: Int, predColumns: Int, targetColumns: Int, pred: UnsafePointer<S>, target: UnsafePointer<S>,
                 weight: UnsafePointer<S>?) {
        self.rows = rows
        self.predColumns = predColumns
        self.targetColumns = targetColumns
        self.pred = pred
        self.target = target
        self.weight = weight
    }
}

/// The host's only calls into a loss's C functions: every `lh_param_value`,
/// `lh_batch`, `lh_outputs` (and their float32 forms) is built here, for the
/// engine, the checker and the scalar path alike. Each call goes through
/// `PluginCall.run` (floating-point state saved and restored, recorded in `log`).
extension LossEntry {
    /// Wraps `lh_loss.create`: the instance, or what the plugin reported.
    package func callCreate(_ arguments: [ParameterArgument], log: PluginStateLog?) -> Result<OpaquePointer?, ErrorRecord.Failure> {
        var cValues = arguments.map { argument in
            var v = lh_param_value()
            v.struct_size = UInt32(MemoryLayout<lh_param_value>.size)
            switch argument {
            case .scalar(let x): v.scalar = x
            case .list(let items, let count):
                v.list = items
                v.list_length = UInt64(count)
            }
            return v
        }
        var handle: OpaquePointer? = nil
        let failure = cValues.withUnsafeMutableBufferPointer { buffer in
            ErrorRecord.call("create", log: log) { record in create(table, buffer.baseAddress, UInt32(buffer.count), &handle, record) }
        }
        if let failure { return .failure(failure) }
        return .success(handle)
    }

    /// Wraps `lh_loss.destroy`.
    package func callDestroy(_ handle: OpaquePointer?, log: PluginStateLog?) {
        PluginCall.run("destroy", log: log) { destroy(handle) }
    }

    /// Whether the loss evaluates float32 batches itself (ABI 1.1 `evaluate_f32`).
    package var supportsFloat32: Bool { evaluateF32 != nil }

    /// Wraps `lh_loss.evaluate` (float64) or `lh_loss.evaluate_f32` (float32; only
    /// when `supportsFloat32`): nil on `LH_OK`, else what the plugin reported.
    @_specialize(where S == Double) @_specialize(where S == Float)
    package func callEvaluate<S: BatchElement>(_ handle: OpaquePointer?, _ b: CallBuffers<S>,
                                               log: PluginStateLog?) -> ErrorRecord.Failure? {
        if S.self == Float.self {
            guard let evaluateF32 else {
                return ErrorRecord.Failure(status: lh_status(LH_ERR_UNSUPPORTED), message: "the loss has no evaluate_f32",
                                           row: -1, column: -1, input: Int32(LH_INPUT_NONE), stage: "evaluate_f32")
            }
            var batch = lh_batch_f32()
            batch.struct_size = UInt32(MemoryLayout<lh_batch_f32>.size)
            batch.pred_columns = UInt32(b.predColumns)
            batch.target_columns = UInt32(b.targetColumns)
            batch.rows = UInt64(b.rows)
            batch.pred = Self.cast(b.pred)
            batch.target = Self.cast(b.target)
            batch.weight = b.weight.map(Self.cast)
            var out = lh_outputs_f32()
            out.struct_size = UInt32(MemoryLayout<lh_outputs_f32>.size)
            out.values = b.values.map(Self.cast)
            out.gradient = b.gradient.map(Self.cast)
            out.hessian = b.hessian.map(Self.cast)
            out.sum = b.sum
            out.normalizer = b.normalizer
            return ErrorRecord.call("evaluate_f32", log: log) { record in evaluateF32(handle, &batch, &out, record) }
        }
        var batch = lh_batch()
        batch.struct_size = UInt32(MemoryLayout<lh_batch>.size)
        batch.pred_columns = UInt32(b.predColumns)
        batch.target_columns = UInt32(b.targetColumns)
        batch.rows = UInt64(b.rows)
        batch.pred = Self.cast(b.pred)
        batch.target = Self.cast(b.target)
        batch.weight = b.weight.map(Self.cast)
        var out = lh_outputs()
        out.struct_size = UInt32(MemoryLayout<lh_outputs>.size)
        out.values = b.values.map(Self.cast)
        out.gradient = b.gradient.map(Self.cast)
        out.hessian = b.hessian.map(Self.cast)
        out.sum = b.sum
        out.normalizer = b.normalizer
        return ErrorRecord.call("evaluate", log: log) { record in evaluate(handle, &batch, &out, record) }
    }

    @inline(__always)
    private static func cast<S, T>(_ p: UnsafePointer<S>) -> UnsafePointer<T> {
        UnsafeRawPointer(p).assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    private static func cast<S, T>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
    }
}
