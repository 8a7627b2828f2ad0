import LossKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fair loss, r = pred − target, a = |r|/c: c²·(a − log(1 + a)).
///
/// Quadratic near zero, linear for large residuals like `huber`, but smooth
/// everywhere and strictly convex: the Hessian 1/(1 + a)² never reaches zero,
/// so Newton steps stay defined while outliers pull only with force ≤ c.
struct Fair: ElementwiseLoss {
    static let info = LossInfo(
        id: "fair",
        summary: "Fair loss c^2 (|r|/c - log(1 + |r|/c)): smooth, convex, outliers pull with force at most c",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("c", "scale: residuals well beyond c cost linearly, > 0",
                                   default: 1.3998, min: 0, max: 1e6, minExclusive: true)],
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))

    let c: Double

    init(_ parameters: ParameterValues) {
        c = parameters["c"]
    }

    func value(pred: Double, target: Double) -> Double {
        let r = pred - target
        let a = abs(r) / c
        if a < 0.1 {
            // a − log1p(a) = a·y − 2(y³/3 + y⁵/5 + …) with y = a/(2 + a): no cancellation.
            let y = a / (2 + a), y2 = y * y
            let tail = y * y2 * (2.0 / 3 + y2 * (2.0 / 5 + y2 * (2.0 / 7 + y2 * (2.0 / 9 + y2 * (2.0 / 11)))))
            return c * c * (a * y - tail)
        }
        if a.isFinite { return c * c * (a - log1p(a)) }
        // |r|/c overflows: log1p(a) = log a, with r halved in case pred − target overflowed too.
        let half = abs(0.5 * pred - 0.5 * target)
        return c * 2 * half - c * c * (log(half) + log(2.0) - log(c))
    }

    func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target
        let a = abs(r) / c
        let q = 1 + a
        // r/(1 + a) written so that an overflowing a still gives ±c.
        return Derivatives(value: value(pred: pred, target: target),
                           gradient: Double(signOf: r, magnitudeOf: c / (1 + 1 / a)), hessian: 1 / (q * q))
    }
}
