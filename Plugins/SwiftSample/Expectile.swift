import LossKit

/// Expectile loss, u = target − pred: τ·u² when the model under-predicts (u ≥ 0),
/// (1 − τ)·u² when it over-predicts.
///
/// The squared-error counterpart of the quantile loss: the minimiser is the
/// τ-expectile of the target. τ = 0.5 is half the squared error; τ = 0.9 makes
/// under-prediction cost 9× more, so the model learns an upper envelope.
struct Expectile: ElementwiseLoss {
    static let info = LossInfo(
        id: "expectile",
        summary: "asymmetric squared error |tau - 1(target < pred)| (target - pred)^2: tau > 0.5 punishes under-prediction",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("tau", "expectile level: weight of under-prediction, 1 - tau of over-prediction",
                                   default: 0.5, min: 0, max: 1, minExclusive: true, maxExclusive: true)],
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))

    let tau: Double

    init(_ parameters: ParameterValues) {
        tau = parameters["tau"]
    }

    func value(pred: Double, target: Double) -> Double {
        let u = target - pred
        return (u < 0 ? 1 - tau : tau) * u * u
    }

    func derivatives(pred: Double, target: Double) -> Derivatives {
        let u = target - pred
        let w = u < 0 ? 1 - tau : tau
        return Derivatives(value: w * u * u, gradient: -2 * w * u, hessian: 2 * w)
    }
}
