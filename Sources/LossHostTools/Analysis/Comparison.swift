import Foundation
import LossHostEngine
import LossHostIO
import LossModel

/// The same predictions under several losses: each loss's value, and the rows that
/// make up most of it (`compare`).
public enum Comparison {
    /// One row's part of a loss.
    public struct Contributor: Sendable {
        /// 0-based row.
        public var row: Int
        /// The row's (weighted) loss: the sum of its elements for an element-wise loss.
        public var contribution: Double
        /// contribution / the loss's sum over every row.
        public var share: Double
    }

    public struct Entry: Sendable {
        public var loss: String
        public var parameters: [String]
        /// The mean (the loss's own normalizer, weights included).
        public var value: Double
        public var sum: Double
        public var top: [Contributor]
        /// The top rows' shares added up.
        public var topShare: Double
        /// Per-row contributions, in row order.
        public var rowContributions: [Double]
        /// The element type it was evaluated in.
        public var dtype: DType
    }

    /// Evaluates `instance` and ranks rows by their contribution to the sum.
    public static func analyse(_ instance: LossInstance, label: String, parameters: [String] = [], pred: Matrix,
                               target: Matrix, weight: [Double]? = nil, top k: Int) throws(EvaluationError) -> Entry {
        let e = try Evaluator.evaluate(instance, pred: pred, target: target, weight: weight,
                                       options: EvaluationOptions(reduction: .mean, values: true))
        let values = e.values ?? []
        var perRow = [Double](repeating: 0, count: e.rows)
        if instance.loss.info.reduce == .elementwise {
            for i in 0..<e.rows { for c in 0..<e.columns { perRow[i] += values[i * e.columns + c] } }
        } else {
            for i in 0..<min(e.rows, values.count) { perRow[i] = values[i] }
        }
        let order = perRow.indices.sorted { a, b in
            perRow[a] != perRow[b] ? perRow[a] > perRow[b] : a < b
        }
        let total = e.sum
        let top = order.prefix(max(k, 0)).map { i in
            Contributor(row: i, contribution: perRow[i], share: total != 0 ? perRow[i] / total : .nan)
        }
        return Entry(loss: label, parameters: parameters, value: e.value, sum: total, top: top,
                     topShare: top.reduce(0) { $0 + $1.share }, rowContributions: perRow, dtype: e.dtype)
    }

    /// The share of a loss's sum that the given rows make.
    public static func share(of rows: [Int], in entry: Entry) -> Double {
        rows.reduce(0) { $0 + entry.rowContributions[$1] } / entry.sum
    }
}
