/// What kind of failure an error reports, for the failures a caller can act
/// on. The library's message says what is wrong and names no setting; each
/// client (the CLI, the C host API, the Python package) maps the kind to the
/// fix in its own terms (`--allow-nonfinite`, `LH_HOST_ALLOW_NONFINITE`,
/// `Host(allow_nonfinite=True)`; how to list the losses).
public enum FailureKind: String, Sendable, CaseIterable, Codable {
    /// A NaN or infinite pred or target value while such values are refused.
    case nonFiniteInput = "nonfinite_input"
    /// `mean` over a normalizer of 0 (no rows, or every weight 0).
    case undefinedMean = "undefined_mean"
    /// A plugin returned LH_OK but left an output unwritten (a fault of the plugin).
    case unwrittenOutput = "unwritten_output"
    /// An id that names no loss (or, for `check`, no plugin either).
    case unknownLoss = "unknown_loss"

    /// The words every reader and the engine use for a refused value, as written (`nan`, `-inf`, `1e400`).
    public static func nonFiniteValue(_ text: String) -> String { "non-finite value '\(text)'" }
}

/// An error that may say which `FailureKind` it is.
public protocol KindedFailure: Error {
    var kind: FailureKind? { get }
}
