import Foundation
import LossHostIO

/// How much rounding moves a function's value near one point, estimated from the
/// function itself as in Moré and Wild's ECnoise ("Estimating computational noise",
/// SIAM J. Sci. Comput. 33(3), 2011): a few evaluations on a tiny stencil, a table
/// of their differences, and the level at the first order whose differences
/// change sign and agree with the next two orders (there the smooth part has
/// vanished and only noise is left).
struct ComputationalNoise: Sendable, Equatable {
    /// The noise's standard deviation, in the function's units.
    var level: Double
    /// `level` relative to |f(x)|.
    var relative: Double
    /// Decimal digits of the arithmetic the noise costs: log10(relative / epsilon), rounded.
    var digitsLost: Int

    /// Evaluations on the stencil (Moré and Wild's m + 1, with m = 8).
    static let stencilPoints = 9
    /// The widest relative spacing of the stencil. ECnoise's own test (levels that agree
    /// across three orders) rejects a stencil wide enough for the smooth part to show.
    static let widestStep = 1e-2

    /// The noise of `f` at `x`; nil when some value on the stencil is not finite.
    /// Noise below the arithmetic's rounding of f(x) is reported as that rounding.
    static func estimate(at x: Double, precision: FiniteDifference.Precision,
                         _ f: (Double) throws(CheckFailure) -> Double) throws(CheckFailure) -> ComputationalNoise? {
        var h = precision.noiseStep * max(1, abs(x))
        while true {
            var values: [Double] = []
            for i in 0..<stencilPoints { values.append(try f(x + Double(i - stencilPoints / 2) * h)) }
            guard values.allSatisfy(\.isFinite) else { return nil }
            let center = abs(values[stencilPoints / 2])
            // Steps equal to rounding (or equal values) say nothing of the noise: the value
            // moves by whole units of its resolution across the stencil.
            let steps = zip(values.dropFirst(), values).map { $0 - $1 }
            let spread = (steps.max() ?? 0) - (steps.min() ?? 0)
            if spread > 8 * precision.epsilon * (values.map(abs).max() ?? 0), let level = levelOfNoise(values) {
                return ComputationalNoise(level: max(level, precision.epsilon * center), center: center, precision: precision)
            }
            // No order is noise: the noise is coarser than the stencil (a value that keeps
            // only a few digits); widen it, as Moré and Wild advise, up to `widestStep`.
            guard h * 10 < 1.5 * widestStep * max(1, abs(x)) else {
                return ComputationalNoise(level: precision.epsilon * center, center: center, precision: precision)
            }
            h *= 10
        }
    }

    init(level: Double, center: Double, precision: FiniteDifference.Precision) {
        self.level = level
        relative = level / max(center, .leastNormalMagnitude)
        digitsLost = Int(log10(max(relative / precision.epsilon, 1)).rounded())
    }

    /// The noise level of equally spaced values (ECnoise's rule); nil when no order of
    /// differences is dominated by noise (the values are smooth to the last bit, or the
    /// stencil is too wide for them).
    static func levelOfNoise(_ values: [Double]) -> Double? {
        var differences = values
        var gamma = 1.0  // (k!)^2 / (2k)!: makes each level an estimate of the standard deviation
        var levels: [Double] = [], changesSign: [Bool] = []
        for k in 1...(values.count - 2) {
            differences = zip(differences.dropFirst(), differences).map { $0 - $1 }
            gamma *= Double(k) / Double(2 * (2 * k - 1))
            levels.append((gamma * differences.reduce(0) { $0 + $1 * $1 } / Double(differences.count)).squareRoot())
            changesSign.append((differences.min() ?? 0) < 0 && (differences.max() ?? 0) > 0)
        }
        for k in 0..<(levels.count - 2) where changesSign[k] {
            let window = levels[k...(k + 2)]
            if let high = window.max(), let low = window.min(), high <= 4 * low { return levels[k] }
        }
        return nil
    }
}

/// The elements where a function was too noisy to verify its derivative, and the noisiest.
struct NoisyPoints {
    private(set) var count = 0
    private var worst: (noise: ComputationalNoise, place: String)?

    /// Records a noisy element at `place` ("pred [4.3], target [0], column 0 (params delta=1000000)").
    mutating func add(_ noise: ComputationalNoise, at place: String) {
        count += 1
        if worst.map({ noise.relative > $0.noise.relative }) ?? true { worst = (noise, place) }
    }

    /// The warning, e.g. "value: loses 11 digits at pred [4.3], target [0], column 0 (params delta=1000000)
    /// (relative noise 2e-05); the formula cancels; the gradient could not be verified at 14 of 120 elements".
    func warning(function: String, derivative: String, elements: Int) -> String? {
        guard let worst else { return nil }
        let relative = String(format: "%.0e", worst.noise.relative)
        return "\(function): loses \(worst.noise.digitsLost) digits at \(worst.place) (relative noise \(relative)); the formula cancels; "
            + "the \(derivative) could not be verified at \(count) of \(counted(elements, "element"))"
    }
}
