import LossKit

/// Squared error r², r = pred − target.
public struct MSE: ElementwiseLoss {
    public static let info = LossInfo(
        id: "mse", summary: "squared error (pred - target)^2; punishes large errors quadratically",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D")
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
