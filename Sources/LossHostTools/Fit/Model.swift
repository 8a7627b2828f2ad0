import Foundation
import LossHostIO
import LossModel

/// The model families `fit` trains: all linear in the features.
public enum ModelKind: String, Sendable, CaseIterable {
    /// One output, the prediction itself.
    case linear
    /// One output, a logit (or a probability for losses that take one).
    case logistic
    /// One output per class, logits.
    case softmax

    /// The family a loss of this kind is usually fit with; nil when there is none.
    public static func `default`(for kind: LossKind) -> ModelKind? {
        switch kind {
        case .regression, .other: .linear
        case .binary: .logistic
        case .multiclass: .softmax
        case .probabilistic: nil
        }
    }
}

/// What is applied to the linear score before the loss sees it.
public enum Link: String, Sendable {
    /// The loss sees the score (a value, a logit, a margin).
    case identity
    /// The loss sees σ(score): for losses such as `bce` that take a probability.
    case sigmoid

    /// `sigmoid` for a logistic model and a loss whose declared pred is a probability, else `identity`.
    public static func `for`(_ info: LossInfo, model: ModelKind) -> Link {
        model == .logistic && info.predDomain == .probability ? .sigmoid : .identity
    }
}

/// A trained linear model on the original feature scale: score_c = Σ_j x_j w[j][c] + b[c].
public struct LinearModel: Sendable {
    public var kind: ModelKind
    public var link: Link
    /// Features × outputs, row-major: weights[j * outputs + c].
    public var weights: [Double]
    /// One intercept per output.
    public var intercepts: [Double]
    public var features: Int
    public var outputs: Int

    /// The scores (before the link), rows × outputs.
    public func scores(_ x: Matrix) -> [Double] {
        precondition(x.columns == features, "model has \(features) features, data \(x.columns)")
        var out = [Double](repeating: 0, count: x.rows * outputs)
        for i in 0..<x.rows {
            for c in 0..<outputs {
                var s = intercepts[c]
                for j in 0..<features { s += x.values[i * features + j] * weights[j * outputs + c] }
                out[i * outputs + c] = s
            }
        }
        return out
    }

    /// What the loss sees: the scores through the link.
    public func predictions(_ x: Matrix) -> [Double] {
        let s = scores(x)
        return link == .sigmoid ? s.map(sigmoid) : s
    }

    /// Probabilities for classification: σ(score) for logistic, softmax for softmax.
    public func probabilities(_ x: Matrix) -> [Double] {
        let s = scores(x)
        switch kind {
        case .linear: return s
        case .logistic: return s.map(sigmoid)
        case .softmax:
            var p = s
            for i in 0..<x.rows {
                let row = i * outputs..<(i + 1) * outputs
                let top = s[row].max()!
                var z = 0.0
                for c in row { p[c] = exp(s[c] - top); z += p[c] }
                for c in row { p[c] /= z }
            }
            return p
        }
    }
}

@inline(__always)
func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}


