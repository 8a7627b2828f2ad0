import Foundation
import LossHostIO

/// What `fit --predictions-out` writes: the fitted model's predictions on a
/// dataset, as the loss sees them (values, logits or probabilities, one column
/// per output).
///
/// - CSV (any name but `.npy`): a header row, the prediction columns (`pred`, or
///   `pred_0` … for several outputs) and then the target column under its own
///   name, so `eval`/`compare --data FILE --target-col NAME` read it back.
/// - `.npy`: the predictions alone, float64, 1-D for one output, else rows × outputs.
public enum PredictionsFile {
    /// Writes the file atomically; returns the prediction column names.
    @discardableResult
    public static func write(_ model: LinearModel, on data: Dataset, to path: String) throws(InputError) -> [String] {
        let values = model.predictions(data.features)
        let k = model.outputs
        let stem = data.targetName == "pred" ? "prediction" : "pred"
        let names = k == 1 ? [stem] : (0..<k).map { "\(stem)_\($0)" }
        if path.lowercased().hasSuffix(".npy") {
            try NpyWriter.write(Matrix(rows: data.rows, columns: k, values: values), to: path, asVector: k == 1)
            return names
        }
        var text = (names + [data.targetName]).joined(separator: ",") + "\n"
        text.reserveCapacity(data.rows * (k + 1) * 20)
        for i in 0..<data.rows {
            for c in 0..<k { text += values[i * k + c].description + "," }
            text += data.target[i].description + "\n"
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InputError("\(path): cannot write (\(error.localizedDescription))")
        }
        return names
    }
}
