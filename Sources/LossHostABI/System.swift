import Foundation

/// Facts about the machine the host runs on.
public enum System {
    /// Cores available to this process.
    /// Read once: on Linux, Foundation reads cgroup files for it (tens of µs).
    public static let coreCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// A plain mutex.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<R>(_ body: () -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
