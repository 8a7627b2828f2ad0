import Foundation

/// Facts about the machine the host runs on.
public enum System {
    /// Cores available to this process.
    public static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
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
