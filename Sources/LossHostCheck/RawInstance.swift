import CLossHost
import LossHostABI
import LossHostEngine
import LossHostIsolation
import LossModel

/// One instance of a loss, driven directly through its C functions with every
/// buffer guarded: the checker's only door into plugin code. Each call reports
/// its stage first ("create", "evaluate", "destroy"), so a crash can be named.
final class RawInstance {
    let loss: LoadedLoss
    let handle: OpaquePointer?
    private let stage: (String) -> Void
    /// Where a change of the floating-point environment is recorded (the check fails on it).
    let log: PluginStateLog

    /// Wraps `create`; a non-OK status is a `PluginStatus`.
    init(_ loss: LoadedLoss, values: [BoundParameters.Value], stage: @escaping (String) -> Void, log: PluginStateLog) throws(PluginStatus) {
        self.loss = loss
        self.stage = stage
        self.log = log
        stage("create")
        let storage = values.map { value -> GuardedBuffer in
            if case .list(let items) = value { return GuardedBuffer(input: items) }
            return GuardedBuffer(input: [])
        }
        let created = loss.entry.callCreate(values.enumerated().map { i, value in
            switch value {
            case .scalar(let x): .scalar(x)
            case .list(let items): .list(UnsafePointer(storage[i].pointer), count: items.count)
            }
        }, log: log)
        StreamGuard.shared.verify(after: "create")
        switch created {
        case .failure(let failure):
            throw PluginStatus(status: failure.status, message: failure.text, statusName: failure.statusName)
        case .success(nil):
            throw PluginStatus(status: -1, message: "create returned LH_OK but no instance", statusName: "no instance")
        case .success(let handle):
            self.handle = handle
        }
    }

    deinit {
        stage("destroy")
        loss.entry.callDestroy(handle, log: log)
        StreamGuard.shared.verify(after: "destroy")
    }

    /// Wraps `evaluate` with guarded buffers. Throws `CheckFailure` for a memory
    /// violation (a guard overwritten, an input changed, an output left unwritten)
    /// and `PluginStatus` for a non-OK status.
    func evaluate(_ batch: CheckBatch, _ wanted: Wanted) throws(EvaluateError) -> CallOutputs {
        stage("evaluate")
        let valueCount = loss.info.reduce == .elementwise ? batch.rows * batch.predColumns : batch.rows
        let pred = GuardedBuffer(input: batch.pred), target = GuardedBuffer(input: batch.target)
        let weight = batch.weight.map { GuardedBuffer(input: $0) }
        let values = wanted.values ? GuardedBuffer(output: valueCount) : nil
        let sum = wanted.sum ? GuardedBuffer(output: 1) : nil
        let normalizer = wanted.sum ? GuardedBuffer(output: 1) : nil
        let gradient = wanted.gradient ? GuardedBuffer(output: batch.rows * batch.predColumns) : nil
        let hessian = wanted.hessian ? GuardedBuffer(output: batch.rows * batch.predColumns) : nil
        var buffers = CallBuffers(rows: batch.rows, predColumns: batch.predColumns, targetColumns: batch.targetColumns,
                                  pred: UnsafePointer(pred.pointer), target: UnsafePointer(target.pointer),
                                  weight: weight.map { UnsafePointer($0.pointer) })
        buffers.values = values?.pointer
        buffers.sum = sum?.pointer
        buffers.normalizer = normalizer?.pointer
        buffers.gradient = gradient?.pointer
        buffers.hessian = hessian?.pointer
        let failure = loss.entry.callEvaluate(handle, buffers, log: log)
        StreamGuard.shared.verify(after: "evaluate")

        let named: [(String, GuardedBuffer?)] = [("values", values), ("sum", sum), ("normalizer", normalizer),
                                                 ("gradient", gradient), ("hessian", hessian),
                                                 ("pred", pred), ("target", target), ("weight", weight)]
        for (name, buffer) in named {
            if let why = buffer?.guardViolation(name) { throw .memory(why) }
        }
        for (name, buffer, original) in [("pred", pred, batch.pred), ("target", target, batch.target)]
            + (weight.map { [("weight", $0, batch.weight!)] } ?? []) {
            if let i = buffer.firstChange(from: original) {
                throw .memory("wrote into its input: \(name)[\(i)] changed from \(formatCheckNumber(original[i])) to \(formatCheckNumber(buffer.pointer[i]))")
            }
        }
        if let failure {
            throw .status(PluginStatus(status: failure.status, message: failure.text, statusName: failure.statusName))
        }
        for (name, buffer) in named.prefix(5) {
            if let buffer, let i = buffer.firstUnwritten() {
                throw .memory("returned LH_OK but left \(name)[\(i)] unwritten")
            }
        }
        return CallOutputs(values: values?.contents, sum: sum?.contents[0], normalizer: normalizer?.contents[0],
                           gradient: gradient?.contents, hessian: hessian?.contents)
    }
}

/// Why a guarded evaluate call did not give outputs.
enum EvaluateError: Error {
    /// The plugin returned an error status.
    case status(PluginStatus)
    /// The plugin broke the memory rules.
    case memory(String)
}
