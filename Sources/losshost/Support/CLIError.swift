import LossHostIO

/// A one-line error for the user; the exit status is 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// A library message with the CLI's fix for its kind, in parentheses.
    init(_ message: String, kind: FailureKind?) {
        description = kind?.cliFix.map { "\(message) (\($0))" } ?? message
    }
}

extension FailureKind {
    /// The fix in the CLI's own terms.
    var cliFix: String? {
        switch self {
        case .nonFiniteInput: "use --allow-nonfinite to accept it"
        case .undefinedMean: "use --reduction sum"
        case .unwrittenOutput: nil
        case .unknownLoss: "`losshost list` shows the losses"
        }
    }
}
