#if canImport(Glibc)
import Glibc
#endif

/// What sort of file a path is, checked before anything opens it for reading:
/// a FIFO, a device or a socket would block `open` or `read` (or never end).
package enum FileKind {
    /// Throws unless `path` (symbolic links followed) is a regular file.
    package static func requireRegular(_ path: String) throws(LoadFailure) {
        if let kind = nonRegularKind(path) { throw .unreadable("not a regular file (\(kind))") }
    }

    /// nil for a regular file (or one that cannot be stat'ed: opening it gives its own reason), else its kind.
    package static func nonRegularKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a folder"
        default: return "not a file"
        }
    }
}
