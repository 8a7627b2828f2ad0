/// Central and one-sided differences of a function of one pred element, in
/// float64, with a step scaled to |x|. Points within a few steps of a kink
/// (where the one-sided slopes disagree) are reported as kinks and skipped.
struct FiniteDifference {
    /// The arithmetic the differentiated function works in, which sets the step
    /// (about the cube root of its epsilon), what counts as a kink, and the
    /// rounding noise allowed.
    struct Precision: Sendable, Equatable {
        var relativeStep: Double
        /// One-sided slopes 4 steps apart that differ by more than this
        /// (relative to max(1, |slope|)) are a kink.
        var kinkTolerance: Double
        var epsilon: Double
        /// The relative step of second differences: about the fourth root of epsilon.
        var curvatureStep: Double

        static let double = Precision(relativeStep: 6e-6, kinkTolerance: 1e-3, epsilon: Double.ulpOfOne, curvatureStep: 1e-4)
        /// For scalar losses computed in float32 (a float pred or return type).
        static let single = Precision(relativeStep: 4e-3, kinkTolerance: 5e-2, epsilon: Double(Float.ulpOfOne), curvatureStep: 3e-2)
    }

    /// The relative step in float64: about the cube root of machine epsilon.
    static let relativeStep = Precision.double.relativeStep

    enum Estimate {
        /// The central difference, and how much rounding in f alone can move it.
        case slope(Double, noise: Double)
        case kink(left: Double, right: Double)
    }

    static func step(at x: Double, _ precision: Precision = .double) -> Double { precision.relativeStep * max(1, abs(x)) }

    /// The slope of `f` at `x`, or `.kink` when the one-sided slopes at 4 steps disagree.
    static func slope(at x: Double, precision: Precision = .double,
                      _ f: (Double) throws(CheckFailure) -> Double) throws(CheckFailure) -> Estimate {
        let h = step(at: x, precision)
        let f0 = try f(x)
        let right = (try f(x + 4 * h) - f0) / (4 * h)
        let left = (f0 - (try f(x - 4 * h))) / (4 * h)
        if abs(right - left) > precision.kinkTolerance * max(1, abs(right), abs(left)) { return .kink(left: left, right: right) }
        let up = try f(x + h), down = try f(x - h)
        let noise = 64 * precision.epsilon * max(abs(up), abs(down), abs(f0)) / h
        return .slope((up - down) / (2 * h), noise: noise)
    }

    /// The second derivative of `f` at `x` by second central differences, or `.kink` when
    /// the second differences one step to either side disagree (a jump in the slope or the
    /// curvature nearby).
    static func curvature(at x: Double, precision: Precision = .double,
                          _ f: (Double) throws(CheckFailure) -> Double) throws(CheckFailure) -> Estimate {
        let h = precision.curvatureStep * max(1, abs(x))
        let f0 = try f(x), up = try f(x + h), down = try f(x - h)
        let up2 = try f(x + 2 * h), down2 = try f(x - 2 * h)
        let largest = [f0, up, down, up2, down2].map(abs).max() ?? 0
        let noise = 64 * precision.epsilon * largest / (h * h)
        let right = (up2 - 2 * up + f0) / (h * h), left = (f0 - 2 * down + down2) / (h * h)
        if abs(right - left) > 10 * precision.kinkTolerance * max(1, abs(right), abs(left)) + 4 * noise {
            return .kink(left: left, right: right)
        }
        return .slope((up - 2 * f0 + down) / (h * h), noise: noise)
    }

    /// True when `got` matches `expected` to `tolerance`, relative to max(1, |expected|, |got|),
    /// plus `noise` (the rounding error of the estimate).
    static func agrees(_ got: Double, _ expected: Double, tolerance: Double, noise: Double = 0) -> Bool {
        abs(got - expected) <= tolerance * max(1, abs(expected), abs(got)) + noise
    }
}
