import CLossHost
import LossKit

/// A loss with its parameters bound: wraps the plugin's `create`, `evaluate`
/// and `destroy`. This file and the loader are where the host touches C memory.
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
        var handle: OpaquePointer? = nil
        let log = stateLog
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
                ErrorRecord.call("create", log: log) { record in
                    loss.entry.create(loss.entry.table, buffer.baseAddress, UInt32(buffer.count), &handle, record)
                }
            }
        }
        if let failure { throw failure.asParameterError(loss.info) }
        guard handle != nil else { throw EvaluationError("the plugin's create returned no instance") }
        self.handle = handle
    }

    deinit {
        PluginCall.run("destroy", log: stateLog) { loss.entry.destroy(handle) }
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
        var sum: Double = UnwrittenOutput.marker(), normalizer: Double = UnwrittenOutput.marker()
        let failure = withUnsafeMutablePointer(to: &sum) { sumPointer in
            withUnsafeMutablePointer(to: &normalizer) { normalizerPointer in
                var out = lh_outputs()
                out.struct_size = UInt32(MemoryLayout<lh_outputs>.size)
                out.values = outputs.values
                out.gradient = outputs.gradient
                out.hessian = outputs.hessian
                out.sum = sumPointer
                out.normalizer = normalizerPointer
                return ErrorRecord.call("evaluate", log: stateLog) { record in loss.entry.evaluate(handle, &batch, &out, record) }
            }
        }
        if var failure {
            if failure.row >= 0 { failure.row += Int64(range.lowerBound) }
            throw failure.asEvaluationError()
        }
        try checkWritten(sum, normalizer)
        return (sum, normalizer)
    }

    /// Throws when the plugin returned `LH_OK` without writing the sum or the normalizer.
    private func checkWritten(_ sum: Double, _ normalizer: Double) throws(EvaluationError) {
        if UnwrittenOutput.isMarker(sum) { throw UnwrittenOutput.error(loss, "sum", index: nil, columns: 1) }
        if UnwrittenOutput.isMarker(normalizer) { throw UnwrittenOutput.error(loss, "normalizer", index: nil, columns: 1) }
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
        var sum: Double = UnwrittenOutput.marker(), normalizer: Double = UnwrittenOutput.marker()
        let failure = withUnsafeMutablePointer(to: &sum) { sumPointer in
            withUnsafeMutablePointer(to: &normalizer) { normalizerPointer in
                var out = lh_outputs_f32()
                out.struct_size = UInt32(MemoryLayout<lh_outputs_f32>.size)
                out.values = values
                out.gradient = gradient
                out.hessian = hessian
                out.sum = sumPointer
                out.normalizer = normalizerPointer
                return ErrorRecord.call("evaluate_f32", log: stateLog) { record in function(handle, &batch, &out, record) }
            }
        }
        if var failure {
            if failure.row >= 0 { failure.row += Int64(range.lowerBound) }
            throw failure.asEvaluationError()
        }
        try checkWritten(sum, normalizer)
        return (sum, normalizer)
    }

    /// `evaluate` or `evaluateF32` by the element type; outputs point at the
    /// first row of the range.
    @inline(__always)
    func evaluate<S: KernelScalar>(rows range: Range<Int>, predColumns: Int, targetColumns: Int,
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

/// The host-owned `lh_error` record handed to every call.
enum ErrorRecord {
    struct Failure {
        var status: lh_status
        var message: String
        var row: Int64
        var column: Int32
        var input: Int32
        /// The call that failed: "create", "evaluate", …
        var stage: String = "evaluate"
        /// The plugin wrote past the end of the message buffer (the message is the host's).
        var overflow = false

        var text: String {
            if overflow { return message }
            if !Self.known(status) {
                return "the plugin returned an unknown status \(status) from \(stage)" + (message.isEmpty ? " and no message" : ": \(message)")
            }
            return message.isEmpty ? "the plugin failed with status \(status) (\(statusName)) and no message" : message
        }

        static func known(_ status: lh_status) -> Bool {
            [LH_ERR_INVALID_ARGUMENT, LH_ERR_SHAPE, LH_ERR_DOMAIN, LH_ERR_NO_MEMORY, LH_ERR_UNSUPPORTED, LH_ERR_INTERNAL]
                .contains { lh_status($0) == status }
        }

        var statusName: String {
            switch status {
            case lh_status(LH_ERR_INVALID_ARGUMENT): "invalid argument"
            case lh_status(LH_ERR_SHAPE): "shape"
            case lh_status(LH_ERR_DOMAIN): "domain"
            case lh_status(LH_ERR_NO_MEMORY): "no memory"
            case lh_status(LH_ERR_UNSUPPORTED): "unsupported"
            case lh_status(LH_ERR_INTERNAL): "internal"
            default: "unknown status"
            }
        }

        func asEvaluationError() -> EvaluationError {
            let which: EvaluationError.Input = switch input {
            case LH_INPUT_PRED: .pred
            case LH_INPUT_TARGET: .target
            case LH_INPUT_WEIGHT: .weight
            case LH_INPUT_PARAM: .parameter
            default: .none
            }
            if overflow { return EvaluationError(text) }
            return EvaluationError(text, input: which, row: row >= 0 ? Int(row) : nil, column: column >= 0 ? Int(column) : nil)
        }

        func asParameterError(_ info: LossInfo) -> EvaluationError {
            var error = asEvaluationError()
            if input == LH_INPUT_PARAM, column >= 0, Int(column) < info.parameters.count, !message.contains(info.parameters[Int(column)].name) {
                error.message = "param '\(info.parameters[Int(column)].name)': \(text)"
            }
            error.input = .parameter
            return error
        }
    }

    static let capacity = 1024
    /// Bytes past the message buffer that absorb an overrun; the first `canaryBytes` of them are checked.
    static let slack = 16 << 10
    static let canaryBytes = 64
    static let canaryWord: UInt64 = 0x5A5A_5A5A_5A5A_5A5A

    /// Calls `body` (plugin code, in `stage`) through `PluginCall` with a fresh
    /// record; nil on `LH_OK`, else what the plugin wrote, read back as one line
    /// of valid UTF-8 with control characters escaped. A plugin that writes past the end of the message buffer
    /// fails with a message that says so, whatever it returned.
    static func call(_ stage: String, log: PluginStateLog?, _ body: (UnsafeMutablePointer<lh_error>) -> lh_status) -> Failure? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity + slack) { buffer -> Failure? in
            buffer[0] = 0
            let guardWords = UnsafeMutableRawPointer(buffer.baseAddress! + capacity)
            guardWords.initializeMemory(as: UInt64.self, repeating: canaryWord, count: canaryBytes / 8)
            var record = lh_error(struct_size: UInt32(MemoryLayout<lh_error>.size), capacity: UInt32(capacity),
                                  message: buffer.baseAddress, row: -1, column: -1, input: Int32(LH_INPUT_NONE))
            let status = PluginCall.run(stage, log: log) { body(&record) }
            var intact = true
            for i in 0..<canaryBytes / 8 where guardWords.load(fromByteOffset: i * 8, as: UInt64.self) != canaryWord { intact = false }
            if !intact {
                var end = capacity
                while end < capacity + slack && buffer[end] != 0 { end += 1 }
                let beyond = end < capacity + slack ? "\(end + 1 - capacity) bytes" : "more than \(slack) bytes"
                return Failure(status: lh_status(LH_ERR_INTERNAL),
                               message: "the plugin wrote past the end of the error message buffer in \(stage) (\(beyond) beyond its capacity of \(capacity))",
                               row: -1, column: -1, input: Int32(LH_INPUT_NONE), stage: stage, overflow: true)
            }
            if status == LH_OK { return nil }
            buffer[capacity - 1] = 0
            var length = 0
            while buffer[length] != 0 { length += 1 }
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: length)
            // One line, and no control character that could move a terminal's cursor or forge output.
            let message = Printable.escaped(String(decoding: bytes, as: UTF8.self)
                .split(whereSeparator: { $0.isNewline }).joined(separator: " "))
            return Failure(status: status, message: message, row: record.row, column: record.column, input: record.input, stage: stage)
        }
    }
}
