/// A problem with an input or output file, as one line for the user.
///
/// The message starts with the file's name (as given on the command line, or `<stdin>`),
/// and, when it is about one cell, gives the row and column, 1-based as a person counts
/// lines in the file (a skipped header line counts), e.g.
/// `p.csv: row 3, column 2: 'abc' is not a number`.
public struct InputError: KindedFailure, Sendable, CustomStringConvertible, Equatable {
    /// The whole one-line message.
    public let message: String
    /// What a client can do about it, when it is one of the kinds clients fix.
    public let kind: FailureKind?
    /// What `print(error)` shows: the message.
    public var description: String { message }

    /// Makes an error with the given one-line message.
    public init(_ message: String, kind: FailureKind? = nil) {
        self.message = message
        self.kind = kind
    }

    /// `name: detail`.
    package static func file(_ name: String, _ detail: String) -> InputError {
        InputError("\(name): \(detail)")
    }

    /// `name: row R, column C: detail`.
    static func cell(_ name: String, row: Int, column: Int, _ detail: String, kind: FailureKind? = nil) -> InputError {
        InputError("\(name): row \(row), column \(column): \(detail)", kind: kind)
    }

    /// The standard message for a NaN or infinite value when they are not allowed.
    static func nonFinite(_ name: String, row: Int, column: Int, text: String) -> InputError {
        cell(name, row: row, column: column, FailureKind.nonFiniteValue(text), kind: .nonFiniteInput)
    }

    /// `name: corrupt .npy file (reason)`.
    static func corruptNpy(_ name: String, _ reason: String) -> InputError {
        file(name, "corrupt .npy file (\(reason))")
    }
}
