#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LossHostABI
import SystemPackage
import LossHostSystem

/// The whole content of a file (or standard input) as one byte buffer, for the parsers.
///
/// A regular file is memory-mapped (read-only, private) and unmapped after `body` returns;
/// a pipe or FIFO (`/dev/stdin`, `<(…)`) is read in full with `read(2)`, up to
/// `pipeLimit` bytes. Anything else (a device such as `/dev/zero`, a socket) is
/// refused: it may never end. The buffer is valid only inside `body`.
enum FileBytes {
    /// The most read from a pipe: more is refused with a clear error, not read until memory runs out.
    static let pipeLimit = 1 << 30

    /// Calls `body` with the content of the file at `path`; errors call the file `name`.
    static func withContents<R>(
        ofPath path: String, name: String,
        _ body: (UnsafeRawBufferPointer) throws(InputError) -> R
    ) throws(InputError) -> R {
        let file: FileDescriptor
        do throws(Errno) { file = try FileCalls.open(path, .readOnly) } catch { throw openError(name, error.rawValue) }
        defer { try? file.close() }

        let info: stat
        do throws(Errno) { info = try FileCalls.status(file) } catch { throw readError(name, error.rawValue) }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR { throw InputError.file(name, "is a directory") }
        if let refused = refusedKind(kind, file) { throw InputError.file(name, refused) }
        if kind == S_IFREG {
            let size = Int(info.st_size)
            if size == 0 {
                return try body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if let base = FileMapping.map(file, size: size) {
                defer { FileMapping.unmap(base, size: size) }
                return try body(UnsafeRawBufferPointer(start: base, count: size))
            }
            // mmap refused (unusual file system): fall through and read it.
        }
        let bytes = try readAll(file, name: name)
        return try withBytes(of: bytes, body)
    }

    /// Calls `body` with everything that can be read from standard input.
    static func withStandardInput<R>(
        name: String, _ body: (UnsafeRawBufferPointer) throws(InputError) -> R
    ) throws(InputError) -> R {
        if let info = try? FileCalls.status(.standardInput), let refused = refusedKind(info.st_mode & S_IFMT, .standardInput) {
            throw InputError.file(name, refused)
        }
        let bytes = try readAll(.standardInput, name: name)
        return try withBytes(of: bytes, body)
    }

    /// Why a file of this kind is not read (a device other than a terminal, a
    /// socket): nil for regular files, pipes, FIFOs and terminals.
    static func refusedKind(_ kind: mode_t, _ file: FileDescriptor) -> String? {
        switch kind {
        case S_IFREG, S_IFIFO, S_IFDIR: return nil
        case S_IFCHR where file.isTerminal: return nil
        case S_IFCHR: return "is a character device, not a file or a pipe (it may never end); refusing to read it"
        case S_IFBLK: return "is a block device, not a file or a pipe; refusing to read it"
        case S_IFSOCK: return "is a socket, not a file or a pipe; refusing to read it"
        default: return "is not a regular file or a pipe; refusing to read it"
        }
    }

    /// `Array.withUnsafeBytes`, keeping the error type (the standard one only rethrows `any Error`).
    static func withBytes<R>(
        of bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(InputError) -> R
    ) throws(InputError) -> R {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(InputError) -> R in try body(buffer) }
        }
        return try result.get()
    }

    /// Reads `fd` to its end, refusing more than `limit` bytes.
    static func readAll(_ fd: FileDescriptor, name: String, limit: Int = FileBytes.pipeLimit) throws(InputError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = 1 << 16
        while true {
            if bytes.count > limit {
                throw InputError.file(name, "more than \(formatBytes(limit)) from a pipe; save it to a file and pass that")
            }
            chunk = min(chunk, limit + 1 - bytes.count)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let read = bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(Errno) in
                    try FileCalls.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + chunk)]))
                }
            }
            let got: Int
            switch read {
            case .success(let n): got = n
            case .failure(.resourceTemporarilyUnavailable):  // non-blocking descriptor: wait, don't spin
                bytes.removeLast(chunk)
                var waiter = [pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)]
                _ = Poll.wait(&waiter, milliseconds: -1)
                continue
            case .failure(let error):
                bytes.removeLast(chunk)
                throw readError(name, error.rawValue)
            }
            bytes.removeLast(chunk - got)
            if got == 0 { return bytes }
            if chunk < 1 << 24 { chunk *= 2 }
        }
    }

    static func openError(_ name: String, _ code: Int32) -> InputError {
        switch code {
        case ENOENT, ENOTDIR: return .file(name, "no such file")
        case EACCES, EPERM: return .file(name, "cannot read (permission denied)")
        case EISDIR: return .file(name, "is a directory")
        default: return .file(name, "cannot open (\(describe(code)))")
        }
    }

    static func readError(_ name: String, _ code: Int32) -> InputError {
        if code == EISDIR { return .file(name, "is a directory") }
        return .file(name, "cannot read (\(describe(code)))")
    }

    /// `strerror` text for `code`.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
