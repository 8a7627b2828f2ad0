#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage
import LossHostSystem

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
        let temporary = try writeTemporary(data, dtype: dtype, shape: shape, for: path, mode: nil)
        do throws(Errno) {
            try FileCalls.rename(temporary, to: path)
        } catch {
            try? FileCalls.unlink(temporary)
            throw AtomicFile.failure(path, error)
        }
    }

    /// Writes the `.npy` to a new temporary file next to `path` (see
    /// `AtomicFile.writeTemporary`), synced, with `mode` set explicitly when
    /// given, and returns its name; the caller renames it. On failure nothing is left.
    public static func writeTemporary(_ data: UnsafeRawPointer, dtype: DType, shape: [Int], for path: String,
                                      mode: mode_t?) throws(InputError) -> String {
        let count = shape.reduce(1, *)
        let text = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let header = preamble(descr: dtype == .f64 ? "<f8" : "<f4", shape: text, dataBytes: count * dtype.size)
        return try AtomicFile.writeTemporary(for: path, mode: mode) { fd throws(Errno) in
            try FileCalls.writeAll(fd, header)
            try FileCalls.writeAll(fd, UnsafeRawBufferPointer(start: data, count: count * dtype.size))
        }
    }

    /// What temporary files are called (`AtomicFile.temporaryMarker`).
    public static let temporaryMarker = AtomicFile.temporaryMarker

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
}
