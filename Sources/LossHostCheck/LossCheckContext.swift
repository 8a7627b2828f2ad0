import LossHostIO
import LossHostABI
import LossHostEngine
import LossModel

/// What the checks of one loss share: the loss, the seed, the stage reporter,
/// the parameter points, and the input domain found by probing (once per point).
final class LossCheckContext {
    let loss: LoadedLoss
    let seed: UInt64
    let stage: @Sendable (String) -> Void
    /// The first is the base point (defaults with `--param` pins), which the checks that run once use.
    let points: [ParameterPoint]
    private var probed: [Int: Result<InputDomain, CheckFailure>] = [:]
    /// What the loss's calls left changed in the floating-point environment: fails the running check.
    let stateLog = PluginStateLog()

    init(loss: LoadedLoss, seed: UInt64, points: [ParameterPoint], stage: @escaping @Sendable (String) -> Void) {
        self.loss = loss
        self.seed = seed
        self.points = points
        self.stage = stage
    }

    var info: LossInfo { loss.info }
    var hasHessian: Bool { info.hessian != .none }
    var base: ParameterPoint { points[0] }
    var defaults: [BoundParameters.Value] { base.values }

    /// Outputs a check asks for by default: everything the loss provides.
    var everything: Wanted { Wanted(values: true, sum: true, gradient: true, hessian: hessian) }
    private var hessian: Bool { hasHessian }

    /// A new instance with the base parameters (the defaults and any `--param`).
    func instance() throws(CheckFailure) -> RawInstance {
        do throws(PluginStatus) {
            return try RawInstance(loss, values: defaults, stage: stage, log: stateLog)
        } catch {
            let which = points.count == 1 && base.text.isEmpty ? "the default parameters" : "params \(base.text)"
            throw CheckFailure("create with \(which) failed with status \(error.status) (\(error.statusName)): \(error.message)")
        }
    }

    /// The call's outputs or why there are none, without throwing.
    func attempt(_ instance: RawInstance, _ batch: CheckBatch, _ wanted: Wanted) -> Result<CallOutputs, EvaluateError> {
        do throws(EvaluateError) { return .success(try instance.evaluate(batch, wanted)) } catch { return .failure(error) }
    }

    /// A new instance bound to `values`, or the status create returned.
    func create(_ values: [BoundParameters.Value]) -> Result<RawInstance, PluginStatus> {
        do throws(PluginStatus) { return .success(try RawInstance(loss, values: values, stage: stage, log: stateLog)) } catch { return .failure(error) }
    }

    /// Evaluates, turning an error status or a memory violation into a failure
    /// that names the batch's first row.
    func evaluate(_ instance: RawInstance, _ batch: CheckBatch, _ wanted: Wanted) throws(CheckFailure) -> CallOutputs {
        do throws(EvaluateError) {
            return try instance.evaluate(batch, wanted)
        } catch {
            throw failure(error, batch)
        }
    }

    func failure(_ error: EvaluateError, _ batch: CheckBatch) -> CheckFailure {
        let at = batch.rows > 0 ? " (batch of \(counted(batch.rows, "row")); row 0: \(batch.describeRow(0)))" : " (batch of 0 rows)"
        switch error {
        case .memory(let why): return CheckFailure(why + at)
        case .status(let s):
            return CheckFailure("evaluate failed with status \(s.status) (\(s.statusName)): \(s.message)\(at)")
        }
    }

    /// The input domain at the base point: the one the loss declares (ABI 1.2), else
    /// the first candidate it accepts with finite outputs.
    func domain() throws(CheckFailure) -> InputDomain {
        if let known = probed[0] { return try known.get() }
        return try domain(at: 0, instance())
    }

    /// The input domain at point `index`. Parameters can change it (a rate instead of a
    /// log-rate): away from the base point a declared domain is used only when the loss
    /// accepts it there, else the candidates are probed.
    func domain(at index: Int, _ instance: RawInstance) throws(CheckFailure) -> InputDomain {
        if let known = probed[index] { return try known.get() }
        let label = index == 0 ? "\(info.id).domain" : "\(info.id).domain@\(index)"
        let result: Result<InputDomain, CheckFailure>
        if let declared = InputDomain.declared(by: info) {
            result = index == 0 || (try? probe(instance, [declared], label: label).get()) != nil
                ? .success(declared) : probe(instance, InputDomain.candidates(for: info), label: label)
        } else {
            result = probe(instance, InputDomain.candidates(for: info), label: label)
        }
        probed[index] = result
        return try result.get()
    }

    /// The first of `candidates` the loss accepts with finite outputs on three small batches.
    private func probe(_ instance: RawInstance, _ candidates: [InputDomain], label: String) -> Result<InputDomain, CheckFailure> {
        var rng = SeededRandom(seed: seed, label: label)
        var last = "no candidate input kind"
        var firstAccepted: InputDomain? = nil  // LH_OK but not finite: the robustness check will say so
        for candidate in candidates {
            var ok = true
            for _ in 0..<3 {
                let batch = candidate.batch(rows: 8, weighted: false, using: &rng)
                switch attempt(instance, batch, everything) {
                case .success(let out):
                    if !out.allFinite {
                        ok = false
                        last = "\(candidate.name): non-finite outputs"
                        if firstAccepted == nil { firstAccepted = candidate }
                    }
                case .failure(.memory(let why)):
                    return .failure(CheckFailure(why + " (while finding the input domain)"))
                case .failure(.status(let s)):
                    ok = false
                    last = "\(candidate.name): status \(s.status) (\(s.statusName)): \(s.message)"
                }
                if !ok { break }
            }
            if ok { return .success(candidate) }
        }
        if let firstAccepted { return .success(firstAccepted) }
        return .failure(CheckFailure("no kind of input gave LH_OK with finite outputs; last tried \(last)"))
    }
}

extension CallOutputs {
    var allFinite: Bool { firstNonFinite == nil }

    /// The first non-finite output, e.g. "gradient[3] = nan".
    var firstNonFinite: String? {
        for (name, list) in [("values", values), ("gradient", gradient), ("hessian", hessian)] {
            if let list, let i = list.firstIndex(where: { !$0.isFinite }) { return "\(name)[\(i)] = \(formatCheckNumber(list[i]))" }
        }
        if let sum, !sum.isFinite { return "sum = \(formatCheckNumber(sum))" }
        if let normalizer, !normalizer.isFinite { return "normalizer = \(formatCheckNumber(normalizer))" }
        return nil
    }
}
