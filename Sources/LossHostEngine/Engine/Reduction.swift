/// How per-element or per-row values become one number.
public enum Reduction: String, Sendable, CaseIterable {
    case mean, sum, none
}
