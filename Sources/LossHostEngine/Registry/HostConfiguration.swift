import Foundation
import LossHostABI

/// Everything a host needs to find, load, isolate and run plugins, built once
/// (by the CLI from its options, by the C host API from `lh_host_config`) and
/// passed down: nothing in the library reads a global setting.
public struct HostConfiguration: Sendable {
    /// The plugin folders, in search order.
    public var searchPath: PluginSearchPath
    /// File formats besides shared libraries (scalar manifests).
    public var formats: PluginFormats
    /// Load plugins that break the folder rules.
    public var allowUnsafePlugins: Bool
    /// The `losshost` executable that runs scans, checks and isolated work;
    /// nil: no workers, everything is loaded in this process.
    public var workerExecutable: String?
    /// The folder of the scan cache; nil: no cache (every scan runs).
    public var cacheDirectory: String?
    /// Seconds a plugin scan may take before its worker is killed.
    public var scanTimeout: Double
    /// Seconds one plugin call may go without progress inside `check` and an isolated evaluation.
    public var callTimeout: Double
    /// Seconds an isolated evaluation (`eval --isolate`, or automatic after a
    /// crash) may take before its worker is killed. Evaluation in this process
    /// (the C host API's) has no time limit.
    public var evalTimeout: Double
    /// Address space each worker may map, in MiB (`RLIMIT_AS`); 0: no limit.
    public var workerMemoryMiB: Int
    /// Evaluation threads; 0: every core.
    public var threads: Int

    /// The defaults of every client: the CLI's options, the C host API's zero fields.
    public static let defaultScanTimeout = 10.0
    public static let defaultCallTimeout = 10.0
    public static let defaultEvalTimeout = 600.0
    public static let defaultWorkerMemoryMiB = 4096

    public init(searchPath: PluginSearchPath, formats: PluginFormats = PluginFormats(), allowUnsafePlugins: Bool = false,
                workerExecutable: String? = nil, cacheDirectory: String? = nil,
                scanTimeout: Double = HostConfiguration.defaultScanTimeout,
                callTimeout: Double = HostConfiguration.defaultCallTimeout,
                evalTimeout: Double = HostConfiguration.defaultEvalTimeout,
                workerMemoryMiB: Int = HostConfiguration.defaultWorkerMemoryMiB, threads: Int = 0) {
        self.searchPath = searchPath
        self.formats = formats
        self.allowUnsafePlugins = allowUnsafePlugins
        self.workerExecutable = workerExecutable
        self.cacheDirectory = cacheDirectory
        self.scanTimeout = scanTimeout
        self.callTimeout = callTimeout
        self.evalTimeout = evalTimeout
        self.workerMemoryMiB = workerMemoryMiB
        self.threads = threads
    }

    /// The default cache folder: `$XDG_CACHE_HOME/losshost`, else `~/.cache/losshost`.
    public static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/losshost" }
        return environment["HOME"].map { $0 + "/.cache/losshost" }
    }
}
