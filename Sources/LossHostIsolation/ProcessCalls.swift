import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A process resource limit, set with `setrlimit(2)`.
enum ResourceLimit {
    case coreFileBytes, addressSpaceBytes

    private var resource: Int32 {
        switch self {
        case .coreFileBytes: Int32(RLIMIT_CORE.rawValue)
        case .addressSpaceBytes: Int32(RLIMIT_AS.rawValue)
        }
    }

    /// Wraps `setrlimit(resource, {value, value})`: soft and hard limit alike.
    static func set(_ limit: ResourceLimit, to value: UInt64) throws(Errno) {
        var bounds = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        guard setrlimit(limit.resource, &bounds) == 0 else { throw Errno(rawValue: errno) }
    }
}
