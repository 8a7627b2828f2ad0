import LossHostCore
import LossKit
import Synchronization

/// A loss of a host with its parameters bound: one plugin instance. Calls on
/// an instance whose loss is not declared thread-safe are serialised.
final class HostLoss: Sendable {
    let host: Host
    let instance: LossInstance
    private let serial = Mutex(())

    /// Resolves `id`, binds `params` (name → values) and creates the instance.
    init(host: Host, id: String, params: [(name: String, values: [Double])]) throws(HostError) {
        self.host = host
        let loss = try host.resolve(id)
        do {
            let bound = try BoundParameters.bind(try Self.assignments(params, of: loss.info), to: loss.info)
            instance = try LossInstance(loss, parameters: bound)
        } catch {
            throw .argument(error.message)
        }
    }

    var loss: LoadedLoss { instance.loss }

    /// Runs `body` alone on this instance unless its loss is thread-safe.
    func call<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        if loss.info.threadSafe { return try body() }
        return try serial.withLock { _ throws(E) in try body() }
    }

    /// The `--param NAME=VALUE` texts of named values, so that binding and its
    /// messages are the CLI's.
    private static func assignments(_ params: [(name: String, values: [Double])], of info: LossInfo) throws(EvaluationError) -> [String] {
        var texts: [String] = []
        for (name, values) in params {
            let declared = info.parameters.first { $0.name == name }
            if let declared, declared.type != .list, values.count != 1 {
                throw EvaluationError("param '\(name)' takes one value, got \(values.count)", input: .parameter)
            }
            if declared?.type == .list && values.isEmpty { continue }  // an empty list is "not given"
            texts.append(name + "=" + values.map(formatNumber).joined(separator: ","))
        }
        return texts
    }

    /// The INFO object of `losshost info`, plus `"params_used"`.
    var infoJSON: JSON {
        let listing = LossListing.loss(loss, plugin: host.registry.plugin(loss.pluginID))
        guard case .object(let fields) = listing else { return listing }
        let used: [(String, JSON)] = zip(loss.info.parameters, instance.parameters.values).map { p, value in
            switch value {
            case .scalar(let x): (p.name, .number(x))
            case .list(let items): (p.name, .numbers(items))
            }
        }
        return .object(fields + [("params_used", .object(used))])
    }
}
