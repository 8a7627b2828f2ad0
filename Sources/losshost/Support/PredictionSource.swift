import ArgumentParser
import LossHostEngine
import LossHostIO
import LossHostTools

/// Where `eval` and `compare` read predictions and targets: two files
/// (`--pred`, `--target`), or one table (`--data`) whose `--target-col` column is
/// the target and whose other columns are the predictions, as `fit --predictions-out` writes it.
struct PredictionSource: ParsableArguments {
    @Option(help: ArgumentHelp("Predictions: N rows of D numbers.", valueName: "file"))
    var pred: String?

    @Option(help: ArgumentHelp("Targets: N rows, shaped as the loss says (see `losshost info LOSS`).", valueName: "file"))
    var target: String?

    @Option(help: ArgumentHelp("Instead of --pred and --target: one table whose --target-col column is the target and whose other columns are the predictions (what `fit --predictions-out` writes).", valueName: "file"))
    var data: String?

    @Option(name: .customLong("target-col"), help: ArgumentHelp("The target column of --data: a header name or a 1-based number (default: the last column).", valueName: "name|n"))
    var targetColumn: String?

    func validate() throws {
        switch (pred, target, data) {
        case (.some, .some, nil):
            guard targetColumn == nil else { throw ValidationError("--target-col goes with --data, not with --pred and --target") }
        case (nil, nil, .some): break
        case (nil, .some, nil):
            // `eval --optimal-constant` reads targets alone; every other use says it misses --pred.
            guard targetColumn == nil else { throw ValidationError("--target-col goes with --data, not with --pred and --target") }
        case (_, _, .some): throw ValidationError("give either --data or --pred and --target, not both")
        default: throw ValidationError("give --pred FILE and --target FILE, or --data FILE (with --target-col NAME)")
        }
    }

    /// Predictions and targets, read; `locate` turns an engine error's cell into file, row and column.
    struct Inputs {
        let pred: NumericArray
        let target: NumericArray

        private let files: (pred: String, target: String)
        private let firstLines: (pred: Int, target: Int)
        /// For --data: the table's target column (0-based); its other columns are pred's, in order.
        private let tableTarget: Int?

        fileprivate init(pred: NumericArray, target: NumericArray, files: (String, String), firstLines: (Int, Int), tableTarget: Int?) {
            self.pred = pred
            self.target = target
            self.files = files
            self.firstLines = firstLines
            self.tableTarget = tableTarget
        }

        /// "FILE: row R, column C" (1-based, a header row counted as a line) of a pred or target cell.
        func locate(_ input: EvaluationError.Input, row: Int?, column: Int?) -> String? {
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

    /// Reads the inputs (`.npy` pred keeps its dtype; a --data table is float64).
    func read(allowNonFinite: Bool = false) throws -> Inputs {
        if let pred, let target {
            let p = try MatrixReader.readArray(path: pred, allowNonFinite: allowNonFinite)
            let t = try MatrixReader.readArray(path: target, allowNonFinite: allowNonFinite)
            return Inputs(pred: p, target: t, files: (pred, target), firstLines: (p.firstLine, t.firstLine), tableTarget: nil)
        }
        guard let data else { throw CLIError("give --pred FILE and --target FILE, or --data FILE (with --target-col NAME)") }
        let table = try MatrixReader.read(path: data, allowNonFinite: allowNonFinite)
        guard table.columns >= 2 else {
            throw CLIError("\(data): needs at least two columns (predictions and a target), got \(counted(table.columns, "column"))")
        }
        let names = Dataset.headerNames(path: data, columns: table.columns)
        let t = try Dataset.targetIndex(targetColumn, names: names, columns: table.columns, path: data)
        let split = Dataset.split(table, names: names, targetIndex: t)
        return Inputs(pred: NumericArray(split.features), target: NumericArray(rows: split.rows, columns: 1, doubles: split.target),
                      files: (data, data), firstLines: (table.firstLine, table.firstLine), tableTarget: t)
    }
}
