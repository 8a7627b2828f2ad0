#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Targets of the logit losses: hard labels or soft targets.
@usableFromInline let softLabel = Domain(lower: 0, upper: 1, description: "a label or soft target in [0, 1]")

/// The ±1 label of a binary target given as 0/1 or −1/+1.
@inlinable @inline(__always)
func signedLabel<S: KernelScalar>(_ t: S) -> S {
    t == 0 ? -1 : t
}

/// Binary cross entropy of a probability, each log clamped to ≥ −100.
public struct BCE: ElementwiseLoss {
    public static let info = LossInfo(
        id: "bce", summary: "binary cross entropy of a probability; punishes confident wrong probabilities (logs clamped at -100)",
        kind: .binary, predDoc: "predicted probability in [0, 1], N x D",
        targetDoc: "label 0 or 1 (or a soft target in [0, 1]), N x D",
        predDomain: .probability, targetDomain: .probability, curvature: Curvature(convex: true))
    public static var predDomain: Domain { .probability }
    public static var targetDomain: Domain { .probability }
    public init(_ parameters: ParameterValues) {}

    @inlinable public func value(pred p: Double, target t: Double) -> Double {
        -(t * max(log(p), -100) + (1 - t) * max(log1p(-p), -100))
    }

    /// ℓ, ℓ′, ℓ″ from p, t, lp = log p and lq = log(1 − p).
    @inlinable @inline(__always)
    static func terms<S: KernelScalar>(_ p: S, _ t: S, lp: S, lq: S) -> (value: S, gradient: S, hessian: S) {
        // Derivatives of max(log x, −100): 1/x where the log is not clamped, 0 where it is.
        let gp: S = lp >= -100 ? 1 / p : 0
        let gq: S = lq >= -100 ? 1 / (1 - p) : 0
        return (-(t * max(lp, -100) + (1 - t) * max(lq, -100)),
                (1 - t) * gq - t * gp,
                t * gp * gp + (1 - t) * gq * gq)
    }

    @inlinable public func derivatives(pred p: Double, target t: Double) -> Derivatives {
        let d = Self.terms(p, t, lp: log(p), lq: log1p(-p))
        return Derivatives(value: d.value, gradient: d.gradient, hessian: d.hessian)
    }

    @inlinable public static var evaluatesBlocks: Bool { true }

    @inlinable public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        let lp = b.temporary(0), lq = b.temporary(1)
        for i in b.indices { lq[i] = -b.pred[i] }
        b.apply(.log, b.pred, into: lp)
        b.apply(.log1p, lq, into: lq)
        if b.wantsDerivatives {
            for i in b.indices {
                let d = Self.terms(b.pred[i], b.target[i], lp: lp[i], lq: lq[i])
                b.value[i] = d.value
                b.gradient[i] = d.gradient
                b.hessian[i] = d.hessian
            }
        } else {
            for i in b.indices {
                let t = b.target[i]
                b.value[i] = -(t * max(lp[i], -100) + (1 - t) * max(lq[i], -100))
            }
        }
    }
}

/// Binary cross entropy of a logit, with a weight on the positive term.
public struct BCEWithLogits: ElementwiseLoss {
    public static let info = LossInfo(
        id: "bce_with_logits", summary: "binary cross entropy of a logit; punishes confident wrong logits, stable for any logit",
        kind: .binary, predDoc: "logit (log-odds of the positive class), N x D",
        targetDoc: "label 0 or 1, or a soft target in [0, 1], N x D",
        parameters: [ParameterInfo("pos_weight", "weight of the positive term, >= 0", default: 1, min: 0, max: 1e6)],
        predDomain: .logit, targetDomain: .probability, link: .sigmoid, curvature: Curvature(convex: true))
    public static var targetDomain: Domain { softLabel }

    @usableFromInline let posWeight: Double
    public init(_ parameters: ParameterValues) { posWeight = parameters["pos_weight"] }

    @inlinable @inline(__always)
    static func terms<S: KernelScalar>(_ l: Logistic<S>, _ t: S, posWeight: S) -> (value: S, gradient: S, hessian: S) {
        let pt = posWeight * t, nt = 1 - t
        return (pt * l.softplusNeg + nt * l.softplus, nt * l.sigmoid - pt * l.sigmoidNeg, (pt + nt) * l.curvature)
    }

    @inlinable public func derivatives(pred x: Double, target t: Double) -> Derivatives {
        let d = Self.terms(Logistic(x), t, posWeight: posWeight)
        return Derivatives(value: d.value, gradient: d.gradient, hessian: d.hessian)
    }

    @inlinable public static var evaluatesBlocks: Bool { true }

    @inlinable public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        let pw = S(fromDouble: posWeight)
        if !b.wantsValue {
            // ℓ′ and ℓ″ need σ(±x) alone: one exp, no log1p.
            let lanes = b.sigmoid(b.pred)
            for i in b.indices {
                let t = b.target[i], pt = pw * t, nt = 1 - t
                let sg = lanes.sigmoid[i], sgn = lanes.sigmoidNeg[i]
                b.gradient[i] = nt * sg - pt * sgn
                b.hessian[i] = (pt + nt) * (sg * sgn)
            }
            return
        }
        let lanes = b.logistic(b.pred)
        if b.wantsDerivatives {
            for i in b.indices {
                let d = Self.terms(Logistic(lanes, i), b.target[i], posWeight: pw)
                b.value[i] = d.value
                b.gradient[i] = d.gradient
                b.hessian[i] = d.hessian
            }
        } else {
            for i in b.indices {
                let t = b.target[i]
                b.value[i] = pw * t * lanes.softplusNeg[i] + (1 - t) * lanes.softplus[i]
            }
        }
    }
}

/// Sigmoid focal loss: the logit cross entropy scaled by (1 − p_t)^γ and α_t.
public struct Focal: ElementwiseLoss {
    public static let info = LossInfo(
        id: "focal", summary: "sigmoid focal loss; punishes wrong logits like bce_with_logits but down-weights examples already classified well",
        kind: .binary, predDoc: "logit (log-odds of the positive class), N x D",
        targetDoc: "label 0 or 1, or a soft target in [0, 1], N x D",
        parameters: [
            ParameterInfo("alpha", "weight of the positive class in [0, 1]; < 0 disables the weighting",
                          default: 0.25, min: -1, max: 1),
            ParameterInfo("gamma", "focusing power on (1 - p_t), >= 0 (0: weighted cross entropy)",
                          default: 2, min: 0, max: 100),
        ],
        predDomain: .logit, targetDomain: .probability, link: .sigmoid)
    public static var targetDomain: Domain { softLabel }

    @usableFromInline let alpha: Double
    @usableFromInline let weighted: Bool
    @usableFromInline let gamma: Double
    @usableFromInline let gammaIsTwo: Bool
    public init(_ parameters: ParameterValues) {
        alpha = parameters["alpha"]
        weighted = alpha >= 0
        gamma = parameters["gamma"]
        gammaIsTwo = gamma == 2
    }

    /// 1 − p_t, never cancelled.
    @inlinable @inline(__always)
    static func oneMinusPt<S: KernelScalar>(_ l: Logistic<S>, _ t: S) -> S {
        t * l.sigmoidNeg + (1 - t) * l.sigmoid
    }

    /// ℓ, ℓ′, ℓ″ from the logistic parts, t, q = 1 − p_t and qg = q^γ.
    @inlinable @inline(__always)
    func terms<S: KernelScalar>(_ l: Logistic<S>, _ t: S, q: S, qg: S) -> (value: S, gradient: S, hessian: S) {
        let gamma = S(fromDouble: self.gamma)
        let s = l.curvature                                    // σ(x)σ(−x)
        let ce = t * l.softplusNeg + (1 - t) * l.softplus      // cross entropy
        let dce = (1 - t) * l.sigmoid - t * l.sigmoidNeg       // its derivative σ(x) − t, not cancelled
        // r = q′/q with q′ = (1 − 2t)σ(x)σ(−x); |r| ≤ 1. Where q underflows to 0
        // (hard label, |x| > 745) its limit is 1 − 2t.
        let r = (1 - 2 * t) * (q > 0 ? s / q : 1)
        let alpha = S(fromDouble: self.alpha)
        let at: S = weighted ? alpha * t + (1 - alpha) * (1 - t) : 1
        let k = at * qg
        let hessian = s + 2 * gamma * dce * r + gamma * ce * r * ((gamma - 1) * r + l.sigmoidNeg - l.sigmoid)
        return (k * ce, k * (dce + gamma * ce * r), k * hessian)
    }

    @inlinable public func derivatives(pred x: Double, target t: Double) -> Derivatives {
        let l = Logistic(x)
        let q = Self.oneMinusPt(l, t)
        let d = terms(l, t, q: q, qg: gammaIsTwo ? q * q : pow(q, gamma))  // (1 − p_t)^γ
        return Derivatives(value: d.value, gradient: d.gradient, hessian: d.hessian)
    }

    @inlinable public static var evaluatesBlocks: Bool { true }

    @inlinable public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        if S.self == Float.self && !gammaIsTwo {
            // (1 − p_t)^γ multiplies float's rounding of 1 − p_t by γ (100 at the top of its range):
            // in float32 only γ = 2 runs in float lanes, any other γ in double per element.
            for i in b.indices {
                let d = derivatives(pred: b.pred[i].asDouble, target: b.target[i].asDouble)
                b.value[i] = S(fromDouble: d.value)
                b.gradient[i] = S(fromDouble: d.gradient)
                b.hessian[i] = S(fromDouble: d.hessian)
            }
            return
        }
        let lanes = b.logistic(b.pred)
        let q = b.temporary(4), qg = b.temporary(5)
        for i in b.indices { q[i] = Self.oneMinusPt(Logistic(lanes, i), b.target[i]) }
        if gammaIsTwo {
            for i in b.indices { qg[i] = q[i] * q[i] }
        } else {
            let gamma = S(fromDouble: self.gamma)
            for i in b.indices { qg[i] = gamma }
            b.pow(q, qg, into: qg)
        }
        for i in b.indices {
            let d = terms(Logistic(lanes, i), b.target[i], q: q[i], qg: qg[i])
            b.value[i] = d.value
            b.gradient[i] = d.gradient
            b.hessian[i] = d.hessian
        }
    }
}

/// Hinge loss max(0, margin − y·x), y = ±1.
public struct Hinge: ElementwiseLoss {
    public static let info = LossInfo(
        id: "hinge", summary: "hinge loss max(0, margin - y*pred); punishes scores on the wrong side of the margin linearly",
        kind: .binary, predDoc: "score (decision value), N x D", targetDoc: "label 0 or 1 (or -1 / +1), N x D",
        parameters: [ParameterInfo("margin", "the score margin to reach, >= 0", default: 1, min: 0, max: 1e6)],
        predDomain: .real, targetDomain: .labelPlusMinus1, curvature: Curvature(convex: true, piecewiseLinear: true, surrogate: 1))
    public static var targetDomain: Domain { .binaryLabel }

    @usableFromInline let margin: Double
    public init(_ parameters: ParameterValues) { margin = parameters["margin"] }

    @inlinable public func value(pred x: Double, target t: Double) -> Double {
        max(0, margin - signedLabel(t) * x)
    }

    @inlinable public func derivatives(pred x: Double, target t: Double) -> Derivatives {
        let y = signedLabel(t)
        let m = margin - y * x
        return m > 0 ? Derivatives(value: m, gradient: -y, hessian: 0) : Derivatives(value: 0, gradient: 0, hessian: 0)
    }
}

/// Squared hinge loss max(0, margin − y·x)², y = ±1.
public struct SquaredHinge: ElementwiseLoss {
    public static let info = LossInfo(
        id: "squared_hinge", summary: "squared hinge loss max(0, margin - y*pred)^2; punishes scores on the wrong side of the margin quadratically",
        kind: .binary, predDoc: "score (decision value), N x D", targetDoc: "label 0 or 1 (or -1 / +1), N x D",
        parameters: [ParameterInfo("margin", "the score margin to reach, >= 0", default: 1, min: 0, max: 1e6)],
        predDomain: .real, targetDomain: .labelPlusMinus1, curvature: Curvature(convex: true))
    public static var targetDomain: Domain { .binaryLabel }

    @usableFromInline let margin: Double
    public init(_ parameters: ParameterValues) { margin = parameters["margin"] }

    @inlinable public func value(pred x: Double, target t: Double) -> Double {
        let m = max(0, margin - signedLabel(t) * x)
        return m * m
    }

    @inlinable public func derivatives(pred x: Double, target t: Double) -> Derivatives {
        let y = signedLabel(t)
        let m = margin - y * x
        return m > 0 ? Derivatives(value: m * m, gradient: -2 * y * m, hessian: 2) : Derivatives(value: 0, gradient: 0, hessian: 0)
    }
}

/// Logistic loss log(1 + e^{−y·x}), y = ±1.
public struct SoftMargin: ElementwiseLoss {
    public static let info = LossInfo(
        id: "soft_margin", summary: "logistic loss log(1 + exp(-y*pred)); punishes scores on the wrong side smoothly, stable for any score",
        kind: .binary, predDoc: "score (logit), N x D", targetDoc: "label 0 or 1 (or -1 / +1), N x D",
        predDomain: .logit, targetDomain: .labelPlusMinus1, link: .sigmoid, curvature: Curvature(convex: true))
    public static var targetDomain: Domain { .binaryLabel }
    public init(_ parameters: ParameterValues) {}

    @inlinable public func value(pred x: Double, target t: Double) -> Double {
        softplus(-signedLabel(t) * x)
    }

    @inlinable public func derivatives(pred x: Double, target t: Double) -> Derivatives {
        let y = signedLabel(t)
        let l = Logistic(y * x)
        return Derivatives(value: l.softplusNeg, gradient: -y * l.sigmoidNeg, hessian: l.curvature)
    }

    @inlinable public static var evaluatesBlocks: Bool { true }

    @inlinable public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        let yx = b.temporary(4)
        for i in b.indices { yx[i] = signedLabel(b.target[i]) * b.pred[i] }
        let lanes = b.logistic(yx)
        for i in b.indices {
            let lg = Logistic(lanes, i)
            b.value[i] = lg.softplusNeg
            b.gradient[i] = -signedLabel(b.target[i]) * lg.sigmoidNeg
            b.hessian[i] = lg.curvature
        }
    }
}
