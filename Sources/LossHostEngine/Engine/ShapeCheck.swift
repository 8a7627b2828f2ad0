import LossHostIO
import LossModel

/// Checks that pred, target and weight fit a loss's declared layout before
/// anything is handed to the plugin.
enum ShapeCheck {
    static func check(_ info: LossInfo, predRows: Int, predColumns: Int, targetRows: Int, targetColumns: Int,
                      weightCount: Int?) throws(EvaluationError) {
        if info.predColumns > 0 && predColumns != info.predColumns {
            throw EvaluationError("loss '\(info.id)' needs pred with \(counted(info.predColumns, "column")) (\(info.predDoc)), got \(predColumns)",
                                  input: .pred)
        }
        guard targetRows == predRows else {
            throw EvaluationError("pred has \(counted(predRows, "row")) but target has \(targetRows)", input: .target)
        }
        // The accepted target column counts, as a pair (no array: this runs on every call).
        let accepted: (Int, Int?) = switch info.targetLayout {
        case .sameShape: (predColumns, nil)
        case .oneColumn, .classIndex: (1, nil)
        case .indexOrSameShape: (1, predColumns == 1 ? nil : predColumns)
        }
        guard targetColumns == accepted.0 || targetColumns == accepted.1 else {
            let want = [accepted.0] + (accepted.1.map { [$0] } ?? [])
            throw EvaluationError("loss '\(info.id)' needs target with \(want.map(String.init).joined(separator: " or ")) column\(want == [1] ? "" : "s") (\(info.targetLayout)), got \(targetColumns)",
                                  input: .target)
        }
        if let weightCount, weightCount != predRows {
            throw EvaluationError("weight has \(counted(weightCount, "value")) but pred has \(counted(predRows, "row"))", input: .weight)
        }
    }
}
