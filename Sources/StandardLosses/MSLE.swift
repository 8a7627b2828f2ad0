#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Squared log error (log(1 + pred) − log(1 + target))²: the value of
/// scikit-learn's `mean_squared_log_error`, twice XGBoost's `reg:squaredlogerror`.
public struct MSLE: ElementwiseLoss {
    public static let info = LossInfo(
        id: "msle", summary: "squared log error (log(1 + pred) - log(1 + target))^2; punishes relative errors, for targets that span orders of magnitude (XGBoost reg:squaredlogerror)",
        kind: .regression, predDoc: "predicted value > -1, N x D", targetDoc: "observed value > -1, N x D",
        // Not convex: the Hessian is negative where log(1 + pred) - log(1 + target) > 1.
        predDomain: .nonNegative, targetDomain: .nonNegative)
    public static var predDomain: Domain { aboveMinusOne }
    public static var targetDomain: Domain { aboveMinusOne }
    @usableFromInline static let aboveMinusOne = Domain(lower: -1, lowerInclusive: false, description: "a number > -1")
    public init(_ parameters: ParameterValues) {}

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        let l = log1p(p) - log1p(t), q = 1 / (1 + p)
        // The exact Hessian, negative where l > 1 (XGBoost clamps its to 1e-6).
        return Derivatives(value: l * l, gradient: 2 * l * q, hessian: 2 * (1 - l) * q * q)
    }
}
