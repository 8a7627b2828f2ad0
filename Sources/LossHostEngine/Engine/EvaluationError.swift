import CLossHost
import LossHostABI
import LossHostIO
import LossModel

/// Why an evaluation could not be done. `input`, `row` and `column` point at the
/// offending cell (0-based data rows) so the CLI can name the file, row and column;
/// `kind` tells clients which fix of theirs applies.
public struct EvaluationError: KindedFailure, Sendable, CustomStringConvertible {
    public enum Input: Sendable { case none, pred, target, weight, parameter }

    public var message: String
    public var input: Input
    public var row: Int?
    public var column: Int?
    public var kind: FailureKind?

    public init(_ message: String, input: Input = .none, row: Int? = nil, column: Int? = nil, kind: FailureKind? = nil) {
        self.message = message
        self.input = input
        self.row = row
        self.column = column
        self.kind = kind
    }

    public var description: String { message }
}

extension ErrorRecord.Failure {
    package func asEvaluationError() -> EvaluationError {
        let which: EvaluationError.Input = switch input {
        case LH_INPUT_PRED: .pred
        case LH_INPUT_TARGET: .target
        case LH_INPUT_WEIGHT: .weight
        case LH_INPUT_PARAM: .parameter
        default: .none
        }
        if overflow { return EvaluationError(text) }
        return EvaluationError(text, input: which, row: row >= 0 ? Int(row) : nil, column: column >= 0 ? Int(column) : nil)
    }

    package func asParameterError(_ info: LossInfo) -> EvaluationError {
        var error = asEvaluationError()
        if input == LH_INPUT_PARAM, column >= 0, Int(column) < info.parameters.count, !message.contains(info.parameters[Int(column)].name) {
            error.message = "param '\(info.parameters[Int(column)].name)': \(text)"
        }
        error.input = .parameter
        return error
    }
}
