#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// Gaussian negative log-likelihood of a target under a predicted mean and variance.
public struct GaussianNLL: RowLoss {
    public static let info = LossInfo(
        id: "gaussian_nll", summary: "Gaussian negative log-likelihood; punishes errors large for the predicted variance and needlessly large variances",
        kind: .probabilistic, reduce: .rowwise,
        predDoc: "N x 2: predicted mean, predicted variance (clamped below at eps)",
        targetDoc: "observed value, N x 1", predColumns: 2, targetLayout: .oneColumn,
        parameters: [
            .flag("full", "1: add the constant 1/2 log(2 pi)", default: false),
            ParameterInfo("eps", "lower clamp of the variance, > 0", default: 1e-6, min: 1e-12, max: 1),
        ],
        predDomain: .real, predDomainRest: .positive, targetDomain: .real)

    @usableFromInline let constant: Double
    @usableFromInline let eps: Double
    public init(_ parameters: ParameterValues) {
        constant = parameters.flag("full") ? halfLogTwoPi : 0
        eps = parameters["eps"]
    }

    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        guard predColumns == 2, targetColumns == 1 else {
            throw LossFailure(.shape, "gaussian_nll needs pred N x 2 (mean, variance) and target N x 1, got \(predColumns) and \(targetColumns) columns")
        }
    }

    @inlinable
    public func evaluate(pred: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        let mean = pred[0], variance = pred[1]
        let clamped = variance < eps  // below eps the variance is a constant: derivatives 0
        let v = clamped ? eps : variance
        let inv = 1 / v
        let d = mean - target[0]
        let z = d * d * inv  // (mean − t)² / v
        if let gradient {
            gradient[0] = d * inv
            gradient[1] = clamped ? 0 : 0.5 * inv * (1 - z)
        }
        if let hessian {
            hessian[0] = inv
            hessian[1] = clamped ? 0 : 0.5 * inv * inv * (2 * z - 1)
        }
        return 0.5 * (log(v) + z) + constant
    }

    /// A block: one vector log over the rows' clamped variances; the rest per
    /// row in Double.
    @inlinable
    public func evaluate<S: KernelScalar>(block b: RowBlock<S>) throws(LossFailure) {
        let variances = b.rowTemporary(0), logs = b.rowTemporary(1)
        for r in 0..<b.rows {
            let variance = b.pred[2 &* r &+ 1].asDouble
            variances[r] = variance < eps ? eps : variance
        }
        b.apply(.log, variances, into: logs)
        for r in 0..<b.rows {
            let variance = b.pred[2 &* r &+ 1].asDouble
            let clamped = variance < eps  // below eps the variance is a constant: derivatives 0
            let inv = 1 / variances[r]
            let d = b.pred[2 &* r].asDouble - b.target[r].asDouble
            let z = d * d * inv  // (mean − t)² / v
            if b.wantsGradient {
                b.gradient[2 &* r] = S(fromDouble: d * inv)
                b.gradient[2 &* r &+ 1] = S(fromDouble: clamped ? 0 : 0.5 * inv * (1 - z))
            }
            if b.wantsHessian {
                b.hessian[2 &* r] = S(fromDouble: inv)
                b.hessian[2 &* r &+ 1] = S(fromDouble: clamped ? 0 : 0.5 * inv * inv * (2 * z - 1))
            }
            b.value[r] = 0.5 * (logs[r] + z) + constant
        }
    }
}
