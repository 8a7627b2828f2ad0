#if canImport(Glibc)
import Glibc
import LossHostSystem
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
        guard let type = FileType.of(path)?.type else { return nil }
        return switch type {
        case .regular: nil
        case .fifo: "a FIFO"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .directory: "a folder"
        case .symbolicLink, .other: "not a file"
        }
    }
}
