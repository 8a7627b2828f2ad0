/// Reads a NumPy `.npy` file from bytes in memory (normally a read-only mapping of the file),
/// converting the data straight from the buffer into one `[Double]`.
///
/// Accepted: format versions 1.0, 2.0 and 3.0; dtypes float64, float32, int32 and int64 in any
/// byte order (`<`, `>`, and `=` / `|` meaning this machine's); `fortran_order: False`; shapes
/// `(N,)` (read as N×1) and `(N, D)`. Int64 values beyond 2^53 are rounded to the nearest float64.
/// Bytes after the data are ignored, as `numpy.load` does.
/// Refused with a clear message: Fortran order, 0-d and 3-d+ arrays, other dtypes, no rows or
/// no columns. Anything malformed is `name: corrupt .npy file (reason)`.
enum NpyReader {
    /// Whether `bytes` start with `\x93NUMPY`.
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 6 else { return false }
        return bytes[0] == 0x93 && bytes[1] == 0x4E && bytes[2] == 0x55 && bytes[3] == 0x4D
            && bytes[4] == 0x50 && bytes[5] == 0x59  // \x93 N U M P Y
    }

    /// Where the data of a `.npy` file in `bytes` is, and what it holds.
    struct Layout {
        var header: NpyHeader
        var rows: Int
        var columns: Int
        var count: Int
        var dataStart: Int
        var byteCount: Int
    }

    /// A float64 / float32 `.npy` in native byte order whose data is aligned in
    /// the mapping, as an array that reads the mapping in place; nil when the file
    /// needs converting (other dtypes, swapped bytes, misaligned data).
    static func view(_ file: MappedFile, name: String) throws(InputError) -> NumericArray? {
        let l = try layout(UnsafeRawBufferPointer(start: file.base, count: file.size), name: name)
        guard !l.header.swapBytes, l.header.dtype == .float64 || l.header.dtype == .float32,
              Int(bitPattern: file.base + l.dataStart) % l.header.itemSize == 0 else { return nil }
        return NumericArray(rows: l.rows, columns: l.columns, dtype: l.header.dtype == .float64 ? .f64 : .f32,
                            storage: .mapped(file, offset: l.dataStart))
    }

    /// Parses a whole `.npy` file held in `bytes`; errors start with `name`.
    static func parse(_ bytes: UnsafeRawBufferPointer, name: String, allowNonFinite: Bool)
        throws(InputError) -> Matrix
    {
        let l = try layout(bytes, name: name)
        let header = l.header, count = l.count, columns = l.columns, rows = l.rows
        let data = UnsafeRawBufferPointer(rebasing: bytes[l.dataStart..<l.dataStart + l.byteCount])

        let values = [Double](unsafeUninitializedCapacity: count) { out, initialized in
            convert(data, dtype: header.dtype, swap: header.swapBytes, count: count, into: out.baseAddress!)
            initialized = count
        }
        if !allowNonFinite && (header.dtype == .float64 || header.dtype == .float32) {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw InputError.nonFinite(name, row: index / columns + 1, column: index % columns + 1,
                                           text: "\(values[index])")
            }
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// Reads and checks the preamble and header of a `.npy` file in `bytes`.
    static func layout(_ bytes: UnsafeRawBufferPointer, name: String) throws(InputError) -> Layout {
        if bytes.isEmpty { throw InputError.corruptNpy(name, "empty file") }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        for index in 0..<min(bytes.count, magic.count) where bytes[index] != magic[index] {
            throw InputError.corruptNpy(name, "bad magic: does not start with \\x93NUMPY")
        }
        guard bytes.count >= 10 else { throw InputError.corruptNpy(name, "header truncated") }
        let major = bytes[6]
        let minor = bytes[7]
        var headerStart: Int
        var headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case (2, 0), (3, 0):
            headerStart = 12
            guard bytes.count >= 12 else { throw InputError.corruptNpy(name, "header truncated") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw InputError.corruptNpy(name, "unknown format version \(major).\(minor)")
        }
        guard bytes.count - headerStart >= headerLength else {
            throw InputError.corruptNpy(name, "header truncated")
        }
        let header = try NpyHeader(UnsafeRawBufferPointer(rebasing: bytes[headerStart..<headerStart + headerLength]),
                                   name: name)

        if header.fortranOrder {
            throw InputError.file(name, "Fortran-order arrays are not supported (save it in C order, e.g. with numpy.ascontiguousarray)")
        }
        let shapeText = "(" + header.shape.map(String.init).joined(separator: ", ")
            + (header.shape.count == 1 ? ",)" : ")")
        guard header.shape.count == 1 || header.shape.count == 2 else {
            throw InputError.file(name, "\(header.shape.count)-d array (shape \(shapeText)) is not supported; expected 1-d or 2-d")
        }
        let rows = header.shape[0]
        let columns = header.shape.count == 2 ? header.shape[1] : 1
        if rows == 0 { throw InputError.file(name, "no data rows") }
        if columns == 0 { throw InputError.file(name, "no data columns (shape \(shapeText))") }
        let (count, countOverflow) = rows.multipliedReportingOverflow(by: columns)
        let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: header.itemSize)
        if countOverflow || byteOverflow { throw InputError.corruptNpy(name, "shape \(shapeText) is too large") }
        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        guard available >= byteCount else {
            throw InputError.corruptNpy(name, "data truncated: shape \(shapeText) needs \(byteCount) bytes, found \(available)")
        }
        return Layout(header: header, rows: rows, columns: columns, count: count, dataStart: dataStart, byteCount: byteCount)
    }

    /// Converts `count` items of `dtype` at `data` (any alignment) into `out`.
    private static func convert(_ data: UnsafeRawBufferPointer, dtype: NpyHeader.DType, swap: Bool,
                                count: Int, into out: UnsafeMutablePointer<Double>)
    {
        let raw = data.baseAddress!
        switch (dtype, swap) {
        case (.float64, false):
            out.withMemoryRebound(to: UInt8.self, capacity: count * 8) {
                $0.update(from: raw.assumingMemoryBound(to: UInt8.self), count: count * 8)
            }
        case (.float64, true):
            for index in 0..<count {
                out[index] = Double(bitPattern: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).byteSwapped)
            }
        case (.float32, _):
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                out[index] = Double(Float(bitPattern: swap ? bits.byteSwapped : bits))
            }
        case (.int32, _):
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)
                out[index] = Double(swap ? bits.byteSwapped : bits)
            }
        case (.int64, _):
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)
                out[index] = Double(swap ? bits.byteSwapped : bits)
            }
        }
    }
}

/// The header dictionary of a `.npy` file, e.g.
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`, parsed as the small
/// Python-literal subset NumPy writes: exactly the three keys, strings in single or double
/// quotes, `True` / `False`, a tuple of non-negative integers (a Python 2 `L` suffix allowed).
struct NpyHeader {
    enum DType: Equatable { case float64, float32, int32, int64 }

    var dtype: DType = .float64
    var swapBytes = false
    var fortranOrder = false
    var shape: [Int] = []

    var itemSize: Int {
        switch dtype {
        case .float64, .int64: 8
        case .float32, .int32: 4
        }
    }

    private let bytes: UnsafeRawBufferPointer
    private let name: String
    private var at = 0

    init(_ bytes: UnsafeRawBufferPointer, name: String) throws(InputError) {
        self.bytes = bytes
        self.name = name
        var seen: Set<String> = []
        skipSpace()
        try expect(UInt8(ascii: "{"))
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") { at += 1; break }
            let key = try string()
            if !seen.insert(key).inserted { throw bad("key '\(key)' appears twice") }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            switch key {
            case "descr": try readDescr()
            case "fortran_order": fortranOrder = try bool()
            case "shape": shape = try tuple()
            default: throw bad("unexpected key '\(key)'")
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") { at += 1; continue }
            try expect(UInt8(ascii: "}"))
            break
        }
        skipSpace()
        if at != bytes.count { throw bad("text after the header dictionary") }
        for key in ["descr", "fortran_order", "shape"] where !seen.contains(key) {
            throw bad("header lacks '\(key)'")
        }
    }

    private func bad(_ reason: String) -> InputError {
        InputError.corruptNpy(name, "bad header: \(reason)")
    }

    private func peek() -> UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { at += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(InputError) {
        guard peek() == byte else {
            throw bad("expected '\(Character(Unicode.Scalar(byte)))' at offset \(at)")
        }
        at += 1
    }

    private mutating func string() throws(InputError) -> String {
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw bad("expected a quoted key or string at offset \(at)")
        }
        at += 1
        let start = at
        while let byte = peek(), byte != quote {
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x7F { throw bad("unexpected character in a string") }
            at += 1
        }
        guard peek() == quote else { throw bad("unterminated string") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        at += 1
        return text
    }

    private mutating func bool() throws(InputError) -> Bool {
        if take("True") { return true }
        if take("False") { return false }
        throw bad("fortran_order is not True or False")
    }

    private mutating func take(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard bytes.count - at >= utf8.count else { return false }
        for index in 0..<utf8.count where bytes[at + index] != utf8[index] { return false }
        at += utf8.count
        return true
    }

    private mutating func tuple() throws(InputError) -> [Int] {
        try expect(UInt8(ascii: "("))
        var items: [Int] = []
        while true {
            skipSpace()
            if peek() == UInt8(ascii: ")") { at += 1; break }
            if items.count == 32 { throw bad("shape has too many dimensions") }
            var value = 0
            var digits = 0
            while let byte = peek(), byte &- 0x30 < 10 {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int(byte &- 0x30))
                if overflow1 || overflow2 { throw bad("shape dimension too large") }
                value = sum
                digits += 1
                at += 1
            }
            if digits == 0 { throw bad("shape is not a tuple of non-negative integers") }
            if peek() == UInt8(ascii: "L") { at += 1 }
            items.append(value)
            skipSpace()
            if peek() == UInt8(ascii: ",") { at += 1; continue }
            try expect(UInt8(ascii: ")"))
            break
        }
        return items  // `(3)` is accepted as `(3,)`.
    }

    private mutating func readDescr() throws(InputError) {
        guard peek() == UInt8(ascii: "'") || peek() == UInt8(ascii: "\"") else {
            throw InputError.file(name, "unsupported dtype (structured arrays are not supported; expected float64, float32, int32 or int64)")
        }
        let descr = try string()
        let unsupported = InputError.file(name, "unsupported dtype '\(descr)' (expected float64, float32, int32 or int64)")
        let utf8 = Array(descr.utf8)
        guard utf8.count == 3 else { throw unsupported }
        switch (utf8[1], utf8[2]) {
        case (UInt8(ascii: "f"), UInt8(ascii: "8")): dtype = .float64
        case (UInt8(ascii: "f"), UInt8(ascii: "4")): dtype = .float32
        case (UInt8(ascii: "i"), UInt8(ascii: "4")): dtype = .int32
        case (UInt8(ascii: "i"), UInt8(ascii: "8")): dtype = .int64
        default: throw unsupported
        }
        #if _endian(little)
        let nativeIsLittle = true
        #else
        let nativeIsLittle = false
        #endif
        switch utf8[0] {
        case UInt8(ascii: "<"): swapBytes = !nativeIsLittle
        case UInt8(ascii: ">"): swapBytes = nativeIsLittle
        case UInt8(ascii: "="), UInt8(ascii: "|"): swapBytes = false
        default: throw unsupported
        }
    }
}
