import LossKit

/// PyTorch's multi-label soft margin loss: the mean over the C labels of a row of
/// w_c·(−t_c log σ(x_c) − (1 − t_c) log σ(−x_c)), stable for any logit.
public struct MultilabelSoftMargin: RowLoss {
    public static let info = LossInfo(
        id: "multilabel_soft_margin", summary: "mean over the labels of a row of the logistic loss of each label's logit (PyTorch MultiLabelSoftMarginLoss); punishes confident wrong labels",
        kind: .multiclass, reduce: .rowwise, predDoc: "one logit per label, N x C",
        targetDoc: "labels 0 or 1 (or soft targets in [0, 1]), N x C",
        parameters: [ParameterInfo("weight", "label weights, one per label (C values)", type: .list, min: 0, max: 1e6)],
        predDomain: .logit, targetDomain: .label01, link: .sigmoid, curvature: Curvature(convex: true))

    /// The label weights; empty when not given (every weight 1).
    @usableFromInline let labelWeights: [Double]
    public init(_ parameters: ParameterValues) { labelWeights = parameters.list("weight") }

    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        guard targetColumns == predColumns else {
            throw LossFailure(.shape, "multilabel_soft_margin needs target N x \(predColumns) (same shape as pred), got \(targetColumns) columns")
        }
        guard labelWeights.isEmpty || labelWeights.count == predColumns else {
            throw LossFailure(.shape, "multilabel_soft_margin: the weight list has \(labelWeights.count) label weights for \(predColumns) labels",
                              input: .parameter, column: 0)
        }
    }

    @inlinable
    public func evaluate(pred x: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        let invC = 1 / Double(x.count)
        var loss = 0.0
        for c in 0..<x.count {
            let t = target[c]
            if !(t >= 0 && t <= 1) { throw probabilityFailure(column: c, value: t) }
            let w = (labelWeights.isEmpty ? 1 : labelWeights[c]) * invC
            let l = Logistic(x[c])
            loss += w * (t * l.softplusNeg + (1 - t) * l.softplus)
            gradient?[c] = w * ((1 - t) * l.sigmoid - t * l.sigmoidNeg)
            hessian?[c] = w * l.curvature
        }
        return loss
    }
}
