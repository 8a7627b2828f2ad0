import CLossHost
import LossHostCore

/// A failed call of the host API: its status and its one-line message.
struct HostError: Error {
    let status: lh_status
    let message: String

    init(_ status: Int32, _ message: String) {
        self.status = lh_status(status)
        self.message = message
    }

    /// An argument the caller got wrong (a NULL pointer, a bad size or code).
    static func argument(_ message: String) -> HostError { HostError(LH_ERR_INVALID_ARGUMENT, message) }

    /// An engine error, located as the CLI locates it in a file: the input's
    /// name instead of the file's, rows and columns counted from 1.
    static func evaluation(_ error: EvaluationError) -> HostError {
        let name: String? = switch error.input {
        case .pred: "pred"
        case .target: "target"
        case .weight: "weight"
        default: nil
        }
        guard let name else { return HostError(LH_ERR_INVALID_ARGUMENT, error.message) }
        guard let row = error.row else { return HostError(LH_ERR_SHAPE, "\(name): \(error.message)") }
        let column = error.column.map { ", column \($0 + 1)" } ?? ""
        return HostError(LH_ERR_DOMAIN, "\(name): row \(row + 1)\(column): \(error.message)")
    }
}
