#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Absolute percentage error |r| / max(|target|, ε), r = pred − target.
public struct MAPE: ElementwiseLoss {
    public static let info = LossInfo(
        id: "mape", summary: "absolute percentage error |pred - target| / max(|target|, eps); punishes each error relative to the size of its target",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("eps", "floor of |target| in the denominator, > 0 (2.2e-16 as scikit-learn; 1 as LightGBM's mape)",
                                   default: Double.ulpOfOne, min: 0, max: 1e6, minExclusive: true)],
        // Surrogate 1, as LightGBM's mape objective.
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true, piecewiseLinear: true, surrogate: 1))
    @usableFromInline let eps: Double
    public init(_ parameters: ParameterValues) { eps = parameters["eps"] }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target, k = 1 / max(abs(target), eps)
        return Derivatives(value: abs(r) * k, gradient: signum(r) * k, hessian: 0)
    }
}
