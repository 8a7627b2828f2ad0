import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The `fcntl(2)` operations the host needs, which swift-system lacks, as typed calls.
extension FileDescriptor {
    /// `fcntl(fd, F_DUPFD_CLOEXEC, minimum)`: a close-on-exec copy numbered at least `minimum`.
    public func duplicateCloseOnExec(atLeast minimum: Int32) throws(Errno) -> FileDescriptor {
        let fd = fcntl(rawValue, F_DUPFD_CLOEXEC, minimum)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return FileDescriptor(rawValue: fd)
    }

    /// `fcntl(fd, F_SETFD, FD_CLOEXEC)`: not inherited by programs this process starts.
    public func setCloseOnExec() throws(Errno) {
        guard fcntl(rawValue, F_SETFD, FD_CLOEXEC) == 0 else { throw Errno(rawValue: errno) }
    }

    /// `fcntl(fd, F_SETFL, flags | O_NONBLOCK)`: reads return `EAGAIN` instead of waiting.
    public func setNonBlocking() throws(Errno) {
        let flags = fcntl(rawValue, F_GETFL)
        guard flags >= 0, fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) == 0 else { throw Errno(rawValue: errno) }
    }
}

extension FileDescriptor {
    /// Wraps `isatty(fd)`: whether the descriptor is a terminal.
    public var isTerminal: Bool { isatty(rawValue) != 0 }
}
