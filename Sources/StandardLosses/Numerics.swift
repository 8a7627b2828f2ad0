#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

// Shared, numerically stable building blocks of the standard losses. Each one is
// finite for every finite input (no overflow in exp, no cancellation to 0 where
// the exact result is tiny but non-zero).

/// Everything the logistic losses need at one logit x, from one exp and one log1p:
/// softplus(±x) = log(1 + e^{±x}) = −log σ(∓x) and σ(±x), each accurate for any
/// finite x (σ(−x) is never computed as 1 − σ(x), so it does not cancel to 0).
@usableFromInline
struct Logistic {
    /// log(1 + e^x) and log(1 + e^−x).
    @usableFromInline var softplus: Double, softplusNeg: Double
    /// σ(x) and σ(−x).
    @usableFromInline var sigmoid: Double, sigmoidNeg: Double

    @inlinable @inline(__always)
    init(_ x: Double) {
        let e = expNonPositive(-abs(x))
        let l = log1pUnit(e)
        let big = 1 / (1 + e), small = e * big
        softplus = max(x, 0) + l
        softplusNeg = max(-x, 0) + l
        sigmoid = x >= 0 ? big : small
        sigmoidNeg = x >= 0 ? small : big
    }

    /// σ(x)·σ(−x) = σ'(x), the second derivative of softplus.
    @inlinable var curvature: Double { sigmoid * sigmoidNeg }
}

/// log(1 + e^x) without overflow for large x or loss of precision for very negative x.
/// (log σ(x) = −softplus(−x).)
@inlinable @inline(__always)
func softplus(_ x: Double) -> Double {
    max(x, 0) + log1pUnit(expNonPositive(-abs(x)))
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
            let e = expNonPositive(x[j] - m)
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
    x >= 0 && x < Double(count) && x.rounded(.towardZero) == x
}

/// The sign of x as −1, 0 or +1 (0 at 0: the subgradient the kinked losses use).
@inlinable @inline(__always)
func signum(_ x: Double) -> Double {
    x > 0 ? 1 : (x < 0 ? -1 : 0)
}

/// ½·log(2π), the constant of the Gaussian and Stirling terms.
@inlinable var halfLogTwoPi: Double { 0.9189385332046727 }

// MARK: - Branch-free exp and log1p for the logistic and softmax losses
//
// glibc's exp and log1p are scalar calls; these are plain arithmetic and
// selects, so the kit's loops can inline them (and LLVM may vectorise them).
// Both are accurate to a few ulp over their whole range (the reference tests
// allow 1e-9 relative), including subnormal results.

/// e^y for y ≤ 0 (NaN gives NaN): Cody–Waite reduction y = k·ln2 + r with
/// |r| ≤ ln2/2, a degree-13 Taylor polynomial (truncation < 1e-17), and 2^k
/// applied in two normal factors so results down to the subnormals round once.
@inlinable @inline(__always)
func expNonPositive(_ y0: Double) -> Double {
    let y = y0 < -1100 ? -1100 : y0                 // below, e^y is 0 anyway
    let shifter = 0x1.8p52
    let t = y * 1.4426950408889634 + shifter       // y·log2(e), rounded to an integer in the low bits
    let kd = t - shifter
    let k = Int64(bitPattern: t.bitPattern &- shifter.bitPattern)
    let r = (y - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10
    var p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    let small = k < -1000
    let k1 = small ? k &+ 600 : k
    let scale = Double(bitPattern: UInt64(bitPattern: (k1 &+ 1023) &<< 52))
    return p * scale * (small ? 0x1p-600 : 1.0)
}

/// log(1 + e) for e in [0, 1] (NaN gives NaN): 2·atanh(s), s = f / (2 + f),
/// with f = e, or for e > √2 − 1, log 2 + log(1 + f) with f = (e − 1) / 2, so
/// |s| ≤ 0.172 and the series to s^19 is exact to double precision.
@inlinable @inline(__always)
func log1pUnit(_ e: Double) -> Double {
    let high = e > 0.41421356237309503
    let f = high ? (e - 1) * 0.5 : e
    let s2 = f / (1 + 0.5 * f)  // 2s, formed directly so the smallest subnormals survive
    let z = 0.25 * (s2 * s2)
    var q = 1.0 / 19
    q = q * z + 1.0 / 17
    q = q * z + 1.0 / 15
    q = q * z + 1.0 / 13
    q = q * z + 1.0 / 11
    q = q * z + 1.0 / 9
    q = q * z + 1.0 / 7
    q = q * z + 1.0 / 5
    q = q * z + 1.0 / 3
    let series = s2 + s2 * (z * q)
    return high ? 0.6931471805599453 + series : series
}
