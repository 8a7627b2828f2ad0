import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LossHostSystem

/// What a worker process does before it serves its request.
public enum WorkerRuntime {
    /// The limits its parent passed, and no core files (a crashing plugin is
    /// expected here, and reported by the parent); it ends with its parent. Its
    /// reports move off stdout first, so nothing a plugin prints can corrupt them (see WorkerChannel).
    public static func prepareReporting() -> WorkerChannel {
        WorkerLimits.applyInWorker()
        let channel = WorkerChannel.takeStandardOutput()
        channel.reportFaultsOutsideCalls()
        exitWithParent()
        return channel
    }

    /// A worker runs in a process group of its own (a plugin's kill(0, …) stays
    /// inside it), so Ctrl-C or a killed host does not reach it: it ends itself
    /// as soon as its parent is gone, instead of spinning on as an orphan.
    private static func exitWithParent() {
        let parent = ProcessIdentity.parent
        Thread.detachNewThread {
            while true {
                usleep(100_000)
                if ProcessIdentity.parent != parent { ProcessExit.now(125) }
            }
        }
    }
}
