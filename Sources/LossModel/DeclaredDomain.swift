import CLossHost

/// What the values of pred or target mean (`lh_loss.pred_domain`, `target_domain`,
/// ABI 1.2). Hosts use it to generate valid inputs, to map a model's output to
/// the loss and to choose an initial prediction; nothing reads a doc string.
public enum DeclaredDomain: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Not declared: a 1.0 or 1.1 plugin.
    case unspecified = 0
    case real = 1, nonNegative = 2, positive = 3, probability = 4, logit = 5, logRate = 6
    case label01 = 7, labelPlusMinus1 = 8, classIndex = 9, distribution = 10, logProbability = 11

    /// A value from a plugin: one this host does not know reads as `.real`.
    public init(abiValue: Int32) {
        self = DeclaredDomain(rawValue: abiValue) ?? .real
    }

    /// The name in `info`, JSON and scalar manifests.
    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .real: "real"
        case .nonNegative: "non_negative"
        case .positive: "positive"
        case .probability: "probability"
        case .logit: "logit"
        case .logRate: "log_rate"
        case .label01: "label_01"
        case .labelPlusMinus1: "label_pm1"
        case .classIndex: "class_index"
        case .distribution: "distribution"
        case .logProbability: "log_probability"
        }
    }

    /// The domain named `name` (as `description` spells it), if any.
    public init?(name: String) {
        guard let found = DeclaredDomain.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }
}
