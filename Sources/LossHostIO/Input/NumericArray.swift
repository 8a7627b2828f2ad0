#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage
import LossHostABI
import LossModel
import LossHostSystem

/// The element type of an input or evaluation: float64 or float32.
public enum DType: String, Sendable, CaseIterable, Codable {
    case f64, f32
    public var size: Int { self == .f64 ? 8 : 4 }
}

/// A row-major rows×columns array of float64 or float32: an array in memory or
/// a view straight into a memory-mapped `.npy` file (no copy).
public final class NumericArray: @unchecked Sendable {
    enum Storage {
        case doubles([Double])
        case floats([Float])
        /// `count` elements at byte `offset` of a mapping, aligned for the dtype.
        case mapped(MappedFile, offset: Int)
    }

    public let rows: Int
    public let columns: Int
    public let dtype: DType
    let storage: Storage
    /// The 1-based line of a text source that holds row 0 (see `Matrix.firstLine`).
    public private(set) var firstLine = 1

    init(rows: Int, columns: Int, dtype: DType, storage: Storage) {
        self.rows = rows
        self.columns = columns
        self.dtype = dtype
        self.storage = storage
    }

    public convenience init(_ m: Matrix) {
        self.init(rows: m.rows, columns: m.columns, dtype: .f64, storage: .doubles(m.values))
        firstLine = m.firstLine
    }

    public convenience init(rows: Int, columns: Int, doubles: [Double]) {
        precondition(doubles.count == rows * columns)
        self.init(rows: rows, columns: columns, dtype: .f64, storage: .doubles(doubles))
    }

    public convenience init(rows: Int, columns: Int, floats: [Float]) {
        precondition(floats.count == rows * columns)
        self.init(rows: rows, columns: columns, dtype: .f32, storage: .floats(floats))
    }

    public var count: Int { rows * columns }

    /// Whether the data is read in place from a memory-mapped file.
    public var isMapped: Bool {
        if case .mapped = storage { return true }
        return false
    }

    /// The raw elements, valid only inside `body`. Inlined into the caller, so
    /// a call has no generic metadata to look up (`visitRawPointer` is not generic).
    @inlinable
    public func withRawPointer<R, E: Error>(_ body: (UnsafeRawPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        visitRawPointer { raw in result = Result { () throws(E) -> R in try body(raw) } }
        return try result!.get()
    }

    /// Calls `body` with the raw elements.
    @usableFromInline
    func visitRawPointer(_ body: (UnsafeRawPointer) -> Void) {
        switch storage {
        case .doubles(let a):
            a.withUnsafeBytes { b in body(b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!) }
        case .floats(let a):
            a.withUnsafeBytes { b in body(b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!) }
        case .mapped(let file, let offset):
            withExtendedLifetime(file) { body(file.base + offset) }
        }
    }

    /// The values as float64 (a copy unless already an array of float64).
    public var doubles: [Double] {
        if case .doubles(let a) = storage { return a }
        return withRawPointer { raw in
            [Double](unsafeUninitializedCapacity: count) { out, n in
                if dtype == .f64 {
                    out.baseAddress!.update(from: raw.assumingMemoryBound(to: Double.self), count: count)
                } else {
                    let f = raw.assumingMemoryBound(to: Float.self)
                    for i in 0..<count { out[i] = Double(f[i]) }
                }
                n = count
            }
        }
    }

    /// The values as float32 (a copy unless already an array of float32).
    public var floats: [Float] {
        if case .floats(let a) = storage { return a }
        return withRawPointer { raw in
            [Float](unsafeUninitializedCapacity: count) { out, n in
                if dtype == .f32 {
                    out.baseAddress!.update(from: raw.assumingMemoryBound(to: Float.self), count: count)
                } else {
                    let d = raw.assumingMemoryBound(to: Double.self)
                    for i in 0..<count { out[i] = Float(d[i]) }
                }
                n = count
            }
        }
    }

    /// This array in `dtype`: itself when it already is, else a converted copy.
    public func converted(to dtype: DType) -> NumericArray {
        if dtype == self.dtype { return self }
        return dtype == .f64 ? NumericArray(rows: rows, columns: columns, doubles: doubles)
                             : NumericArray(rows: rows, columns: columns, floats: floats)
    }

    /// As a float64 `Matrix` (a copy unless already float64 in memory).
    public var matrix: Matrix { Matrix(rows: rows, columns: columns, values: doubles) }

    /// The index of the first NaN or infinity, or nil (`NonFiniteScan`, over every core).
    func firstNonFinite() -> Int? {
        let n = count
        return withRawPointer { raw in NonFiniteScan.first(raw, count: n, dtype: dtype) }
    }

    /// The element at `index` as a Double (for messages).
    func element(_ index: Int) -> Double {
        withRawPointer { raw in
            dtype == .f64 ? raw.load(fromByteOffset: index * 8, as: Double.self)
                          : Double(raw.load(fromByteOffset: index * 4, as: Float.self))
        }
    }
}

/// A read-only private mapping of a whole regular file, unmapped when released.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let size: Int

    private init(base: UnsafeRawPointer, size: Int) {
        self.base = base
        self.size = size
    }

    deinit { FileMapping.unmap(base, size: size) }

    /// Maps the regular file at `path`; nil when it is not a non-empty regular
    /// file or cannot be mapped (the caller reads it another way).
    static func map(path: String) -> MappedFile? {
        guard let file = try? FileCalls.open(path, .readOnly) else { return nil }
        defer { try? file.close() }
        guard let info = try? FileCalls.status(file), info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let base = FileMapping.map(file, size: size, populating: true) else { return nil }
        return MappedFile(base: base, size: size)
    }
}

extension MatrixReader {
    /// Reads an input as `read` does, but keeps float64 / float32 `.npy` data in
    /// its own dtype and, when it can, in place in a memory mapping (no copy).
    /// Everything else (CSV, TSV, integer .npy, byte-swapped data, standard
    /// input) is read into float64.
    public static func readArray(path: String, allowNonFinite: Bool = false) throws(InputError) -> NumericArray {
        if path.lowercased().hasSuffix(".npy"), let file = MappedFile.map(path: path) {
            let bytes = UnsafeRawBufferPointer(start: file.base, count: file.size)
            if NpyReader.hasMagic(bytes) {
                if let view = try NpyReader.view(file, name: path) {
                    if !allowNonFinite, let index = view.firstNonFinite() {
                        throw InputError.nonFinite(path, row: index / view.columns + 1, column: index % view.columns + 1,
                                                   text: "\(view.element(index))")
                    }
                    return view
                }
            }
        }
        return NumericArray(try read(path: path, allowNonFinite: allowNonFinite))
    }
}
