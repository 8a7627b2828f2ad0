import Foundation
import LossHostCore

/// An open host: its configuration and its registry of losses, discovered
/// with the same folder rules, scan workers and scan cache as the CLI.
final class Host: Sendable {
    let configuration: HostConfiguration
    let scanner: PluginScanner
    let registry: LossRegistry

    init(_ configuration: HostConfiguration) throws(HostError) {
        guard FileManager.default.isExecutableFile(atPath: configuration.workerExecutable) else {
            throw .argument("worker executable \(configuration.workerExecutable) is not an executable file; build it with `swift build` or set lh_host_config.worker_executable")
        }
        self.configuration = configuration
        scanner = PluginScanner(worker: WorkerProcess(timeout: configuration.scanTimeout, executable: configuration.workerExecutable),
                                allowUnsafeLocations: configuration.allowUnsafePlugins,
                                cache: ScanCache(file: configuration.cacheDir + "/scan-cache.json"))
        registry = LossRegistry.discover(configuration.searchPath, lazily: true, scanner: scanner)
    }

    /// A loss by id, with the CLI's message when it names none or several.
    func resolve(_ id: String) throws(HostError) -> LoadedLoss {
        do {
            return try registry.resolve(id)
        } catch {
            throw .argument(error.description)
        }
    }
}
