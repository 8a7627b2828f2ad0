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
        let expected: [Int] = switch info.targetLayout {
        case .sameShape: [predColumns]
        case .oneColumn, .classIndex: [1]
        case .indexOrSameShape: predColumns == 1 ? [1] : [1, predColumns]
        }
        guard expected.contains(targetColumns) else {
            let want = expected.map(String.init).joined(separator: " or ")
            throw EvaluationError("loss '\(info.id)' needs target with \(want) column\(expected == [1] ? "" : "s") (\(info.targetLayout)), got \(targetColumns)",
                                  input: .target)
        }
        if let weightCount, weightCount != predRows {
            throw EvaluationError("weight has \(counted(weightCount, "value")) but pred has \(counted(predRows, "row"))", input: .weight)
        }
    }
}
