import LossHostABI
import LossHostSystem
/// How a worker process ended.
public enum WorkerOutcome: Sendable, Equatable, CustomStringConvertible {
    /// It exited normally with this status.
    case exited(Int32)
    /// A signal killed it (its name, e.g. "SIGSEGV").
    case signaled(String)
    /// It ran longer than the limit and was killed.
    case timedOut(seconds: Double)
    /// It reported no progress for this long (a hung plugin call) and was killed.
    case stalled(seconds: Double)
    /// It wrote more than this many bytes of reports and was killed.
    case outputLimit(bytes: Int)
    /// It crashed after growing close to its memory limit (MiB).
    case memoryLimit(mib: Int)

    /// One phrase for people: "crashed with SIGSEGV", "exited with status 3", "timed out after 2 s".
    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let name): "crashed with \(name)"
        case .timedOut(let seconds): "timed out after \(formatSeconds(seconds)) s"
        case .stalled(let seconds): "made no progress for \(formatSeconds(seconds)) s"
        case .outputLimit(let bytes): "was stopped after writing more than \(formatBytes(bytes)) of output"
        case .memoryLimit(let mib): "exceeded the memory limit of \(mib) MiB"
        }
    }
}

/// `2`, `0.5`: seconds without a trailing `.0`.
public func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(s)
}

