import CLossHost

/// Why an lh_* call failed: the status, a message, and the offending cell if any.
public struct LossFailure: Error, Sendable, CustomStringConvertible {
    /// The `LH_ERR_*` family of a failure.
    public enum Status: Int32, Sendable {
        case invalidArgument = 1, shape = 2, domain = 3, noMemory = 4, unsupported = 5, `internal` = 6
    }
    /// The input a failure is about (`LH_INPUT_*`).
    public enum Input: Int32, Sendable {
        case none = 0, pred = 1, target = 2, weight = 3, parameter = 4
    }

    public var status: Status
    public var message: String
    public var input: Input
    /// 0-based row in the batch, if the failure is about one cell.
    public var row: Int?
    /// 0-based column (or parameter index for `.parameter`).
    public var column: Int?

    public init(_ status: Status, _ message: String, input: Input = .none, row: Int? = nil, column: Int? = nil) {
        self.status = status
        self.message = message
        self.input = input
        self.row = row
        self.column = column
    }

    public var description: String { message }

    /// An input value outside the loss's domain.
    public static func domain(_ input: Input, row: Int, column: Int, value: Double, expected: String) -> LossFailure {
        let name = input == .pred ? "pred" : input == .target ? "target" : "weight"
        return LossFailure(.domain, "\(name) value \(formatNumber(value)) is outside the loss's domain (\(expected))",
                           input: input, row: row, column: column)
    }
}
