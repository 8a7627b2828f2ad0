/// What `losshost check` was asked to do; passed to workers as arguments.
public struct CheckOptions: Sendable {
    /// A loss id, a plugin id, or a path to a plugin file.
    public var target: String
    public var seed: UInt64
    public var only: String?
    /// Seconds a worker may go without reporting progress.
    public var timeout: Double
    public var pluginDirs: [String]
    public var allowUnsafePlugins: Bool
    /// `NAME=VALUE` assignments (as `--param`) that pin those parameters at every
    /// parameter point; each applies to the target's losses that declare NAME.
    public var params: [String]

    public init(target: String, seed: UInt64, only: String?, timeout: Double, pluginDirs: [String], allowUnsafePlugins: Bool,
                params: [String] = []) {
        self.target = target
        self.seed = seed
        self.only = only
        self.timeout = timeout
        self.pluginDirs = pluginDirs
        self.allowUnsafePlugins = allowUnsafePlugins
        self.params = params
    }

    /// The worker arguments for running the plan from `start`, skipping `skipLosses`.
    func workerArguments(start: Int, skipLosses: Set<String>) -> [String] {
        var args = ["check", target, "--seed", String(seed), "--start", String(start)]
        if let only { args += ["--only", only] }
        for dir in pluginDirs { args += ["--plugin-dir", dir] }
        for param in params { args += ["--param", param] }
        for loss in skipLosses.sorted() { args += ["--skip-loss", loss] }
        if allowUnsafePlugins { args.append("--allow-unsafe-plugins") }
        return args
    }
}
