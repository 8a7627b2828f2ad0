import LossHostIO
/// The result of one named check.
public struct CheckResult: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable {
        case pass
        /// Passed, with a finding about the plugin that is not a failure (a noisy value).
        case warn
        case fail, skip
    }

    /// e.g. "plugin.metadata" or "huber.gradient".
    public var check: String
    public var outcome: Outcome
    /// One line: why it failed (the first offending input, expected vs got), or a note.
    public var detail: String

    public init(check: String, outcome: Outcome, detail: String) {
        self.check = check
        self.outcome = outcome
        self.detail = detail
    }

    public var json: JSON {
        .object([("check", .string(check)), ("result", .string(outcome.rawValue)), ("detail", .string(detail))])
    }

    /// The report of `losshost check TARGET --format json` (and `lh_host_check`):
    /// `{"target", "seed", "passed", "checks": [{"check", "result", "detail"}]}`, then
    /// `verdict`'s `"fingerprint"` and `"cached"` when the verdict cache was used (docs/SCHEMA.md).
    public static func report(target: String, seed: UInt64, results: [CheckResult],
                              verdict: CheckVerdictCache.Verdict? = nil) -> JSON {
        .object([
            ("target", .string(target)), ("seed", .unsigned(seed)),
            ("passed", .bool(!results.contains { $0.outcome == .fail })),
            ("checks", .array(results.map(\.json))),
        ] + (verdict?.reportFields ?? []))
    }
}

/// Why a check failed: one line naming the first offending input.
public struct CheckFailure: KindedFailure, Sendable {
    public var detail: String
    public var kind: FailureKind?
    public init(_ detail: String, kind: FailureKind? = nil) {
        self.detail = detail
        self.kind = kind
    }
}

/// A check that passed with a finding worth a person's attention, e.g. a value
/// too noisy to verify the gradient at some points.
public struct CheckWarning: Error, Sendable {
    public var detail: String
    public init(_ detail: String) { self.detail = detail }
}

/// A check that does not apply, with the reason.
public struct CheckSkipped: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
