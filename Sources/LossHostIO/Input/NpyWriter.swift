#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `Matrix` as a NumPy `.npy` file (format 1.0, dtype `<f8`, C order), the way
/// `numpy.save` does: header padded with spaces and a newline to a multiple of 64 bytes.
public enum NpyWriter {
    /// Writes `m` to `path`: 1-D of shape `(N,)` when `m.columns == 1` and `asVector`, else
    /// 2-D `(N, D)`. Atomic: the bytes go to a hidden temporary file in the same folder,
    /// which is flushed (`fsync`) and then renamed over `path`; on any failure it is removed,
    /// so `path` is either untouched or complete. Errors read `path: cannot write (reason)`.
    public static func write(_ m: Matrix, to path: String, asVector: Bool) throws(InputError) {
        guard m.rows >= 0, m.columns >= 0, m.values.count == m.rows * m.columns else {
            throw InputError.file(path, "cannot write (matrix has \(m.values.count) values, not \(m.rows)×\(m.columns))")
        }
        let shape = m.columns == 1 && asVector ? [m.rows] : [m.rows, m.columns]
        let result = m.values.withUnsafeBytes { buffer in
            Result { () throws(InputError) in
                try write(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, dtype: .f64, shape: shape, to: path)
            }
        }
        try result.get()
    }

    /// Writes `count` elements of `dtype` at `data` as a `.npy` of `shape` (1 or 2
    /// dimensions), atomically as `write` does, streaming the data (no copy).
    public static func write(_ data: UnsafeRawPointer, dtype: DType, shape: [Int], to path: String) throws(InputError) {
        let count = shape.reduce(1, *)
        let text = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let header = preamble(descr: dtype == .f64 ? "<f8" : "<f4", shape: text, dataBytes: count * dtype.size)
        try atomically(path) { (fd) -> Int32 in
            var problem: Int32 = 0
            header.withUnsafeBytes { problem = writeAll(fd, $0.baseAddress!, $0.count) }
            if problem == 0 { problem = writeAll(fd, data, count * dtype.size) }
            return problem
        }
    }

    /// Magic, version, header length and the header padded to 64 bytes.
    static func preamble(descr: String, shape: String, dataBytes: Int) -> [UInt8] {
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let version1 = header.count + 1 + 10 + 63 <= 0xFFFF
        let preamble = version1 ? 10 : 12
        let padded = (preamble + header.count + 1 + 63) / 64 * 64 - preamble
        header += repeatElement(UInt8(ascii: " "), count: padded - header.count - 1)
        header.append(UInt8(ascii: "\n"))
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version1 ? 1 : 2, 0]
        let length = UInt32(header.count)
        bytes += [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8)]
        if !version1 { bytes += [UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)] }
        return bytes + header
    }

    /// Creates a hidden temporary file next to `path`, lets `body` fill it
    /// (returning an errno or 0), syncs and renames it over `path`.
    private static func atomically(_ path: String, _ body: (Int32) -> Int32) throws(InputError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let file = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if file.isEmpty { throw InputError.file(path, "cannot write (not a file name)") }
        let temporary = "\(folder).\(file).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var fd: Int32
        repeat { fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666) } while fd < 0 && errno == EINTR
        if fd < 0 { throw failure(path, errno) }
        var problem = body(fd)
        if problem == 0 && fsync(fd) != 0 { problem = errno }
        if close(fd) != 0 && problem == 0 { problem = errno }
        if problem == 0 && rename(temporary, path) != 0 { problem = errno }
        if problem != 0 {
            unlink(temporary)
            throw failure(path, problem)
        }
    }

    /// Writes all `count` bytes; 0 or an errno.
    private static func writeAll(_ fd: Int32, _ data: UnsafeRawPointer, _ count: Int) -> Int32 {
        var written = 0
        while written < count {
            let done = systemWrite(fd, data + written, min(count - written, 1 << 30))
            if done < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += done
        }
        return 0
    }

    private static func failure(_ path: String, _ code: Int32) -> InputError {
        let reason = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return InputError.file(path, "cannot write (\(reason))")
    }
}

/// `write(2)`, named apart from `NpyWriter.write`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
