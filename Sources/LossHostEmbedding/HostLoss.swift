import LossHostABI
import LossHostEngine
import LossHostIO
import Synchronization

/// A loss of a host with its parameters bound: one plugin instance. Calls on
/// an instance whose loss is not declared thread-safe are serialised.
final class HostLoss: Sendable {
    let host: Host
    let instance: LossInstance
    private let serial = Mutex(())

    /// Resolves `id`, binds `params` (name → values, as numbers) and creates the instance.
    init(host: Host, id: String, params: [(name: String, values: [Double])]) throws(HostError) {
        self.host = host
        let loss = try host.resolve(id)
        do {
            let bound = try BoundParameters.bind(values: params, to: loss.info)
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
