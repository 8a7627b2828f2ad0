import LossHostEngine
import LossHostIO

/// The files an evaluation reads: predictions and targets from two files, or
/// one table (`data`) whose `targetColumn` column is the target and whose other
/// columns are the predictions (what `fit --predictions-out` writes); and the
/// per-sample weights.
public struct EvaluationInputs: Codable, Sendable {
    public var pred: String?
    public var target: String?
    public var data: String?
    /// The target column of `data`: a header name or a 1-based number; nil: the last column.
    public var targetColumn: String?
    public var weight: String?

    public init(pred: String?, target: String?, data: String?, targetColumn: String?, weight: String? = nil) {
        self.pred = pred
        self.target = target
        self.data = data
        self.targetColumn = targetColumn
        self.weight = weight
    }

    /// Predictions and targets, read; `locate` turns an engine error's cell into file, row and column.
    public struct Read {
        public let pred: NumericArray
        public let target: NumericArray

        private let files: (pred: String, target: String)
        private let firstLines: (pred: Int, target: Int)
        /// For `data`: the table's target column (0-based); its other columns are pred's, in order.
        private let tableTarget: Int?

        fileprivate init(pred: NumericArray, target: NumericArray, files: (String, String), firstLines: (Int, Int), tableTarget: Int?) {
            self.pred = pred
            self.target = target
            self.files = files
            self.firstLines = firstLines
            self.tableTarget = tableTarget
        }

        /// "FILE: row R, column C" (1-based, a header row counted as a line) of a pred or target cell.
        public func locate(_ input: EvaluationError.Input, row: Int?, column: Int?) -> String? {
            let file: String, first: Int, shown: Int?
            switch input {
            case .pred:
                (file, first) = (files.pred, firstLines.pred)
                shown = column.map { c in tableTarget.map { c < $0 ? c : c + 1 } ?? c }
            case .target:
                (file, first) = (files.target, firstLines.target)
                shown = tableTarget ?? column
            default: return nil
            }
            guard let row else { return file }
            return "\(file): row \(row + first)\(shown.map { ", column \($0 + 1)" } ?? "")"
        }
    }

    /// Reads the predictions and targets (`.npy` pred keeps its dtype; a `data` table is float64).
    public func read(allowNonFinite: Bool = false) throws -> Read {
        if let pred, let target {
            let p = try MatrixReader.readArray(path: pred, allowNonFinite: allowNonFinite)
            let t = try MatrixReader.readArray(path: target, allowNonFinite: allowNonFinite)
            return Read(pred: p, target: t, files: (pred, target), firstLines: (p.firstLine, t.firstLine), tableTarget: nil)
        }
        guard let data else { throw InputError("give --pred FILE and --target FILE, or --data FILE (with --target-col NAME)") }
        let table = try MatrixReader.read(path: data, allowNonFinite: allowNonFinite)
        guard table.columns >= 2 else {
            throw InputError("\(data): needs at least two columns (predictions and a target), got \(counted(table.columns, "column"))")
        }
        let names = Dataset.headerNames(path: data, columns: table.columns)
        let t = try Dataset.targetIndex(targetColumn, names: names, columns: table.columns, path: data)
        let split = Dataset.split(table, names: names, targetIndex: t)
        return Read(pred: NumericArray(split.features), target: NumericArray(rows: split.rows, columns: 1, doubles: split.target),
                    files: (data, data), firstLines: (table.firstLine, table.firstLine), tableTarget: t)
    }
}
