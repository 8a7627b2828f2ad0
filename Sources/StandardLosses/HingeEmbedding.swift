#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// PyTorch's hinge embedding loss: x where the label is 1, max(0, margin − x) where it is −1.
public struct HingeEmbedding: ElementwiseLoss {
    public static let info = LossInfo(
        id: "hinge_embedding", summary: "x for label 1, max(0, margin - x) for label -1 (PyTorch's HingeEmbeddingLoss); punishes distances of similar pairs linearly and dissimilar pairs closer than the margin",
        kind: .binary, predDoc: "distance or score x, N x D", targetDoc: "label 1 (similar) or -1 (dissimilar), N x D",
        parameters: [ParameterInfo("margin", "the distance dissimilar pairs should exceed, >= 0", default: 1, min: 0, max: 1e6)],
        predDomain: .real, targetDomain: .labelPlusMinus1, curvature: Curvature(convex: true, piecewiseLinear: true, surrogate: 1))
    public static var targetDomain: Domain {
        Domain(lower: -1, upper: 1, members: [1, -1], description: "a label 1 or -1")
    }
    @usableFromInline let margin: Double
    public init(_ parameters: ParameterValues) { margin = parameters["margin"] }

    @inlinable public func derivatives(pred x: Double, target t: Double) -> Derivatives {
        if t == 1 { return Derivatives(value: x, gradient: 1, hessian: 0) }
        let m = margin - x
        return m > 0 ? Derivatives(value: m, gradient: -1, hessian: 0) : Derivatives(value: 0, gradient: 0, hessian: 0)
    }
}
