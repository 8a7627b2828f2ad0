import LossHostEngine

/// What `losshost check` was asked to do; passed to workers in a `CheckRequest`.
public struct CheckOptions: Sendable, Codable {
    /// A loss id, a plugin id, or a path to a plugin file.
    public var target: String
    public var seed: UInt64
    public var only: String?
    /// The host the checks run in: plugin folders, folder rules, workers (and
    /// their memory limit), and `callTimeout`, the seconds a worker may go
    /// without reporting progress.
    public var configuration: HostConfiguration
    /// `NAME=VALUE` assignments (as `--param`) that pin those parameters at every
    /// parameter point; each applies to the target's losses that declare NAME.
    public var params: [String]
    /// false: check each loss at its base point only (the defaults with the `params` pins),
    /// not at the ends of the ranges or random values.
    public var sweep: Bool

    public init(target: String, seed: UInt64, only: String?, configuration: HostConfiguration, params: [String] = [],
                sweep: Bool = true) {
        self.target = target
        self.seed = seed
        self.only = only
        self.configuration = configuration
        self.params = params
        self.sweep = sweep
    }

    /// Seconds a worker may go without reporting progress.
    public var timeout: Double { configuration.callTimeout }
}
