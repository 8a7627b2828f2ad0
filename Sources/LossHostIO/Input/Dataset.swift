import SystemPackage
import LossHostSystem

/// A table of numbers with named columns, split into features and one target column.
public struct Dataset: Sendable {
    /// Feature column names, in file order.
    public var featureNames: [String]
    public var targetName: String
    /// Rows × features, row-major.
    public var features: Matrix
    /// One target per row.
    public var target: [Double]
    /// The file line of the first data row (2 under a header), for messages that count lines as `eval` does.
    public var firstLine = 1

    public var rows: Int { features.rows }

    public init(featureNames: [String], targetName: String, features: Matrix, target: [Double]) {
        self.featureNames = featureNames
        self.targetName = targetName
        self.features = features
        self.target = target
    }

    /// Reads a CSV/TSV/.npy file (see `MatrixReader`) and takes `targetColumn` as the
    /// target: a header name, or a 1-based column number; nil means the last column.
    public static func read(path: String, targetColumn: String?) throws -> Dataset {
        let matrix = try MatrixReader.read(path: path)
        let names = headerNames(path: path, columns: matrix.columns)
        guard matrix.columns >= 2 else {
            throw InputError("\(path): needs at least two columns (features and a target), got \(matrix.columns)")
        }
        let t = try targetIndex(targetColumn, names: names, columns: matrix.columns, path: path)
        var dataset = split(matrix, names: names, targetIndex: t)
        dataset.firstLine = matrix.firstLine
        return dataset
    }

    /// Splits a matrix into features and the target column `targetIndex` (0-based).
    public static func split(_ matrix: Matrix, names: [String], targetIndex t: Int) -> Dataset {
        let d = matrix.columns
        var x: [Double] = []
        x.reserveCapacity(matrix.rows * (d - 1))
        var y: [Double] = []
        y.reserveCapacity(matrix.rows)
        for i in 0..<matrix.rows {
            for j in 0..<d {
                let v = matrix.values[i * d + j]
                if j == t { y.append(v) } else { x.append(v) }
            }
        }
        var featureNames = names
        let targetName = featureNames.remove(at: t)
        return Dataset(featureNames: featureNames, targetName: targetName,
                       features: Matrix(rows: matrix.rows, columns: d - 1, values: x), target: y)
    }

    /// The column a `--target-col` value names: a header name, or a 1-based number.
    public static func targetIndex(_ spec: String?, names: [String], columns: Int, path: String) throws -> Int {
        guard let spec, !spec.isEmpty else { return columns - 1 }
        if let i = names.firstIndex(of: spec) { return i }
        if let n = Int(spec) {
            guard n >= 1 && n <= columns else {
                throw InputError("\(path): --target-col \(n) is outside 1...\(columns)")
            }
            return n - 1
        }
        throw InputError("\(path): no column named '\(spec)' (columns: \(names.joined(separator: ", ")))")
    }

    /// The header's cell names when the file has a header, else `c1`, `c2`, ...
    public static func headerNames(path: String, columns: Int) -> [String] {
        let fallback = (1...max(columns, 1)).map { "c\($0)" }
        guard path != "-", !path.lowercased().hasSuffix(".npy"), let head = firstBytes(path, count: 64 * 1024),
              var line = String(decoding: head, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
        else { return fallback }
        if line.hasPrefix("\u{FEFF}") { line.removeFirst() }
        let separator: Character = line.contains("\t") ? "\t" : ","
        let cells = line.split(separator: separator, omittingEmptySubsequences: false)
            .map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
        guard cells.count == columns, !cells.contains(where: { Double($0) != nil }) else { return fallback }
        return cells.enumerated().map { $1.isEmpty ? "c\($0 + 1)" : $1 }
    }

    /// Up to `count` bytes from the start of the file at `path`; nil when it cannot be read.
    private static func firstBytes(_ path: String, count: Int) -> [UInt8]? {
        guard let fd = try? FileCalls.open(path, .readOnly) else { return nil }
        defer { try? fd.close() }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = (try? bytes.withUnsafeMutableBytes { buffer in
                try FileCalls.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }) ?? 0
            if n <= 0 { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }
}
