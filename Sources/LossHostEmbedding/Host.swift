import Foundation
import LossHostABI
import LossHostEngine
import LossHostIsolation

/// An open host: its configuration and its registry of losses, discovered
/// with the same folder rules, scan workers and scan cache as the CLI.
final class Host: Sendable {
    let options: HostOptions
    /// `options.configuration`, made once (it reads the environment for the search path).
    let configuration: HostConfiguration
    let scanner: PluginScanner
    let registry: LossRegistry

    init(_ options: HostOptions) throws(HostError) {
        guard FileManager.default.isExecutableFile(atPath: options.workerExecutable) else {
            throw .argument("worker executable \(options.workerExecutable) is not an executable file; build it with `swift build` or set lh_host_config.worker_executable")
        }
        self.options = options
        configuration = options.configuration
        scanner = PluginScanner(configuration)
        registry = LossRegistry.discover(configuration, scanner: scanner, lazily: true)
    }

    /// A loss by id, with the CLI's message when it names none or several.
    func resolve(_ id: String) throws(HostError) -> LoadedLoss {
        do {
            return try registry.resolve(id)
        } catch {
            throw .argument(error.description, kind: error.kind)
        }
    }
}
