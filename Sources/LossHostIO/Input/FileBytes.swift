#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole content of a file (or standard input) as one byte buffer, for the parsers.
///
/// A regular file is memory-mapped (read-only, private) and unmapped after `body` returns;
/// anything else (a pipe, a FIFO, `/dev/stdin`) is read in full with `read(2)`.
/// The buffer is valid only inside `body`.
enum FileBytes {
    /// Calls `body` with the content of the file at `path`; errors call the file `name`.
    static func withContents<R>(
        ofPath path: String, name: String,
        _ body: (UnsafeRawBufferPointer) throws(InputError) -> R
    ) throws(InputError) -> R {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        if fd < 0 { throw openError(name, errno) }
        defer { close(fd) }

        var info = stat()
        if fstat(fd, &info) != 0 { throw readError(name, errno) }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR { throw InputError.file(name, "is a directory") }
        if kind == S_IFREG {
            let size = Int(info.st_size)
            if size == 0 {
                return try body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
               base != UnsafeMutableRawPointer(bitPattern: -1) {
                defer { munmap(base, size) }
                _ = madvise(base, size, MADV_SEQUENTIAL)
                return try body(UnsafeRawBufferPointer(start: base, count: size))
            }
            // mmap refused (unusual file system): fall through and read it.
        }
        let bytes = try readAll(fd, name: name)
        return try withBytes(of: bytes, body)
    }

    /// Calls `body` with everything that can be read from standard input.
    static func withStandardInput<R>(
        name: String, _ body: (UnsafeRawBufferPointer) throws(InputError) -> R
    ) throws(InputError) -> R {
        let bytes = try readAll(STDIN_FILENO, name: name)
        return try withBytes(of: bytes, body)
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

    /// Reads `fd` to its end.
    static func readAll(_ fd: Int32, name: String) throws(InputError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = 1 << 16
        while true {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + start, chunk)
            }
            if got < 0 {
                let code = errno
                bytes.removeLast(chunk)
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {  // non-blocking descriptor: wait, don't spin
                    var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&waiter, 1, -1)
                    continue
                }
                throw readError(name, code)
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
