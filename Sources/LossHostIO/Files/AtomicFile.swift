import SystemPackage
#if canImport(Glibc)
import Glibc
import LossHostSystem
#endif

/// Files replaced whole: the bytes go to a hidden temporary file in the same
/// folder, which is synced and then renamed over the file, so a reader sees the
/// old file or the new one, never a part. On any failure the temporary is removed.
public enum AtomicFile {
    /// What temporary files are called: `.NAME.losshost-tmp-PID-RANDOM` next to
    /// `NAME`, so a later run can tell (by the PID) which ones a dead run left.
    public static let temporaryMarker = ".losshost-tmp-"

    /// Creates a temporary file next to `path`, lets `fill` write it, sets
    /// `mode` when given, syncs it and returns its name; the caller renames it.
    /// Errors read `path: cannot write (reason)`.
    public static func writeTemporary(for path: String, mode: mode_t?,
                                      _ fill: (FileDescriptor) throws(Errno) -> Void) throws(InputError) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let file = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if file.isEmpty { throw InputError.file(path, "cannot write (not a file name)") }
        let temporary = "\(folder).\(file)\(temporaryMarker)\(ProcessIdentity.current)-\(UInt32.random(in: 0...UInt32.max))"
        let fd: FileDescriptor
        do throws(Errno) {
            fd = try FileCalls.open(temporary, .writeOnly, options: [.create, .exclusiveCreate], permissions: FilePermissions(rawValue: 0o666))
        } catch {
            throw failure(path, error)
        }
        var problem: Errno?
        do throws(Errno) {
            try fill(fd)
            if let mode { try FileCalls.setMode(fd, mode) }
            try FileCalls.synchronize(fd)
        } catch {
            problem = error
        }
        do { try fd.close() } catch { problem = problem ?? Errno(error) }
        if let problem {
            try? FileCalls.unlink(temporary)
            throw failure(path, problem)
        }
        return temporary
    }

    /// Replaces the file at `path` with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t? = nil) throws(InputError) {
        let temporary = try writeTemporary(for: path, mode: mode) { fd throws(Errno) in
            try FileCalls.writeAll(fd, bytes)
        }
        do throws(Errno) {
            try FileCalls.rename(temporary, to: path)
        } catch {
            try? FileCalls.unlink(temporary)
            throw failure(path, error)
        }
    }

    /// `path: cannot write (reason)`.
    public static func failure(_ path: String, _ code: Errno) -> InputError {
        InputError.file(path, "cannot write (\(FileCalls.describe(code)))")
    }
}
