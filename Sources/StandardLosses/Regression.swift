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

    @inlinable public static var evaluatesBlocks: Bool { true }

    /// The same formulas on lanes: −2a, m = expm1(−2a), u = e^{−2a}, and one log1p
    /// of −tanh² a or m/2 (the branch of `logCosh`) per element.
    @inlinable public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        let m = b.temporary(0), u = b.temporary(1), arg = b.temporary(2)
        for i in b.indices { arg[i] = -2 * abs(b.pred[i] - b.target[i]) }
        b.apply(.expm1, arg, into: m)
        if b.wantsDerivatives { b.apply(.exp, arg, into: u) }
        if b.wantsValue {
            for i in b.indices {
                let a = abs(b.pred[i] - b.target[i]), mi = m[i]
                let t = -mi / (2 + mi)
                arg[i] = a < 0.5 ? -t * t : 0.5 * mi
            }
            b.apply(.log1p, arg, into: arg)
            for i in b.indices {
                let r = b.pred[i] - b.target[i], a = abs(r)
                b.value[i] = a < 0.5 ? -0.5 * arg[i] : a + arg[i]
            }
        }
        guard b.wantsDerivatives else { return }
        for i in b.indices {
            let r = b.pred[i] - b.target[i], mi = m[i], ui = u[i]
            let t = -mi / (2 + mi)
            let d = 1 + ui
            b.gradient[i] = r < 0 ? -t : t
            b.hessian[i] = 4 * ui / (d * d)
        }
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

    /// The Stirling term from t and lt = log t (used for t > 1 only).
    @inlinable @inline(__always)
    func stirling<S: KernelScalar>(_ t: S, log lt: S) -> S {
        guard full, t > 1 else { return 0 }
        return t * lt - t + 0.5 * lt + S(fromDouble: halfLogTwoPi)
    }

    /// ℓ, ℓ′, ℓ″ from p, t, the Stirling term st and, by the link: e = e^p
    /// (log_input) or lq = log(p + eps).
    @inlinable @inline(__always)
    func terms<S: KernelScalar>(_ p: S, _ t: S, st: S, exp e: S, logRate lq: S) -> (value: S, gradient: S, hessian: S) {
        if logInput { return (e - t * p + st, e - t, e) }
        let q = p + S(fromDouble: eps)
        let tq = t / q
        // t = 0 contributes nothing, even at q = 0 (0·log 0 := 0).
        return (p - (t > 0 ? t * lq : 0) + st, 1 - (t > 0 ? tq : 0), t > 0 ? tq / q : 0)
    }

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        let e = logInput ? exp(p) : 0
        let lq = logInput || !(t > 0) ? 0 : log(p + eps)
        let d = terms(p, t, st: stirling(t), exp: e, logRate: lq)
        return Derivatives(value: d.value, gradient: d.gradient, hessian: d.hessian)
    }

    @inlinable public static var evaluatesBlocks: Bool { true }

    @inlinable public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        let link = b.temporary(0), st = b.temporary(1)
        if logInput {
            b.apply(.exp, b.pred, into: link)
        } else if b.wantsValue {
            let eps = S(fromDouble: self.eps)
            for i in b.indices { link[i] = b.target[i] > 0 ? b.pred[i] + eps : 1 }
            b.apply(.log, link, into: link)
        } else {
            for i in b.indices { link[i] = 0 }  // log(p + eps) is in the value only
        }
        if full && b.wantsValue {  // the Stirling term is in the value only
            for i in b.indices { st[i] = b.target[i] > 1 ? b.target[i] : 1 }
            b.apply(.log, st, into: st)
            for i in b.indices { st[i] = stirling(b.target[i], log: st[i]) }
        } else {
            for i in b.indices { st[i] = 0 }
        }
        for i in b.indices {
            let d = terms(b.pred[i], b.target[i], st: st[i], exp: link[i], logRate: link[i])
            if b.wantsValue { b.value[i] = d.value }
            b.gradient[i] = d.gradient
            b.hessian[i] = d.hessian
        }
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

    /// ℓ, ℓ′, ℓ″ from p, t, ea = e^{(1−ρ)p} and eb = e^{(2−ρ)p} (for ρ = 1, eb = e^p).
    @inlinable @inline(__always)
    func terms<S: KernelScalar>(_ p: S, _ t: S, ea: S, eb: S) -> (value: S, gradient: S, hessian: S) {
        if poisson { return (eb - t * p, eb - t, eb) }
        let a = S(fromDouble: self.a), b = S(fromDouble: self.b)
        let ta = t > 0 ? t * ea : 0  // t = 0 contributes nothing, even when e^{(1−ρ)p} overflows
        return (-ta / a + eb / b, -ta + eb, -a * ta + b * eb)
    }

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        let d = poisson ? terms(p, t, ea: 0, eb: exp(p)) : terms(p, t, ea: exp(a * p), eb: exp(b * p))
        return Derivatives(value: d.value, gradient: d.gradient, hessian: d.hessian)
    }

    @inlinable public static var evaluatesBlocks: Bool { true }

    @inlinable public func evaluate<S: KernelScalar>(block blk: ElementBlock<S>) {
        let ea = blk.temporary(0), eb = blk.temporary(1)
        if poisson {
            blk.apply(.exp, blk.pred, into: eb)
            for i in blk.indices { ea[i] = 0 }
        } else {
            let a = S(fromDouble: self.a), b = S(fromDouble: self.b)
            for i in blk.indices {
                ea[i] = a * blk.pred[i]
                eb[i] = b * blk.pred[i]
            }
            blk.apply(.exp, ea, into: ea)
            blk.apply(.exp, eb, into: eb)
        }
        for i in blk.indices {
            let d = terms(blk.pred[i], blk.target[i], ea: ea[i], eb: eb[i])
            blk.value[i] = d.value
            blk.gradient[i] = d.gradient
            blk.hessian[i] = d.hessian
        }
    }
}
