import CLossHost
import LossHostEngine
import LossHostIO

/// A failed call of the host API: its status, its one-line message (the
/// library's words) and, for the failures a caller can act on, their kind.
struct HostError: Error {
    let status: lh_status
    let message: String
    let kind: FailureKind?

    init(_ status: Int32, _ message: String, kind: FailureKind? = nil) {
        self.status = lh_status(status)
        self.message = message
        self.kind = kind
    }

    /// An argument the caller got wrong (a NULL pointer, a bad size or code, an unknown id).
    static func argument(_ message: String, kind: FailureKind? = nil) -> HostError {
        HostError(LH_ERR_INVALID_ARGUMENT, message, kind: kind)
    }

    /// An engine error, located as the CLI locates it in a file: the input's
    /// name instead of the file's, rows and columns counted from 1.
    static func evaluation(_ error: EvaluationError) -> HostError {
        let name: String? = switch error.input {
        case .pred: "pred"
        case .target: "target"
        case .weight: "weight"
        default: nil
        }
        guard let name else {
            // An output the plugin left unwritten is the plugin's fault, not the caller's.
            let status = error.kind == .unwrittenOutput ? LH_ERR_INTERNAL : LH_ERR_INVALID_ARGUMENT
            return HostError(status, error.message, kind: error.kind)
        }
        guard let row = error.row else { return HostError(LH_ERR_SHAPE, "\(name): \(error.message)", kind: error.kind) }
        let column = error.column.map { ", column \($0 + 1)" } ?? ""
        // A refused non-finite value is an argument the host's setting decides, not a domain error of the loss.
        let status = error.kind == .nonFiniteInput ? LH_ERR_INVALID_ARGUMENT : LH_ERR_DOMAIN
        return HostError(status, "\(name): row \(row + 1)\(column): \(error.message)", kind: error.kind)
    }

    /// The message with the C API's fix for its kind, as `lh_host_last_error` gives it.
    var text: String {
        guard let fix = kind?.hostAPIFix else { return message }
        return "\(message) (\(fix))"
    }
}

extension FailureKind {
    /// The fix in the C API's own terms.
    var hostAPIFix: String? {
        switch self {
        case .nonFiniteInput: "set LH_HOST_ALLOW_NONFINITE to accept it"
        case .undefinedMean: "use LH_HOST_SUM"
        case .unwrittenOutput: nil
        case .unknownLoss: "lh_host_losses_json lists the losses"
        }
    }

    /// `lh_host_last_error_kind`'s code (LH_HOST_ERROR_*).
    var code: Int32 {
        switch self {
        case .nonFiniteInput: LH_HOST_ERROR_NONFINITE_INPUT
        case .undefinedMean: LH_HOST_ERROR_UNDEFINED_MEAN
        case .unwrittenOutput: LH_HOST_ERROR_UNWRITTEN_OUTPUT
        case .unknownLoss: LH_HOST_ERROR_UNKNOWN_LOSS
        }
    }
}
