import ArgumentParser
import LossHostIsolation

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

    /// The files, as the library reads them.
    var files: EvaluationInputs { EvaluationInputs(pred: pred, target: target, data: data, targetColumn: targetColumn) }

    /// Reads the inputs (`.npy` pred keeps its dtype; a --data table is float64).
    func read(allowNonFinite: Bool = false) throws -> EvaluationInputs.Read { try files.read(allowNonFinite: allowNonFinite) }
}
