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
}
