/// Central and one-sided differences of a function of one pred element, in
/// float64, with a step scaled to |x|. Points within a few steps of a kink
/// (where the one-sided slopes disagree) are reported as kinks and skipped.
/// Where the function is noisier than rounding (a formula that cancels), the
/// step is chosen from its measured noise (`ComputationalNoise`), and where no
/// step can verify a derivative to the tolerance, the comparison says so.
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
        /// The relative spacing of the stencil that measures noise: small enough that
        /// the smooth part of a loss has left its second differences.
        var noiseStep: Double
        /// The widest relative step a noisy function is differenced with; a wider one
        /// would measure the function's bends, not its slope.
        var widestStep: Double

        static let double = Precision(relativeStep: 6e-6, kinkTolerance: 1e-3, epsilon: Double.ulpOfOne, curvatureStep: 1e-4,
                                      noiseStep: 1e-8, widestStep: 1e-3)
        /// For scalar losses computed in float32 (a float pred or return type).
        static let single = Precision(relativeStep: 4e-3, kinkTolerance: 5e-2, epsilon: Double(Float.ulpOfOne), curvatureStep: 3e-2,
                                      noiseStep: 1e-4, widestStep: 3e-2)
    }

    /// The relative step in float64: about the cube root of machine epsilon.
    static let relativeStep = Precision.double.relativeStep

    enum Estimate {
        /// The central difference, and how much rounding in f alone can move it.
        case slope(Double, noise: Double)
        case kink(left: Double, right: Double)
    }

    /// What comparing a derivative with differences of its function found.
    enum Comparison {
        case agrees
        case disagrees(expected: Double)
        case kink
        /// The function is too noisy here for any usable step to verify the derivative to the tolerance.
        case noisy(ComputationalNoise)
    }

    static func step(at x: Double, _ precision: Precision = .double) -> Double { precision.relativeStep * max(1, abs(x)) }

    /// Compares `got` with the slope of `f` at `x`, to `tolerance`. Where the estimate at the
    /// usual step (which assumes f rounds to a few ulp) disagrees or sees a kink, the noise of f
    /// is measured; when it is above rounding, the comparison is repeated at the step that noise
    /// calls for (its error a quarter of the tolerance), or ends `.noisy` when that step would be
    /// wider than `widestStep`, or wide enough that the slope changes within it.
    static func compareSlope(_ got: Double, at x: Double, tolerance: Double, precision: Precision = .double,
                             _ f: (Double) throws(CheckFailure) -> Double) throws(CheckFailure) -> Comparison {
        let quick = try slope(at: x, precision: precision, f)
        let verdict: Comparison
        switch quick {
        case .slope(let expected, let noise):
            if agrees(got, expected, tolerance: tolerance, noise: noise) { return .agrees }
            verdict = .disagrees(expected: expected)
        case .kink: verdict = .kink
        }
        guard let noise = try ComputationalNoise.estimate(at: x, precision: precision, f),
              noise.relative > 16 * precision.epsilon else { return verdict }
        let scale = tolerance * max(1, abs(got))
        let h = 12 * noise.level / scale
        guard h <= precision.widestStep * max(1, abs(x)) else { return .noisy(noise) }
        let near = (try f(x + h) - f(x - h)) / (2 * h), far = (try f(x + 2 * h) - f(x - 2 * h)) / (4 * h)
        let allowance = 3 * noise.level / h
        // Central differences at h and 2h that disagree: the slope changes within the step.
        guard abs(far - near) <= scale + allowance else { return .noisy(noise) }
        return agrees(got, near, tolerance: tolerance, noise: allowance + abs(far - near)) ? .agrees : .disagrees(expected: near)
    }

    /// The slope of `f` at `x`, or `.kink` when the one-sided slopes at 4 steps disagree, and
    /// still disagree at 2 steps. A smooth bend (a steep exponential) halves their difference
    /// with the step; a kink does not: past a smooth bend, or a kink more than a step away, the
    /// central difference takes a quarter step.
    static func slope(at x: Double, precision: Precision = .double,
                      _ f: (Double) throws(CheckFailure) -> Double) throws(CheckFailure) -> Estimate {
        var h = step(at: x, precision)
        let f0 = try f(x)
        let right = (try f(x + 4 * h) - f0) / (4 * h)
        let left = (f0 - (try f(x - 4 * h))) / (4 * h)
        if abs(right - left) > precision.kinkTolerance * max(1, abs(right), abs(left)) {
            let nearRight = (try f(x + 2 * h) - f0) / (2 * h), nearLeft = (f0 - (try f(x - 2 * h))) / (2 * h)
            if !(abs(nearRight - nearLeft) <= 0.6 * abs(right - left)) { return .kink(left: left, right: right) }
            h /= 4
        }
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
