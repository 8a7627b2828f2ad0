import Foundation

/// Facts about the machine the host runs on.
public enum System {
    /// Cores available to this process.
    /// Read once: on Linux, Foundation reads cgroup files for it (tens of µs).
    public static let coreCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// `16 MiB`, `256 KiB`, `100 bytes`.
package func formatBytes(_ n: Int) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
    if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
    return "\(n) bytes"
}
