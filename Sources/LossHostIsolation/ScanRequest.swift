import LossHostABI
import LossHostEngine

/// Asks a worker to load one plugin file and report whether it loaded (`ScanMessage`).
public struct ScanRequest: WorkerRequest {
    public static let kind = "scan"
    /// The plugin file, as an absolute canonical path.
    public var path: String
    public var configuration: HostConfiguration

    public init(path: String, configuration: HostConfiguration) {
        self.path = path
        self.configuration = configuration
    }

    /// Runs the scan in this process (the worker) and reports on `channel`.
    public func serve(on channel: WorkerChannel) {
        let streams = StandardStreams.snapshot()
        let result = PluginLoader.load(path: path, formats: configuration.formats)
        if let changed = StandardStreams.snapshot().change(since: streams) {
            // Loaded in the host, it would do the same to list's and eval's output: refuse it.
            channel.send(ScanMessage.refused(reason: changed))
        } else {
            switch result {
            case .success(let plugin):
                // Its metadata lets a command build its registry without loading this file (see LossRegistry).
                channel.send(ScanMessage.loaded(plugin.metadata))
            case .failure(let failure):
                channel.send(ScanMessage.failed(reason: failure.reason.description))
            }
        }
        channel.send(ScanMessage.done)
    }
}
