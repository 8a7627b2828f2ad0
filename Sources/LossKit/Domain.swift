/// The set of values a loss accepts for pred or target, checked by the kit
/// before a batch is evaluated.
public struct Domain: Sendable {
    public var lower: Double
    public var upper: Double
    public var lowerInclusive: Bool
    public var upperInclusive: Bool
    /// When set, the value must also be one of these.
    public var members: [Double]?
    /// For messages, e.g. "a probability in [0, 1]".
    public var description: String

    public init(lower: Double = -.infinity, upper: Double = .infinity, lowerInclusive: Bool = true,
                upperInclusive: Bool = true, members: [Double]? = nil, description: String) {
        self.lower = lower
        self.upper = upper
        self.lowerInclusive = lowerInclusive
        self.upperInclusive = upperInclusive
        self.members = members
        self.description = description
    }

    public static let real = Domain(description: "any real number")
    public static let probability = Domain(lower: 0, upper: 1, description: "a probability in [0, 1]")
    public static let nonNegative = Domain(lower: 0, description: "a number >= 0")
    /// Binary labels: 0/1, or −1/+1.
    public static let binaryLabel = Domain(lower: -1, upper: 1, members: [0, 1, -1],
                                           description: "a label 0 or 1 (or -1/+1)")

    /// True when no check is needed.
    @inlinable public var isUnbounded: Bool {
        members == nil && lower == -.infinity && upper == .infinity
    }

    @inlinable public func contains(_ x: Double) -> Bool {
        if x.isNaN { return true }  // only reaches a loss when the user allowed non-finite input
        if lowerInclusive ? !(x >= lower) : !(x > lower) { return false }
        if upperInclusive ? !(x <= upper) : !(x < upper) { return false }
        if let members { return members.contains(x) }
        return true
    }
}
