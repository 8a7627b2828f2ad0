import Foundation
import LossHostEngine
import LossHostIO
import LossModel

/// Trains a linear model with any loss: `fit`'s engine.
public enum Trainer {
    public struct Configuration: Sendable {
        public var model: ModelKind
        public var newton: Bool
        public var settings: Optimizer.Settings
        public var seed: UInt64
        /// L2 penalty λ/2‖w‖² on the standardized weights (not the intercepts).
        public var l2: Double

        public init(model: ModelKind, newton: Bool = false, settings: Optimizer.Settings = .init(), seed: UInt64 = 0, l2: Double = 0) {
            self.model = model
            self.newton = newton
            self.settings = settings
            self.seed = seed
            self.l2 = l2
        }
    }

    public struct Result: Sendable {
        public var model: LinearModel
        public var trace: OptimizationTrace
        /// The training objective at the end.
        public var loss: Double
        public var classes: Int
    }

    /// The number of classes in integer labels 0..C−1 (at least 2).
    public static func classCount(_ labels: [Double]) throws -> Int {
        var top = 1
        for (i, y) in labels.enumerated() {
            guard y >= 0, y == y.rounded(), y < 1e6 else {
                throw EvaluationError("label \(formatNumber(y)) is not a class index 0, 1, 2, ...", row: i)
            }
            top = max(top, Int(y))
        }
        return top + 1
    }

    public static func train(_ instance: LossInstance, data: Dataset, weight: [Double]? = nil,
                             configuration: Configuration, classes: Int? = nil,
                             progress: Optimizer.Progress? = nil) throws -> Result {
        let info = instance.loss.info
        let n = data.rows, p = data.features.columns
        guard n > 0 else { throw EvaluationError("no training rows") }
        let model = configuration.model
        let classCount = model == .softmax ? try (classes ?? classCount(data.target)) : 2
        let outputs = model == .softmax ? classCount : 1
        if info.predColumns != 0 && info.predColumns != outputs {
            throw EvaluationError("loss '\(info.id)' takes \(info.predColumns) pred columns; a \(model.rawValue) model gives \(outputs)")
        }
        // Standardize the features so the optimiser sees a well-conditioned problem.
        var mean = [Double](repeating: 0, count: p), scale = [Double](repeating: 1, count: p)
        for j in 0..<p {
            var s = 0.0
            for i in 0..<n { s += data.features.values[i * p + j] }
            mean[j] = s / Double(n)
            var v = 0.0
            for i in 0..<n { let d = data.features.values[i * p + j] - mean[j]; v += d * d }
            let sd = (v / Double(n)).squareRoot()
            scale[j] = sd > 0 ? sd : 1
        }
        let width = p + 1
        var design = [Double](repeating: 1, count: n * width)
        for i in 0..<n {
            for j in 0..<p { design[i * width + j] = (data.features.values[i * p + j] - mean[j]) / scale[j] }
        }
        let target = Matrix(rows: n, columns: 1, values: data.target)
        let link = Link.for(info, model: model)
        let objective = Objective(instance: instance, link: link, design: design, rows: n, width: width,
                                  outputs: outputs, target: target, weight: weight, l2: configuration.l2)
        var generator = SeededRandom(seed: configuration.seed)
        let start = (0..<objective.parameterCount).map { _ in 0.01 * generator.normal() }

        let (theta, trace): ([Double], OptimizationTrace)
        if configuration.newton {
            guard info.hessian == .exact else {
                throw EvaluationError("--newton needs an exact Hessian; loss '\(info.id)' declares '\(info.hessian)'")
            }
            guard outputs == 1 else {
                throw EvaluationError("--newton needs one output per row; a softmax model's per-row Hessian is a full matrix, of which the loss gives only the diagonal")
            }
            (theta, trace) = try Optimizer.newton(objective, start: start, settings: configuration.settings, progress: progress)
        } else {
            (theta, trace) = try Optimizer.lbfgs(objective, start: start, settings: configuration.settings, progress: progress)
        }
        // Back to the original feature scale.
        var weights = [Double](repeating: 0, count: p * outputs)
        var intercepts = [Double](repeating: 0, count: outputs)
        for c in 0..<outputs {
            var b = theta[p * outputs + c]
            for j in 0..<p {
                let w = theta[j * outputs + c] / scale[j]
                weights[j * outputs + c] = w
                b -= w * mean[j]
            }
            intercepts[c] = b
        }
        let fitted = LinearModel(kind: model, link: link, weights: weights, intercepts: intercepts, features: p, outputs: outputs)
        return Result(model: fitted, trace: trace, loss: trace.values.last ?? .nan, classes: classCount)
    }

    /// The metrics of a fitted model on a dataset.
    public enum Evaluation: Sendable {
        case regression(Metrics.Regression)
        case binary(Metrics.Binary)
        case multiclass(Metrics.Multiclass)
    }

    public static func metrics(_ model: LinearModel, on data: Dataset, classes: Int) -> Evaluation {
        switch model.kind {
        case .linear:
            return .regression(Metrics.regression(pred: model.scores(data.features), target: data.target))
        case .logistic:
            return .binary(Metrics.binary(probability: model.probabilities(data.features), label: data.target))
        case .softmax:
            return .multiclass(Metrics.multiclass(probabilities: model.probabilities(data.features), classes: classes,
                                                  label: data.target))
        }
    }
}
