#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

// Shared, numerically stable building blocks of the standard losses. Each one is
// finite for every finite input (no overflow in exp, no cancellation to 0 where
// the exact result is tiny but non-zero).

/// Everything the logistic losses need at one logit x, from e = e^{−|x|} and
/// l = log1p(e): softplus(±x) = log(1 + e^{±x}) = −log σ(∓x) and σ(±x), each
/// accurate for any finite x (σ(−x) is never computed as 1 − σ(x), so it does
/// not cancel to 0). Generic, so float32 blocks compute in float lanes.
@usableFromInline
struct Logistic<S: KernelScalar> {
    /// log(1 + e^x) and log(1 + e^−x).
    @usableFromInline var softplus: S, softplusNeg: S
    /// σ(x) and σ(−x).
    @usableFromInline var sigmoid: S, sigmoidNeg: S

    @inlinable @inline(__always)
    init(_ x: S, expNegAbs e: S, log1pExp l: S) {
        let big = 1 / (1 + e), small = e * big
        softplus = max(x, 0) + l
        softplusNeg = max(-x, 0) + l
        sigmoid = x >= 0 ? big : small
        sigmoidNeg = x >= 0 ? small : big
    }

    /// σ(x)·σ(−x) = σ'(x), the second derivative of softplus.
    @inlinable var curvature: S { sigmoid * sigmoidNeg }
}

extension Logistic where S == Double {
    /// From x alone, with one scalar exp and one log1p.
    @inlinable @inline(__always)
    init(_ x: Double) {
        let e = exp(-abs(x))
        self.init(x, expNegAbs: e, log1pExp: log1p(e))
    }
}

extension Logistic {
    /// Element i of the lanes `ElementBlock.logistic` computed.
    @inlinable @inline(__always)
    init(_ lanes: LogisticLanes<S>, _ i: Int) {
        softplus = lanes.softplus[i]
        softplusNeg = lanes.softplusNeg[i]
        sigmoid = lanes.sigmoid[i]
        sigmoidNeg = lanes.sigmoidNeg[i]
    }
}

/// log(1 + e^x) without overflow for large x or loss of precision for very negative x.
/// (log σ(x) = −softplus(−x).)
@inlinable @inline(__always)
func softplus(_ x: Double) -> Double {
    max(x, 0) + log1p(exp(-abs(x)))
}

/// log Σ_j e^{x_j} of one row, kept in parts so softmax and 1 − softmax are both
/// accurate: Σ_j e^{x_j} = e^max · (1 + rest), where rest sums e^{x_j − max} over
/// every j but `top` (the first maximum).
@usableFromInline
struct LogSumExp {
    @usableFromInline var max: Double
    @usableFromInline var top: Int
    @usableFromInline var rest: Double

    /// Computes the parts; when `exps` is given, also stores e^{x_j − max} there
    /// (for callers that turn them into softmax probabilities without a second exp).
    @inlinable @inline(__always)
    init(_ x: RowValues, storingExpsIn exps: RowOutput? = nil) {
        var top = 0
        var m = x[0]
        for j in 1..<x.count where x[j] > m {
            m = x[j]
            top = j
        }
        var rest = 0.0
        for j in 0..<x.count {
            let e = exp(x[j] - m)
            exps?[j] = e
            rest += j == top ? 0 : e
        }
        self.max = m
        self.top = top
        self.rest = rest
    }

    /// log Σ_j e^{x_j − max} = log(1 + rest); log Σ_j e^{x_j} is max + this.
    @inlinable var logShiftedSum: Double { log1p(rest) }
}

/// Whether `x` is a whole number in 0..<count, i.e. a valid class index.
@inlinable @inline(__always)
func isClassIndex(_ x: Double, count: Int) -> Bool {
    x >= 0 && x < Double(count) && Double(Int(x)) == x  // in range, so Int(x) cannot trap; no libm call
}

/// The sign of x as −1, 0 or +1 (0 at 0: the subgradient the kinked losses use).
@inlinable @inline(__always)
func signum(_ x: Double) -> Double {
    x > 0 ? 1 : (x < 0 ? -1 : 0)
}

/// ½·log(2π), the constant of the Gaussian and Stirling terms.
@inlinable var halfLogTwoPi: Double { 0.9189385332046727 }
