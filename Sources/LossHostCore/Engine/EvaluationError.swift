import LossKit

/// Why an evaluation could not be done. `input`, `row` and `column` point at the
/// offending cell (0-based data rows) so the CLI can name the file, row and column.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    public enum Input: Sendable { case none, pred, target, weight, parameter }

    public var message: String
    public var input: Input
    public var row: Int?
    public var column: Int?

    public init(_ message: String, input: Input = .none, row: Int? = nil, column: Int? = nil) {
        self.message = message
        self.input = input
        self.row = row
        self.column = column
    }

    public var description: String { message }
}
