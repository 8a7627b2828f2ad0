#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Squared error r², r = pred − target.
public struct MSE: ElementwiseLoss {
    public static let info = LossInfo(
        id: "mse", summary: "squared error (pred - target)^2; punishes large errors quadratically",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true, constant: true))
    public init(_ parameters: ParameterValues) {}

    @inlinable public func value(pred: Double, target: Double) -> Double {
        let r = pred - target
        return r * r
    }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target
        return Derivatives(value: r * r, gradient: 2 * r, hessian: 2)
    }
}

/// Absolute error |r|, r = pred − target.
public struct MAE: ElementwiseLoss {
    public static let info = LossInfo(
        id: "mae", summary: "absolute error |pred - target|; punishes every error linearly, robust to outliers",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true, piecewiseLinear: true, surrogate: 1))
    public init(_ parameters: ParameterValues) {}

    @inlinable public func value(pred: Double, target: Double) -> Double {
        abs(pred - target)
    }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target
        return Derivatives(value: abs(r), gradient: signum(r), hessian: 0)
    }
}

/// Huber loss: ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond.
public struct Huber: ElementwiseLoss {
    public static let info = LossInfo(
        id: "huber", summary: "squared error for |error| <= delta, linear beyond; punishes small errors quadratically, outliers linearly",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("delta", "switch point between quadratic and linear, > 0", default: 1,
                                   min: 0, max: 1e6, minExclusive: true)],
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))
    @usableFromInline let delta: Double
    public init(_ parameters: ParameterValues) { delta = parameters["delta"] }

    @inlinable public func value(pred: Double, target: Double) -> Double {
        let r = pred - target, a = abs(r)
        return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
    }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        // Branch-free (min / max instead of a data-dependent branch that random
        // data mispredicts), bitwise equal to the two-branch form: with c = r
        // clamped to [−δ, δ], c·(r − c/2) is ½r² inside (r − r/2 is exact) and
        // δ(|r| − δ/2) outside; the gradient is c (0 for NaN, as signum gives).
        let r = pred - target
        let c = min(max(r, -delta), delta)
        return Derivatives(value: c * (r - 0.5 * c), gradient: r.isNaN ? 0 : c,
                           hessian: abs(r) <= delta ? 1 : 0)
    }
}

/// Smooth L1: ½r²/β for |r| < β, |r| − ½β beyond; β = 0 is the absolute error.
public struct SmoothL1: ElementwiseLoss {
    public static let info = LossInfo(
        id: "smooth_l1", summary: "absolute error with a quadratic zone |error| < beta; punishes outliers linearly (beta = 0 is mae)",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("beta", "width of the quadratic zone, >= 0 (0: absolute error)", default: 1,
                                   min: 0, max: 1e6)],
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))
    @usableFromInline let beta: Double
    @usableFromInline let inverseBeta: Double  // unused when beta = 0: |r| < 0 never holds
    public init(_ parameters: ParameterValues) {
        beta = parameters["beta"]
        inverseBeta = beta > 0 ? 1 / beta : 0
    }

    @inlinable public func value(pred: Double, target: Double) -> Double {
        let r = pred - target, a = abs(r)
        return a < beta ? 0.5 * r * r * inverseBeta : a - 0.5 * beta
    }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target, a = abs(r)
        return a < beta
            ? Derivatives(value: 0.5 * r * r * inverseBeta, gradient: r * inverseBeta, hessian: inverseBeta)
            : Derivatives(value: a - 0.5 * beta, gradient: signum(r), hessian: 0)
    }
}

/// log(cosh(r)), computed without overflow for any r and without cancellation near 0.
public struct LogCosh: ElementwiseLoss {
    public static let info = LossInfo(
        id: "log_cosh", summary: "log(cosh(pred - target)); punishes small errors quadratically, large ones linearly, smooth everywhere",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))
    public init(_ parameters: ParameterValues) {}

    /// log cosh r from a = |r|, m = e^{−2a} − 1 and tanh a: −½·log(1 − tanh² a) near 0
    /// (no cancellation), a + log((1 + e^{−2a}) / 2) = a + log1p(m/2) elsewhere (no overflow).
    @inlinable @inline(__always)
    func logCosh(_ a: Double, m: Double, tanh t: Double) -> Double {
        a < 0.5 ? -0.5 * log1p(-t * t) : a + log1p(0.5 * m)
    }

    @inlinable public func value(pred: Double, target: Double) -> Double {
        let a = abs(pred - target)
        let m = expm1(-2 * a)  // in (−1, 0]
        return logCosh(a, m: m, tanh: -m / (2 + m))
    }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target, a = abs(r)
        let m = expm1(-2 * a), u = exp(-2 * a)
        let t = -m / (2 + m)  // tanh a, accurate for small and large a
        let d = 1 + u
        return Derivatives(value: logCosh(a, m: m, tanh: t), gradient: r < 0 ? -t : t,
                           hessian: 4 * u / (d * d))  // sech² r, no 1 − tanh² cancellation
    }
}

/// Pinball loss max(τu, (τ − 1)u), u = target − pred.
public struct Quantile: ElementwiseLoss {
    public static let info = LossInfo(
        id: "quantile", summary: "pinball loss; punishes under-prediction by tau and over-prediction by 1 - tau (fits the tau-quantile)",
        kind: .regression, predDoc: "predicted quantile, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("tau", "the quantile to fit, in (0, 1)", default: 0.5,
                                   min: 0, max: 1, minExclusive: true, maxExclusive: true)],
        predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true, piecewiseLinear: true, surrogate: 1))
    @usableFromInline let tau: Double
    public init(_ parameters: ParameterValues) { tau = parameters["tau"] }

    @inlinable public func value(pred: Double, target: Double) -> Double {
        let u = target - pred
        return u >= 0 ? tau * u : (tau - 1) * u
    }

    @inlinable public func derivatives(pred: Double, target: Double) -> Derivatives {
        let u = target - pred
        // d/dpred: −τ while pred is below the target, 1 − τ from the target up: at the kink
        // the right derivative, as XGBoost's and LightGBM's quantile objectives.
        let g = u > 0 ? -tau : 1 - tau
        return Derivatives(value: u >= 0 ? tau * u : (tau - 1) * u, gradient: g, hessian: 0)
    }
}

/// Poisson negative log-likelihood, pred a log-rate (log_input) or a rate.
public struct PoissonNLL: ElementwiseLoss {
    public static let info = LossInfo(
        id: "poisson_nll", summary: "Poisson negative log-likelihood; punishes rates that make the observed counts unlikely",
        kind: .regression, predDoc: "log-rate (log_input = 1) or rate >= 0 (log_input = 0), N x D",
        targetDoc: "observed count >= 0, N x D",
        parameters: [
            .flag("log_input", "1: pred is the log of the rate; 0: pred is the rate", default: true),
            .flag("full", "1: add the Stirling term t log t - t + 1/2 log(2 pi t) for t > 1", default: false),
            ParameterInfo("eps", "added to the rate inside the log when log_input = 0", default: 1e-8,
                          min: 1e-12, max: 1),
        ],
        predDomain: .logRate, targetDomain: .nonNegative, link: .exp, curvature: Curvature(convex: true))
    public static var targetDomain: Domain { .nonNegative }
    /// A rate must be >= 0 when pred is not its log.
    public var boundPredDomain: Domain { logInput ? .real : .nonNegative }

    @usableFromInline let logInput: Bool
    @usableFromInline let full: Bool
    @usableFromInline let eps: Double
    public init(_ parameters: ParameterValues) {
        logInput = parameters.flag("log_input")
        full = parameters.flag("full")
        eps = parameters["eps"]
    }

    /// The Stirling approximation of log(t!) for t > 1, 0 otherwise (`full`).
    @inlinable @inline(__always)
    func stirling(_ t: Double) -> Double {
        guard full, t > 1 else { return 0 }
        let lt = log(t)
        return t * lt - t + 0.5 * lt + halfLogTwoPi
    }

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        if logInput {
            let e = exp(p)
            return Derivatives(value: e - t * p + stirling(t), gradient: e - t, hessian: e)
        }
        let q = p + eps
        let tq = t / q
        // t = 0 contributes nothing, even at q = 0 (0·log 0 := 0).
        return Derivatives(value: p - (t > 0 ? t * log(q) : 0) + stirling(t),
                           gradient: 1 - (t > 0 ? tq : 0), hessian: t > 0 ? tq / q : 0)
    }
}

/// Tweedie deviance-style loss on a log-link score (XGBoost `reg:tweedie`).
public struct Tweedie: ElementwiseLoss {
    public static let info = LossInfo(
        id: "tweedie", summary: "Tweedie negative log-likelihood on a log-link score; punishes scores whose mean misfits non-negative targets with many zeros",
        kind: .regression, predDoc: "log-link score (log of the predicted mean), N x D",
        targetDoc: "observed value >= 0, N x D",
        parameters: [ParameterInfo("rho", "variance power, in [1, 2) (1: Poisson)", default: 1.5,
                                   min: 1, max: 2, maxExclusive: true)],
        predDomain: .logRate, targetDomain: .nonNegative, link: .exp)
    public static var targetDomain: Domain { .nonNegative }

    /// 1 − ρ and 2 − ρ.
    @usableFromInline let a: Double, b: Double
    @usableFromInline let poisson: Bool
    public init(_ parameters: ParameterValues) {
        let rho = parameters["rho"]
        a = 1 - rho
        b = 2 - rho
        poisson = rho == 1
    }

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        if poisson {
            let e = exp(p)
            return Derivatives(value: e - t * p, gradient: e - t, hessian: e)
        }
        let ea = exp(a * p), eb = exp(b * p)
        let ta = t > 0 ? t * ea : 0  // t = 0 contributes nothing, even when e^{(1−ρ)p} overflows
        return Derivatives(value: -ta / a + eb / b, gradient: -ta + eb, hessian: -a * ta + b * eb)
    }
}
