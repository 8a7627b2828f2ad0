#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Gamma negative log-likelihood (unit dispersion) on a log-link score p:
/// t·e^{−p} + p. XGBoost's `reg:gamma` and LightGBM's `gamma` objective.
public struct GammaNLL: ElementwiseLoss {
    public static let info = LossInfo(
        id: "gamma_nll", summary: "Gamma negative log-likelihood on a log-link score, target * exp(-pred) + pred; punishes means that misfit positive targets in proportion to their size (XGBoost reg:gamma, LightGBM gamma)",
        kind: .regression, predDoc: "log-link score (log of the predicted mean), N x D", targetDoc: "observed value > 0, N x D",
        predDomain: .logRate, targetDomain: .positive, link: .exp, curvature: Curvature(convex: true))
    public static var targetDomain: Domain { Domain(lower: 0, lowerInclusive: false, description: "a number > 0") }
    public init(_ parameters: ParameterValues) {}

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        let e = t * exp(-p)  // t / mean
        return Derivatives(value: e + p, gradient: 1 - e, hessian: e)
    }
}
