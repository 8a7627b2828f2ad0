import LossKit

/// Negative log-likelihood of log-probabilities at the class index, −w_y·x_y:
/// PyTorch's `NLLLoss` (the log-softmax is the caller's).
public struct NLL: RowLoss {
    public static let info = LossInfo(
        id: "nll", summary: "negative log-likelihood -x[target] of log-probabilities (PyTorch NLLLoss); punishes a low log-probability of the true class",
        kind: .multiclass, reduce: .rowwise, predDoc: "log-probabilities (e.g. a log-softmax), N x C",
        targetDoc: "class index 0..C-1, N x 1", targetLayout: .classIndex,
        parameters: [ParameterInfo("weight", "class weights, one per class (C values); mean divides by the weights of the targets",
                                   type: .list, min: 0, max: 1e6)],
        predDomain: .logProbability, targetDomain: .classIndex, link: .exp, curvature: Curvature(convex: true, piecewiseLinear: true))

    /// The class weights; empty when not given (every weight 1).
    @usableFromInline let classWeights: [Double]
    public init(_ parameters: ParameterValues) { classWeights = parameters.list("weight") }

    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        guard targetColumns == 1 else {
            throw LossFailure(.shape, "nll needs target N x 1 (class indices), got \(targetColumns) columns")
        }
        guard classWeights.isEmpty || classWeights.count == predColumns else {
            throw LossFailure(.shape, "nll: the weight list has \(classWeights.count) class weights for \(predColumns) classes",
                              input: .parameter, column: 0)
        }
    }

    @inlinable
    public func evaluate(pred x: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        let y = try classIndex(target, classes: x.count)
        let w = classWeights.isEmpty ? 1 : classWeights[y]
        for c in 0..<x.count {
            gradient?[c] = c == y ? -w : 0
            hessian?[c] = 0
        }
        return -w * x[y]
    }

    /// A block: every row's class index checked first, then the rows.
    @inlinable
    public func evaluate<S: KernelScalar>(block b: RowBlock<S>) throws(LossFailure) {
        let indices = b.rowTemporary(0)
        try classIndices(b, into: indices)
        let classes = b.predColumns
        for r in 0..<b.rows {
            let row = r &* classes, y = Int(indices[r])
            let w = classWeights.isEmpty ? 1 : classWeights[y]
            if b.wantsGradient {
                for c in 0..<classes { b.gradient[row &+ c] = 0 }
                b.gradient[row &+ y] = S(fromDouble: -w)
            }
            if b.wantsHessian { for c in 0..<classes { b.hessian[row &+ c] = 0 } }
            b.value[r] = -w * b.pred[row &+ y].asDouble
            if !classWeights.isEmpty { b.normalizer[r] = w }
        }
    }

    /// With class weights, `mean` divides by Σ w_{y_i}, as PyTorch's.
    @inlinable
    public func normalizer(pred: RowValues, target: RowValues) -> Double {
        guard !classWeights.isEmpty, isClassIndex(target[0], count: pred.count) else { return 1 }
        return classWeights[Int(target[0])]
    }
}
