import CLossHost

/// What sort of problem a loss is for (`lh_loss.kind`).
public enum LossKind: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case regression = 0, binary = 1, multiclass = 2, probabilistic = 3, other = 4

    /// A value from a plugin: one this host does not know reads as `.other`.
    public init(abiValue: Int32) {
        self = LossKind(rawValue: abiValue) ?? .other
    }
    public var description: String {
        switch self {
        case .regression: "regression"
        case .binary: "binary"
        case .multiclass: "multiclass"
        case .probabilistic: "probabilistic"
        case .other: "other"
        }
    }
}

/// One value per element of pred, or one per row (`lh_loss.reduce`).
public enum Reduce: Int32, Sendable, CustomStringConvertible {
    case elementwise = 0, rowwise = 1
    public var description: String { self == .elementwise ? "element-wise" : "row" }
}

/// The shape of target relative to an N×D pred (`lh_loss.target_layout`).
public enum TargetLayout: Int32, Sendable, CustomStringConvertible {
    case sameShape = 0, oneColumn = 1, classIndex = 2, indexOrSameShape = 3
    public var description: String {
        switch self {
        case .sameShape: "N x D, same shape as pred"
        case .oneColumn: "N x 1"
        case .classIndex: "N x 1 class indices 0..D-1"
        case .indexOrSameShape: "N x 1 class indices, or N x D"
        }
    }
}

/// Whether a loss provides its Hessian diagonal (`lh_loss.hessian`).
public enum HessianSupport: Int32, Sendable, CustomStringConvertible {
    case exact = 0, approximate = 1, none = 2
    public var description: String {
        switch self {
        case .exact: "exact"
        case .approximate: "approximate"
        case .none: "none"
        }
    }
}

/// The metadata of one loss: everything `lh_loss` says but its functions.
public struct LossInfo: Sendable {
    public var id: String
    public var summary: String
    public var kind: LossKind
    public var reduce: Reduce
    public var predDoc: String
    public var targetDoc: String
    /// Required number of pred columns, or 0 for any.
    public var predColumns: Int
    public var targetLayout: TargetLayout
    public var hessian: HessianSupport
    public var threadSafe: Bool
    public var deterministic: Bool
    public var parameters: [ParameterInfo]
    /// What pred means (its first column when `predDomainRest` is set), ABI 1.2.
    public var predDomain: DeclaredDomain
    /// What pred columns after the first mean (e.g. a variance); nil: as `predDomain`.
    public var predDomainRest: DeclaredDomain?
    public var targetDomain: DeclaredDomain
    /// From pred to the user's scale.
    public var link: InverseLink
    public var curvature: Curvature

    public init(
        id: String, summary: String, kind: LossKind, reduce: Reduce = .elementwise,
        predDoc: String, targetDoc: String, predColumns: Int = 0,
        targetLayout: TargetLayout = .sameShape, hessian: HessianSupport = .exact,
        threadSafe: Bool = true, deterministic: Bool = true, parameters: [ParameterInfo] = [],
        predDomain: DeclaredDomain = .unspecified, predDomainRest: DeclaredDomain? = nil,
        targetDomain: DeclaredDomain = .unspecified, link: InverseLink = .identity,
        curvature: Curvature = .unknown
    ) {
        self.id = id
        self.summary = summary
        self.kind = kind
        self.reduce = reduce
        self.predDoc = predDoc
        self.targetDoc = targetDoc
        self.predColumns = predColumns
        self.targetLayout = targetLayout
        self.hessian = hessian
        self.threadSafe = threadSafe
        self.deterministic = deterministic
        self.parameters = parameters
        self.predDomain = predDomain
        self.predDomainRest = predDomainRest
        self.targetDomain = targetDomain
        self.link = link
        self.curvature = curvature
    }
}
