#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses CSV / TSV bytes into a `Matrix`, scanning the raw bytes: no `String` per cell or line.
///
/// The format, as decided for losshost:
/// - Lines end with LF or CRLF; a last line without a newline is fine; blank lines at the end
///   are ignored; a blank line before the last data line is an error (`row 3 is empty`).
///   A UTF-8 byte-order mark at the start is skipped.
/// - Delimiter: tab if the first line contains a tab, else comma. Spaces around a cell are
///   ignored (and tabs too, in a comma file). No quoting.
/// - The first line is a header, and skipped, when none of its cells is a number and at
///   least one is not empty.
/// - A number is `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, or, non-finite,
///   `[+-]? (nan | inf | infinity)` in any letter case. Everything else (`1e`, `--1`, `0x10`,
///   `1,5`, `nan(1)`, `1_000`, quoted cells) is not a number. A finite-looking number too large
///   for a float64 (`1e400`) reads as infinity and so follows the non-finite rule; one too
///   small reads as 0 or a subnormal.
/// - Conversion is correctly rounded (bit-identical to `strtod`): with at most 19 significant
///   digits, a mantissa ≤ 2^53 and a power of ten ≤ 22, one exact IEEE multiply or divide
///   (Clinger's fast path); else, on x86, one Float80 operation when that provably rounds
///   right (power of ten ≤ 27, not near a halfway point); else `strtod`, in the C locale, on
///   a NUL-terminated copy of the cell. The fast paths make it 3-4x faster than `strtod` alone.
/// - Rows and columns in messages are 1-based; rows count physical lines, header included.
enum DelimitedParser {
    /// Parses `bytes`; errors start with `name`.
    static func parse(_ bytes: UnsafeRawBufferPointer, name: String, allowNonFinite: Bool)
        throws(InputError) -> Matrix
    {
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            throw InputError.file(name, "no data rows")
        }
        let previousLocale = CLocale.enter()
        defer { CLocale.leave(previousLocale) }
        var scan = Scan(base: raw.assumingMemoryBound(to: UInt8.self), count: bytes.count,
                        name: name, allowNonFinite: allowNonFinite)
        defer { scan.release() }
        return try scan.run()
    }
}

/// Switches the calling thread to the C locale for `strtod` (a decimal point is '.'),
/// whatever `setlocale` the host program did.
private enum CLocale {
    nonisolated(unsafe) static let c: locale_t? = newlocale(Int32(1) << LC_NUMERIC, "C", nil)

    static func enter() -> locale_t? {
        guard let c else { return nil }
        return uselocale(c)
    }

    static func leave(_ previous: locale_t?) {
        if let previous { _ = uselocale(previous) }
    }
}

/// The state of one parse. All offsets are byte indexes into `base`.
private struct Scan {
    let base: UnsafePointer<UInt8>
    let count: Int
    let name: String
    let allowNonFinite: Bool
    var delimiter: UInt8 = UInt8(ascii: ",")
    /// Whether a tab counts as space around a cell (comma files only).
    var tabIsSpace = true
    /// NUL-terminated copy of a cell for `strtod`; grows for very long cells.
    var scratch: UnsafeMutablePointer<CChar>
    var scratchCapacity = 128
    /// 1e0 ... 1e22, all exact in float64.
    let powers: UnsafeMutablePointer<Double>
    #if arch(x86_64) || arch(i386)
    /// 1e0 ... 1e27, all exact in Float80.
    let widePowers: UnsafeMutablePointer<Float80>
    #endif

    init(base: UnsafePointer<UInt8>, count: Int, name: String, allowNonFinite: Bool) {
        self.base = base
        self.count = count
        self.name = name
        self.allowNonFinite = allowNonFinite
        scratch = .allocate(capacity: 128)
        powers = .allocate(capacity: 23)
        var power = 1.0
        for exponent in 0...22 {
            powers[exponent] = power
            power *= 10
        }
        #if arch(x86_64) || arch(i386)
        widePowers = .allocate(capacity: 28)
        var widePower: Float80 = 1
        for exponent in 0...27 {
            widePowers[exponent] = widePower
            widePower *= 10
        }
        #endif
    }

    func release() {
        scratch.deallocate()
        powers.deallocate()
        #if arch(x86_64) || arch(i386)
        widePowers.deallocate()
        #endif
    }

    // MARK: Lines

    /// Index of the first `byte` in `from..<to`, or `to`.
    @inline(__always)
    func find(_ byte: UInt8, from: Int, to: Int) -> Int {
        guard from < to, let hit = memchr(base + from, Int32(byte), to - from) else { return to }
        return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
    }

    /// How many `byte`s are in `from..<to`.
    func occurrences(of byte: UInt8, from: Int, to: Int) -> Int {
        var total = 0
        var at = from
        while true {
            at = find(byte, from: at, to: to)
            if at == to { return total }
            total += 1
            at += 1
        }
    }

    /// The line starting at `start`: its content end (before CR LF / LF) and the next line's start.
    @inline(__always)
    func line(at start: Int, end: Int) -> (contentEnd: Int, next: Int) {
        let newline = find(UInt8(ascii: "\n"), from: start, to: end)
        var contentEnd = newline
        if contentEnd > start && base[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
        return (contentEnd, newline + 1)
    }

    @inline(__always)
    func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (tabIsSpace && byte == UInt8(ascii: "\t"))
    }

    // MARK: Whole file

    mutating func run() throws(InputError) -> Matrix {
        var start = 0
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }

        // Drop blank trailing lines: the data ends with the line holding the last non-blank byte.
        var last = count - 1
        while last >= start {
            let byte = base[last]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { break }
            last -= 1
        }
        if last < start { throw InputError.file(name, "no data rows") }
        let end = find(UInt8(ascii: "\n"), from: last, to: count)
        if find(UInt8(ascii: "\n"), from: start, to: count) == count && find(UInt8(ascii: "\r"), from: start, to: last) < last {
            throw InputError.file(name, "its lines end in CR only (old Mac style); convert them to LF or CR LF")
        }

        // Row 1 decides the delimiter, and may be a header.
        let first = line(at: start, end: end)
        if find(UInt8(ascii: "\t"), from: start, to: first.contentEnd) < first.contentEnd {
            delimiter = UInt8(ascii: "\t")
            tabIsSpace = false
        }
        var dataStart = start
        var row = 1
        if isHeader(from: start, to: first.contentEnd) {
            dataStart = first.next
            row = 2
            if dataStart >= end { try refuseOnlyRow(from: start, to: first.contentEnd) }
        }

        let firstData = line(at: dataStart, end: end)
        let columns = occurrences(of: delimiter, from: dataStart, to: firstData.contentEnd) + 1
        let maxRows = occurrences(of: UInt8(ascii: "\n"), from: dataStart, to: end) + 1
        var (capacity, overflow) = maxRows.multipliedReportingOverflow(by: columns)
        if overflow { throw InputError.file(name, "too large") }
        // Row 1's width is only a guess for the rest: never reserve more cells than the
        // bytes can hold (each cell takes a digit and a delimiter or line end).
        capacity = min(capacity, (end - dataStart) / 2 + 1)

        var failure: InputError?
        var rows = 0
        let values = [Double](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var out = buffer.baseAddress!
            var at = dataStart
            var lineNumber = row
            do throws(InputError) {
                while at < end {
                    let current = line(at: at, end: end)
                    try parseRow(from: at, to: current.contentEnd, row: lineNumber,
                                 columns: columns, into: out)
                    out += columns
                    rows += 1
                    lineNumber += 1
                    at = current.next
                }
            } catch {
                failure = error
            }
            initialized = rows * columns
        }
        if let failure { throw failure }
        var matrix = Matrix(rows: rows, columns: columns, values: values)
        matrix.firstLine = row
        return matrix
    }

    /// A file whose only row has no number is not a header with no data: the
    /// row is data, and its first cell that is not a number is the error.
    mutating func refuseOnlyRow(from: Int, to end: Int) throws(InputError) -> Never {
        let columns = occurrences(of: delimiter, from: from, to: end) + 1
        let cells = UnsafeMutablePointer<Double>.allocate(capacity: columns)
        defer { cells.deallocate() }
        do throws(InputError) {
            try parseRow(from: from, to: end, row: 1, columns: columns, into: cells)
        } catch {
            throw InputError(error.message + " (the file's only row, so it is data, not a header)", kind: error.kind)
        }
        throw InputError.file(name, "no data rows")
    }

    /// Whether the line `from..<to` is a header: no cell is a number, and some cell is not empty.
    mutating func isHeader(from: Int, to: Int) -> Bool {
        var cellStart = from
        var someText = false
        while true {
            let cellEnd = find(delimiter, from: cellStart, to: to)
            var a = cellStart
            var b = cellEnd
            while a < b && isSpace(base[a]) { a += 1 }
            while b > a && isSpace(base[b - 1]) { b -= 1 }
            if a < b {
                someText = true
                if let number = number(from: a, to: b), number.end == b { return false }
            }
            if cellEnd == to { return someText }
            cellStart = cellEnd + 1
        }
    }

    // MARK: One row

    /// Parses exactly `columns` cells of the line `from..<to` into `out`.
    @inline(__always)
    mutating func parseRow(from: Int, to end: Int, row: Int, columns: Int,
                           into out: UnsafeMutablePointer<Double>) throws(InputError)
    {
        var at = from
        for column in 1...columns {
            while at < end && isSpace(base[at]) { at += 1 }
            let cellStart = at
            if at == end || base[at] == delimiter {
                if column == 1 && at == end { throw InputError.file(name, "row \(row) is empty") }
                throw InputError.cell(name, row: row, column: column, "empty cell")
            }
            let parsed = number(from: at, to: end)
            at = parsed?.end ?? at
            while at < end && isSpace(base[at]) { at += 1 }
            guard let parsed, at == end || base[at] == delimiter else {
                var cellEnd = find(delimiter, from: at, to: end)
                while cellEnd > cellStart && isSpace(base[cellEnd - 1]) { cellEnd -= 1 }
                throw InputError.cell(name, row: row, column: column,
                                      "'\(text(from: cellStart, to: cellEnd))' is not a number")
            }
            if !allowNonFinite && !parsed.value.isFinite {
                throw InputError.nonFinite(name, row: row, column: column,
                                           text: text(from: cellStart, to: parsed.end))
            }
            out[column - 1] = parsed.value
            if column < columns {
                if at == end {
                    throw InputError.file(name, "row \(row) has \(counted(column, "column")), expected \(columns)")
                }
                at += 1  // the delimiter
            } else if at < end {
                let found = columns + occurrences(of: delimiter, from: at, to: end)
                throw InputError.file(name, "row \(row) has \(counted(found, "column")), expected \(columns)")
            }
        }
    }

    // MARK: Numbers

    /// If a number (see `DelimitedParser`) starts at `from`, the index just after it and its
    /// value; else nil. Stops at the first byte that cannot continue the number (backing off a
    /// dangling `e`), so the caller checks what follows. One pass: validation and conversion.
    @inline(__always)
    mutating func number(from: Int, to end: Int) -> (end: Int, value: Double)? {
        let zero = UInt8(ascii: "0")
        var at = from
        var negative = false
        if at < end {
            if base[at] == UInt8(ascii: "-") { negative = true; at &+= 1 }
            else if base[at] == UInt8(ascii: "+") { at &+= 1 }
        }
        let digitsStart = at
        var mantissa: UInt64 = 0
        var exponent = 0
        // Integer part; leading zeros are not significant.
        while at < end && base[at] == zero { at &+= 1 }
        let significantStart = at
        while at < end, case let digit = base[at] &- zero, digit < 10 {
            mantissa = mantissa &* 10 &+ UInt64(digit)
            at &+= 1
        }
        var significant = at &- significantStart
        var anyDigit = at != digitsStart
        if at < end && base[at] == UInt8(ascii: ".") {
            at &+= 1
            let fractionStart = at
            if significant == 0 {  // 0.000123: zeros before the first significant digit
                while at < end && base[at] == zero { at &+= 1 }
            }
            let fractionSignificant = at
            while at < end, case let digit = base[at] &- zero, digit < 10 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                at &+= 1
            }
            significant &+= at &- fractionSignificant
            exponent = fractionStart &- at
            anyDigit = anyDigit || at != fractionStart
        }
        if !anyDigit {
            guard let wordEnd = scanWord(from: digitsStart, to: end) else { return nil }
            let value = base[digitsStart] | 0x20 == UInt8(ascii: "n") ? Double.nan : Double.infinity
            return (wordEnd, negative ? -value : value)
        }
        if at < end && base[at] | 0x20 == UInt8(ascii: "e") {
            var exponentAt = at &+ 1
            var exponentNegative = false
            if exponentAt < end {
                if base[exponentAt] == UInt8(ascii: "-") { exponentNegative = true; exponentAt &+= 1 }
                else if base[exponentAt] == UInt8(ascii: "+") { exponentAt &+= 1 }
            }
            let exponentStart = exponentAt
            var written = 0
            while exponentAt < end, case let digit = base[exponentAt] &- zero, digit < 10 {
                if written < 100_000 { written = written &* 10 &+ Int(digit) }
                exponentAt &+= 1
            }
            if exponentAt != exponentStart {  // else a dangling `e`: not part of the number
                at = exponentAt
                exponent &+= exponentNegative ? -written : written
            }
        }
        if significant <= 19 {
            if mantissa == 0 { return (at, negative ? -0.0 : 0.0) }
            if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
                var value = Double(mantissa)
                if exponent >= 0 { value *= powers[exponent] } else { value /= powers[-exponent] }
                return (at, negative ? -value : value)
            }
            #if arch(x86_64) || arch(i386)
            if exponent >= -27 && exponent <= 27 {
                // Float80 holds any 19-digit mantissa and 10^27 exactly, so `wide` is the
                // true value rounded once to 64 bits. Rounding it again to 53 bits is right
                // unless it sits within one unit of a halfway point (low 11 bits 0x3FF...0x401).
                let wide = exponent >= 0 ? Float80(mantissa) * widePowers[exponent]
                                         : Float80(mantissa) / widePowers[-exponent]
                if wide.significandBitPattern & 0x7FF &- 0x3FF > 2 {
                    let value = Double(wide)
                    return (at, negative ? -value : value)
                }
            }
            #endif
        }
        return (at, slowConvert(from: from, to: at))
    }

    /// `nan`, `inf` or `infinity` (any case) at `from`: the index after it, else nil.
    func scanWord(from: Int, to end: Int) -> Int? {
        if matches("nan", at: from, end: end) { return from + 3 }
        if matches("infinity", at: from, end: end) { return from + 8 }
        if matches("inf", at: from, end: end) { return from + 3 }
        return nil
    }

    func matches(_ word: StaticString, at: Int, end: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard end - at >= length else { return false }
        let letters = word.utf8Start
        for index in 0..<length where base[at + index] | 0x20 != letters[index] { return false }
        return true
    }

    /// `strtod` on a NUL-terminated copy of `from..<to`.
    mutating func slowConvert(from: Int, to end: Int) -> Double {
        let length = end - from
        if length + 1 > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = length + 1
            scratch = .allocate(capacity: scratchCapacity)
        }
        UnsafeMutableRawPointer(scratch).copyMemory(from: base + from, byteCount: length)
        scratch[length] = 0
        return strtod(scratch, nil)
    }

    // MARK: Messages

    /// The bytes `from..<to` for a message: invalid UTF-8 and control characters replaced, cut at 40 characters.
    func text(from: Int, to: Int) -> String {
        let cut = min(to, from + 160)
        let decoded = String(decoding: UnsafeBufferPointer(start: base + from, count: cut - from),
                             as: UTF8.self)
        var shown = ""
        var characters = 0
        for scalar in decoded.unicodeScalars {
            if characters == 40 { return shown + "…" }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
            characters += 1
        }
        return cut < to ? shown + "…" : shown
    }
}
