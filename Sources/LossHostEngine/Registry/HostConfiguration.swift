import Foundation
import LossHostABI

/// Everything a host needs to find, load, isolate and run plugins, built once
/// (by the CLI from its options, by the C host API from `lh_host_config`) and
/// passed down: nothing in the library reads a global setting. Workers get it
/// whole, as JSON (see `Codable` below).
public struct HostConfiguration: Sendable {
    /// The plugin folders, in search order.
    public var searchPath: PluginSearchPath
    /// File formats besides shared libraries (scalar manifests).
    public var formats: PluginFormats
    /// Load plugins that break the folder rules.
    public var allowUnsafePlugins: Bool
    /// The `losshost-worker` executable that runs scans and checks;
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

    /// The worker executable's name: `losshost-worker`.
    public static let workerExecutableName = "losshost-worker"

    /// The worker executable in the folder of `file` (the CLI, or the host library).
    public static func workerExecutable(besides file: String) -> String {
        (file as NSString).deletingLastPathComponent + "/" + workerExecutableName
    }

    /// The default cache folder: `$XDG_CACHE_HOME/losshost`, else `~/.cache/losshost`.
    public static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/losshost" }
        return environment["HOME"].map { $0 + "/.cache/losshost" }
    }
}

/// A configuration travels to a worker as JSON; its formats by name, since a
/// format is code: the decoding side supplies the formats it knows
/// (`HostConfiguration.knownFormats` in the decoder's `userInfo`).
extension HostConfiguration: Codable {
    /// The `userInfo` key of the `PluginFormats` a decoder may name.
    public static let knownFormats = CodingUserInfoKey(rawValue: "losshost.knownFormats")!

    private enum Key: String, CodingKey {
        case searchPath, formats, allowUnsafePlugins, workerExecutable, cacheDirectory, scanTimeout, callTimeout, evalTimeout
        case workerMemoryMiB, threads
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let known = decoder.userInfo[Self.knownFormats] as? PluginFormats ?? PluginFormats()
        let formats = try c.decode([String].self, forKey: .formats).map { name in
            guard let format = known.formats.first(where: { $0.name == name }) else {
                throw DecodingError.dataCorruptedError(forKey: .formats, in: c, debugDescription: "unknown plugin format '\(name)'")
            }
            return format
        }
        self.init(searchPath: try c.decode(PluginSearchPath.self, forKey: .searchPath), formats: PluginFormats(formats),
                  allowUnsafePlugins: try c.decode(Bool.self, forKey: .allowUnsafePlugins),
                  workerExecutable: try c.decodeIfPresent(String.self, forKey: .workerExecutable),
                  cacheDirectory: try c.decodeIfPresent(String.self, forKey: .cacheDirectory),
                  scanTimeout: try c.decode(Double.self, forKey: .scanTimeout), callTimeout: try c.decode(Double.self, forKey: .callTimeout),
                  evalTimeout: try c.decode(Double.self, forKey: .evalTimeout),
                  workerMemoryMiB: try c.decode(Int.self, forKey: .workerMemoryMiB), threads: try c.decode(Int.self, forKey: .threads))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(searchPath, forKey: .searchPath)
        try c.encode(formats.formats.map(\.name), forKey: .formats)
        try c.encode(allowUnsafePlugins, forKey: .allowUnsafePlugins)
        try c.encodeIfPresent(workerExecutable, forKey: .workerExecutable)
        try c.encodeIfPresent(cacheDirectory, forKey: .cacheDirectory)
        try c.encode(scanTimeout, forKey: .scanTimeout)
        try c.encode(callTimeout, forKey: .callTimeout)
        try c.encode(evalTimeout, forKey: .evalTimeout)
        try c.encode(workerMemoryMiB, forKey: .workerMemoryMiB)
        try c.encode(threads, forKey: .threads)
    }
}
