import Foundation
import LossHostEngine
import LossHostIO
import LossModel

/// The training objective of a linear model: the loss (through the Evaluator,
/// so any plugin loss works) of the scores Zθ, plus an optional L2 penalty.
///
/// Z is the standardized design matrix with a final column of ones; θ is
/// (features + 1) × outputs, row-major. The chain rule gives ∇θ = Zᵀ G, with G the
/// loss's gradient with respect to its pred (already divided by the mean's
/// normalizer), and for one output the Newton matrix Zᵀ diag(h) Z with h the
/// per-sample Hessian diagonal.
public final class Objective {
    public let instance: LossInstance
    public let link: Link
    let design: [Double]
    public let rows: Int
    /// Columns of Z: features + 1.
    public let width: Int
    public let outputs: Int
    let target: Matrix
    let weight: [Double]?
    let l2: Double
    public private(set) var evaluations = 0

    init(instance: LossInstance, link: Link, design: [Double], rows: Int, width: Int, outputs: Int,
         target: Matrix, weight: [Double]?, l2: Double) {
        self.instance = instance
        self.link = link
        self.design = design
        self.rows = rows
        self.width = width
        self.outputs = outputs
        self.target = target
        self.weight = weight
        self.l2 = l2
    }

    public var parameterCount: Int { width * outputs }

    func scores(_ theta: [Double]) -> [Double] {
        var s = [Double](repeating: 0, count: rows * outputs)
        design.withUnsafeBufferPointer { z in
            theta.withUnsafeBufferPointer { t in
                s.withUnsafeMutableBufferPointer { out in
                    for i in 0..<rows {
                        let zi = i * width
                        for c in 0..<outputs {
                            var acc = 0.0
                            for j in 0..<width { acc += z[zi + j] * t[j * outputs + c] }
                            out[i * outputs + c] = acc
                        }
                    }
                }
            }
        }
        return s
    }

    public struct Point {
        public var value: Double
        public var gradient: [Double]
        /// width × width, for one output; nil unless asked.
        public var hessian: [Double]?
    }

    /// The objective at θ, with its gradient, and the Newton matrix when `hessian`.
    public func evaluate(_ theta: [Double], gradient wantGradient: Bool = true, hessian wantHessian: Bool = false) throws(EvaluationError) -> Point {
        evaluations += 1
        let s = scores(theta)
        let pred = link == .sigmoid ? s.map(sigmoid) : s
        let options = EvaluationOptions(reduction: .mean, gradient: wantGradient || wantHessian, hessian: wantHessian, threads: 1)
        let e = try Evaluator.evaluate(instance, pred: Matrix(rows: rows, columns: outputs, values: pred),
                                       target: target, weight: weight, options: options)
        var value = e.value
        // Penalty on the weights, never on the intercepts (the last row of θ).
        if l2 > 0 {
            for j in 0..<(width - 1) { for c in 0..<outputs { value += 0.5 * l2 * theta[j * outputs + c] * theta[j * outputs + c] } }
        }
        guard wantGradient || wantHessian, var g = e.gradient else {
            return Point(value: value, gradient: [], hessian: nil)
        }
        var h = e.hessian
        if link == .sigmoid {
            // d/ds L(σ(s)) = L'σ', d²/ds² = L''σ'² + L'σ'' with σ'' = σ'(1 − 2σ).
            for i in 0..<g.count {
                let p = pred[i], dp = p * (1 - p)
                if h != nil { h![i] = h![i] * dp * dp + g[i] * dp * (1 - 2 * p) }
                g[i] *= dp
            }
        }
        var grad = [Double](repeating: 0, count: parameterCount)
        design.withUnsafeBufferPointer { z in
            for i in 0..<rows {
                for c in 0..<outputs {
                    let gi = g[i * outputs + c]
                    if gi == 0 { continue }
                    for j in 0..<width { grad[j * outputs + c] += z[i * width + j] * gi }
                }
            }
        }
        if l2 > 0 {
            for j in 0..<(width - 1) { for c in 0..<outputs { grad[j * outputs + c] += l2 * theta[j * outputs + c] } }
        }
        var newton: [Double]? = nil
        if wantHessian, let h {
            precondition(outputs == 1, "the Newton matrix is built for one output")
            var H = [Double](repeating: 0, count: width * width)
            design.withUnsafeBufferPointer { z in
                for i in 0..<rows where h[i] != 0 {
                    let hi = h[i], zi = i * width
                    for a in 0..<width {
                        let za = z[zi + a] * hi
                        for b in a..<width { H[a * width + b] += za * z[zi + b] }
                    }
                }
            }
            for a in 0..<width { for b in 0..<a { H[a * width + b] = H[b * width + a] } }
            if l2 > 0 { for j in 0..<(width - 1) { H[j * width + j] += l2 } }
            newton = H
        }
        return Point(value: value, gradient: grad, hessian: newton)
    }
}
