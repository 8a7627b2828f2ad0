import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The file operations the host needs as typed calls: swift-system's where it
/// has them (with its untyped errors narrowed to `Errno`), thin wrappers where it does not.
public enum FileCalls {
    /// `open(2)` through swift-system, retried on `EINTR`; the descriptor is close-on-exec.
    public static func open(_ path: String, _ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions = [],
                            permissions: FilePermissions? = nil) throws(Errno) -> FileDescriptor {
        do {
            return try FileDescriptor.open(FilePath(path), mode, options: options.union(.closeOnExec), permissions: permissions)
        } catch {
            throw Errno(error)
        }
    }

    /// Writes every byte of `buffer` (swift-system's `writeAll`, retried on `EINTR`).
    public static func writeAll(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer) throws(Errno) {
        do { _ = try fd.writeAll(buffer) } catch { throw Errno(error) }
    }

    /// Writes every byte of `bytes`.
    public static func writeAll(_ fd: FileDescriptor, _ bytes: [UInt8]) throws(Errno) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(Errno) in try writeAll(fd, buffer) } }.get()
    }

    /// Reads up to `buffer.count` bytes (swift-system's `read`, retried on `EINTR`); 0 at the end.
    public static func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        do { return try fd.read(into: buffer) } catch { throw Errno(error) }
    }

    /// Wraps `fstat(fd, &info)`.
    public static func status(_ fd: FileDescriptor) throws(Errno) -> stat {
        var info = stat()
        guard fstat(fd.rawValue, &info) == 0 else { throw Errno(rawValue: errno) }
        return info
    }

    /// Wraps `fchmod(fd, mode)`.
    public static func setMode(_ fd: FileDescriptor, _ mode: mode_t) throws(Errno) {
        guard fchmod(fd.rawValue, mode) == 0 else { throw Errno(rawValue: errno) }
    }

    /// Wraps `fsync(fd)`.
    public static func synchronize(_ fd: FileDescriptor) throws(Errno) {
        guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
    }

    /// Wraps `rename(from, to)`.
    public static func rename(_ from: String, to: String) throws(Errno) {
        guard Glibc.rename(from, to) == 0 else { throw Errno(rawValue: errno) }
    }

    /// Wraps `link(existing, new)`.
    public static func link(_ existing: String, as new: String) throws(Errno) {
        guard Glibc.link(existing, new) == 0 else { throw Errno(rawValue: errno) }
    }

    /// Wraps `unlink(path)`.
    public static func unlink(_ path: String) throws(Errno) {
        guard Glibc.unlink(path) == 0 else { throw Errno(rawValue: errno) }
    }

    /// The mode bits new files lose: reads the process's `umask` (it has no read-only
    /// call, so it is set and set back; not safe against a concurrent `umask`).
    package static func creationMask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }

    /// The C library's text for `code` (`strerror`), as error messages show it.
    public static func describe(_ code: Errno) -> String {
        strerror(code.rawValue).map { String(cString: $0) } ?? "error \(code.rawValue)"
    }
}

extension Errno {
    /// The `Errno` swift-system threw (it always throws one), else `EIO`.
    package init(_ error: any Error) {
        self = error as? Errno ?? .ioError
    }
}

/// Read-only mappings of whole files.
package enum FileMapping {
    /// Wraps `mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)` (with `populating`, `| MAP_POPULATE`: every page
    /// mapped in the call, not one fault per page), then `madvise(MADV_SEQUENTIAL)`; nil when it fails.
    package static func map(_ fd: FileDescriptor, size: Int, populating: Bool = false) -> UnsafeRawPointer? {
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | (populating ? MAP_POPULATE : 0), fd.rawValue, 0),
              base != MAP_FAILED else { return nil }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        return UnsafeRawPointer(base)
    }

    /// Wraps `munmap(base, size)`.
    package static func unmap(_ base: UnsafeRawPointer, size: Int) {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }
}

/// What `stat(2)` or `lstat(2)` says a path is.
package enum FileType: Sendable {
    case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink, other

    /// Wraps `stat(path)` (links followed; `lstat` with `followingLinks: false`): nil when it fails.
    package static func of(_ path: String, followingLinks: Bool = true) -> (type: FileType, status: stat)? {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        let type: FileType = switch info.st_mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFIFO: .fifo
        case S_IFCHR: .characterDevice
        case S_IFBLK: .blockDevice
        case S_IFSOCK: .socket
        case S_IFLNK: .symbolicLink
        default: .other
        }
        return (type, info)
    }
}
