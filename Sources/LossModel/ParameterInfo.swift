import CLossHost

/// How a parameter's value is read (`lh_param_info.type`).
public enum ParameterType: Int32, Sendable, CustomStringConvertible {
    case real = 0, integer = 1, boolean = 2, list = 3
    public var description: String {
        switch self {
        case .real: "real"
        case .integer: "integer"
        case .boolean: "boolean"
        case .list: "list"
        }
    }
}

/// One declared parameter of a loss (`lh_param_info`).
public struct ParameterInfo: Sendable, Equatable {
    public var name: String
    public var doc: String
    public var type: ParameterType
    /// The default; ignored for lists (whose default is "not given").
    public var defaultValue: Double
    public var min: Double
    public var max: Double
    public var minExclusive: Bool
    public var maxExclusive: Bool

    public init(
        _ name: String, _ doc: String, type: ParameterType = .real, default defaultValue: Double = 0,
        min: Double, max: Double, minExclusive: Bool = false, maxExclusive: Bool = false
    ) {
        self.name = name
        self.doc = doc
        self.type = type
        self.defaultValue = defaultValue
        self.min = min
        self.max = max
        self.minExclusive = minExclusive
        self.maxExclusive = maxExclusive
    }

    /// A 0/1 switch.
    public static func flag(_ name: String, _ doc: String, default value: Bool = false) -> ParameterInfo {
        ParameterInfo(name, doc, type: .boolean, default: value ? 1 : 0, min: 0, max: 1)
    }

    /// True when `x` lies inside the declared bounds.
    public func admits(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        if minExclusive ? !(x > min) : !(x >= min) { return false }
        if maxExclusive ? !(x < max) : !(x <= max) { return false }
        if type == .integer || type == .boolean, x.rounded() != x { return false }
        return true
    }

    /// The allowed range in interval notation, e.g. `(0, 1)` or `[0, 1e+06]`.
    public var rangeDescription: String {
        let lo = minExclusive ? "(" : "["
        let hi = maxExclusive ? ")" : "]"
        return "\(lo)\(formatNumber(min)), \(formatNumber(max))\(hi)"
    }
}

/// Shortest text that reads back as the same Double, without a trailing `.0`.
public func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
