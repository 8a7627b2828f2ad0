#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Pseudo-Huber loss δ²(√(1 + (r/δ)²) − 1), r = pred − target: XGBoost's `reg:pseudohubererror`.
public struct PseudoHuber: ElementwiseLoss {
    public static let info = LossInfo(
        id: "pseudo_huber", summary: "delta^2 (sqrt(1 + (error/delta)^2) - 1); punishes small errors quadratically, outliers linearly, smooth everywhere (XGBoost reg:pseudohubererror)",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("delta", "scale where the loss turns from quadratic to linear, > 0 (XGBoost's huber_slope)",
                                   default: 1, min: 0, max: 1e6, minExclusive: true)],
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))
    @usableFromInline let delta: Double
    public init(_ parameters: ParameterValues) { delta = parameters["delta"] }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target, u = r / delta
        let s = hypot(1, u)  // √(1 + u²) without overflow
        // δ²(s − 1) = δ² u² / (s + 1) without cancellation for small u; u² would overflow past |u| ≈ 1e154.
        let value = abs(u) < 1 ? delta * delta * (u * u) / (s + 1) : delta * delta * (s - 1)
        return Derivatives(value: value, gradient: r / s, hessian: 1 / (s * s * s))
    }
}
