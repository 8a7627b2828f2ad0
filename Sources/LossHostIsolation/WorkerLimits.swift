import Foundation
import LossHostEngine
#if canImport(Glibc)
import Glibc
import LossHostSystem
#endif

/// The limits a worker process runs under (the values are the configuration's:
/// `HostConfiguration.workerMemoryMiB`, `evalTimeout`): how they reach it and how it sets them.
public enum WorkerLimits {
    /// Address space a worker may map by default, in MiB (`RLIMIT_AS`, set in the
    /// worker before any plugin code is loaded); 0 means no limit.
    public static let defaultMemoryMiB = HostConfiguration.defaultWorkerMemoryMiB

    /// How the parent passes the memory limit to a worker (its environment).
    static let memoryVariable = "LOSSHOST_WORKER_MEMORY_MIB"

    /// In a worker, first thing: no core files (a crash is expected there, and
    /// reported by the parent), and the memory limit its parent passed. A limit
    /// that cannot be set leaves the worker as it is.
    public static func applyInWorker(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        try? ResourceLimit.set(.coreFileBytes, to: 0)
        guard let text = environment[memoryVariable], let mib = Int(text), mib > 0 else { return }
        try? ResourceLimit.set(.addressSpaceBytes, to: UInt64(mib) << 20)
    }
}
