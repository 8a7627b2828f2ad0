/// Inputs of one evaluate call made by a check: row-major pred and target, optional weights.
struct CheckBatch: Sendable {
    var rows: Int
    var predColumns: Int
    var targetColumns: Int
    var pred: [Double]
    var target: [Double]
    var weight: [Double]?

    /// Rows `range` of this batch.
    func slice(_ range: Range<Int>) -> CheckBatch {
        CheckBatch(rows: range.count, predColumns: predColumns, targetColumns: targetColumns,
                   pred: Array(pred[range.lowerBound * predColumns..<range.upperBound * predColumns]),
                   target: Array(target[range.lowerBound * targetColumns..<range.upperBound * targetColumns]),
                   weight: weight.map { Array($0[range]) })
    }

    /// The rows in the order `order`.
    func permuted(_ order: [Int]) -> CheckBatch {
        CheckBatch(rows: rows, predColumns: predColumns, targetColumns: targetColumns,
                   pred: order.flatMap { pred[$0 * predColumns..<($0 + 1) * predColumns] },
                   target: order.flatMap { target[$0 * targetColumns..<($0 + 1) * targetColumns] },
                   weight: weight.map { w in order.map { w[$0] } })
    }

    /// Row `row`, columns shown, for failure messages: "row 3: pred [0.5, 1], target [1]".
    func describeRow(_ row: Int) -> String {
        let p = pred[row * predColumns..<(row + 1) * predColumns].map(formatCheckNumber).joined(separator: ", ")
        let t = target[row * targetColumns..<(row + 1) * targetColumns].map(formatCheckNumber).joined(separator: ", ")
        let w = weight.map { ", weight \(formatCheckNumber($0[row]))" } ?? ""
        return "pred [\(p)], target [\(t)]\(w)"
    }
}

/// What one evaluate call asks for.
struct Wanted: Sendable {
    var values = false
    var sum = true
    var gradient = false
    var hessian = false

    static let all = Wanted(values: true, sum: true, gradient: true, hessian: true)
}

/// What one evaluate call returned.
struct CallOutputs: Sendable {
    var values: [Double]?
    var sum: Double?
    var normalizer: Double?
    var gradient: [Double]?
    var hessian: [Double]?

    /// The first element, in the order values, sum, normalizer, gradient, Hessian, whose bits differ in `other`.
    func firstDifference(_ other: CallOutputs) -> OutputDifference? {
        let lists: [(String, [Double]?, [Double]?)] = [("values", values, other.values), ("sum", sum.map { [$0] }, other.sum.map { [$0] }),
                                                       ("normalizer", normalizer.map { [$0] }, other.normalizer.map { [$0] }),
                                                       ("gradient", gradient, other.gradient), ("hessian", hessian, other.hessian)]
        for (name, a, b) in lists {
            guard let a, let b else { continue }
            for i in 0..<min(a.count, b.count) where a[i].bitPattern != b[i].bitPattern {
                let scalar = name == "sum" || name == "normalizer"
                return OutputDifference(output: name, index: scalar ? nil : i, first: a[i], second: b[i])
            }
        }
        return nil
    }

    /// Bitwise equality of every output.
    func bitwiseEqual(_ other: CallOutputs) -> Bool {
        func same(_ a: [Double]?, _ b: [Double]?) -> Bool {
            a?.map(\.bitPattern) == b?.map(\.bitPattern)
        }
        return same(values, other.values) && sum?.bitPattern == other.sum?.bitPattern
            && normalizer?.bitPattern == other.normalizer?.bitPattern
            && same(gradient, other.gradient) && same(hessian, other.hessian)
    }
}

/// The first output element that differs bitwise between two calls.
struct OutputDifference: Sendable {
    /// "values", "sum", "normalizer", "gradient" or "hessian".
    var output: String
    /// nil for sum and normalizer.
    var index: Int?
    var first: Double
    var second: Double

    /// "gradient[5] (row 1: pred [...], target [...]) was 0x3ff0000000000000 (1), then 0x3ff0000000000001 (1.0000000000000002)".
    func describe(_ batch: CheckBatch, valuesPerRow: Int) -> String {
        var at = output
        if let index {
            let perRow = output == "values" ? valuesPerRow : batch.predColumns
            let row = index / max(1, perRow)
            at += "[\(index)] (row \(row): \(batch.describeRow(row)))"
        }
        return "\(at) was \(Self.bits(first)), then \(Self.bits(second))"
    }

    /// "0x3ff0000000000000 (1)".
    static func bits(_ x: Double) -> String {
        let hex = String(x.bitPattern, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - hex.count) + hex + " (\(formatCheckNumber(x)))"
    }
}

/// A plugin's answer that was not LH_OK.
struct PluginStatus: Error, Sendable {
    var status: Int32
    var message: String
    var statusName: String
}

/// Full precision, readable: "0.1", "-3", "1e-300", "nan".
func formatCheckNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
