import Foundation

/// The inverse link that turns a prediction into the user's scale
/// (`lh_loss.link`, ABI 1.2): a probability, a class distribution, a mean.
public enum InverseLink: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case identity = 0, sigmoid = 1, softmax = 2, exp = 3

    /// A value from a plugin: one this host does not know reads as `.identity`.
    public init(abiValue: Int32) {
        self = InverseLink(rawValue: abiValue) ?? .identity
    }

    public var description: String {
        switch self {
        case .identity: "identity"
        case .sigmoid: "sigmoid"
        case .softmax: "softmax"
        case .exp: "exp"
        }
    }

    /// The link named `name` (as `description` spells it), if any.
    public init?(name: String) {
        guard let found = InverseLink.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }

    /// Applies the link to one row of predictions.
    public func apply(_ row: [Double]) -> [Double] {
        switch self {
        case .identity: return row
        case .sigmoid: return row.map { 1 / (1 + Foundation.exp(-$0)) }
        case .exp: return row.map { Foundation.exp($0) }
        case .softmax:
            let m = row.max() ?? 0
            let e = row.map { Foundation.exp($0 - m) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        }
    }
}
