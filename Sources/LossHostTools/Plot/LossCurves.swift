import Foundation
import LossHostEngine
import LossHostIO
import LossModel

/// Samples a loss and its gradient along one axis, through the Evaluator:
/// - regression (and other): over the residual r, with pred = target + r (target 0 by default);
/// - binary: over the logit / score x, target 1 by default (a loss that takes a
///   probability sees σ(x), and its gradient is taken with respect to x);
/// - multiclass: over the true class's logit, the other logits 0 (3 classes, true class = target, default 0);
/// - probabilistic (two pred columns, mean and variance): over the residual of the mean, variance 1.
public enum LossCurves {
    public struct Sample: Sendable {
        public var label: String
        public var axis: Axis
        public var x: [Double]
        public var value: [Double]
        public var gradient: [Double]
        /// Indices i where the value jumps between x[i] and x[i + 1] (no line is drawn there).
        public var valueJumps: [Int] = []
        /// The same for the gradient (e.g. mae's at 0, from -1 to 1).
        public var gradientJumps: [Int] = []
    }

    public enum Axis: String, Sendable {
        case residual = "residual (pred - target)"
        case logit = "logit / score"
        case trueClassLogit = "true-class logit (others 0)"

        public static func `for`(_ kind: LossKind) -> Axis {
            switch kind {
            case .binary: .logit
            case .multiclass: .trueClassLogit
            default: .residual
            }
        }

        public var defaultRange: ClosedRange<Double> { self == .residual ? -3...3 : -5...5 }
    }

    /// Samples `points` points of `range` (the axis's default when nil), and finds
    /// where the value or the gradient jumps between two samples (see `jumps`).
    public static func sample(_ instance: LossInstance, label: String, range: ClosedRange<Double>?, target: Double?,
                              points: Int = 241) throws(EvaluationError) -> Sample {
        let axis = Axis.for(instance.loss.info.kind)
        let r = range ?? axis.defaultRange
        let n = max(points, 2)
        let xs = (0..<n).map { r.lowerBound + (r.upperBound - r.lowerBound) * Double($0) / Double(n - 1) }
        let probe = Probe(instance: instance, axis: axis, target: target)
        let (value, gradient) = try probe.evaluate(xs)
        var sample = Sample(label: label, axis: axis, x: xs, value: value, gradient: gradient)
        sample.valueJumps = jumps(xs, value) { probe.evaluateQuietly($0).value }
        sample.gradientJumps = jumps(xs, gradient) { probe.evaluateQuietly($0).gradient }
        return sample
    }

    /// Intervals [x[i], x[i+1]] across which `y` jumps: a step larger than 5 % of
    /// the curve's range that bisection (`at` evaluates one point) shrinks to an
    /// interval a billionth of the sampled span without the step shrinking too.
    /// A continuous curve's step shrinks with its interval; a jump's does not.
    static func jumps(_ xs: [Double], _ y: [Double], at: (Double) -> Double) -> [Int] {
        let finite = y.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max(), hi > lo, xs.count >= 2 else { return [] }
        let span = xs[xs.count - 1] - xs[0]
        let candidates = (0..<(xs.count - 1)).filter { i in
            y[i].isFinite && y[i + 1].isFinite && abs(y[i + 1] - y[i]) > 0.05 * (hi - lo)
        }
        var found: [Int] = []
        for i in candidates.sorted(by: { abs(y[$0 + 1] - y[$0]) > abs(y[$1 + 1] - y[$1]) }).prefix(32) {
            var (a, b, ya, yb) = (xs[i], xs[i + 1], y[i], y[i + 1])
            let step = abs(yb - ya)
            while b - a > 1e-9 * span {
                let m = (a + b) / 2, ym = at(m)
                guard ym.isFinite else { break }
                if abs(ym - ya) >= abs(yb - ym) { (b, yb) = (m, ym) } else { (a, ya) = (m, ym) }
            }
            if b - a <= 1e-9 * span && abs(yb - ya) > 0.5 * step { found.append(i) }
        }
        return found.sorted()
    }

    /// Evaluates a loss at points of its plot axis.
    struct Probe {
        let instance: LossInstance
        let axis: Axis
        let target: Double?

        /// Values and gradients at `xs` (NaN where a point is outside the loss's
        /// domain); fails only when no point can be evaluated.
        func evaluate(_ xs: [Double]) throws(EvaluationError) -> (value: [Double], gradient: [Double]) {
            let info = instance.loss.info
            let n = xs.count
            let columns: Int
            var pred: [Double], targets: [Double]
            var varied = 0
            var sigmoidLink = false
            switch axis {
            case .residual:
                let t = target ?? 0
                columns = max(info.predColumns, 1)
                pred = []
                for x in xs {
                    pred.append(t + x)
                    if columns > 1 { for _ in 1..<columns { pred.append(1) } }   // e.g. a variance of 1
                }
                targets = [Double](repeating: t, count: n)
            case .logit:
                let t = target ?? 1
                columns = 1
                sigmoidLink = Link.for(info, model: .logistic) == .sigmoid
                pred = sigmoidLink ? xs.map(sigmoid) : xs
                targets = [Double](repeating: t, count: n)
            case .trueClassLogit:
                columns = info.predColumns > 0 ? info.predColumns : 3
                let t = min(max(Int(target ?? 0), 0), columns - 1)
                varied = t
                pred = []
                for x in xs { for c in 0..<columns { pred.append(c == t ? x : 0) } }
                targets = [Double](repeating: Double(t), count: n)
                if info.targetLayout == .sameShape {
                    // A target distribution: all mass on the true class.
                    targets = (0..<n).flatMap { _ in (0..<columns).map { $0 == t ? 1.0 : 0.0 } }
                }
            }
            let targetColumns = targets.count / max(n, 1)
            let targetMatrix = Matrix(rows: n, columns: targetColumns, values: targets)
            let options = EvaluationOptions(reduction: .none, gradient: true, threads: 1)
            var value = [Double](repeating: .nan, count: n), gradient = [Double](repeating: .nan, count: n)
            func take(_ e: Evaluation, row: Int, into i: Int) {
                let v = e.values ?? []
                if info.reduce == .elementwise {
                    value[i] = (0..<columns).reduce(0.0) { $0 + v[row * columns + $1] }
                } else {
                    value[i] = v[row]
                }
                gradient[i] = e.gradient?[row * columns + varied] ?? .nan
            }
            do throws(EvaluationError) {
                let e = try Evaluator.evaluate(instance, pred: Matrix(rows: n, columns: columns, values: pred),
                                               target: targetMatrix, options: options)
                for i in 0..<n { take(e, row: i, into: i) }
            } catch {
                // Some points are outside the loss's domain: evaluate one by one, leaving gaps.
                var any = false
                for i in 0..<n {
                    let row = Array(pred[(i * columns)..<((i + 1) * columns)])
                    if let e = try? Evaluator.evaluate(instance, pred: Matrix(rows: 1, columns: columns, values: row),
                                                       target: Matrix(rows: 1, columns: targetColumns,
                                                                      values: Array(targets[(i * targetColumns)..<((i + 1) * targetColumns)])),
                                                       options: options) {
                        take(e, row: 0, into: i)
                        any = true
                    }
                }
                if !any { throw error }
            }
            if sigmoidLink {
                for i in 0..<n { let p = pred[i]; gradient[i] *= p * (1 - p) }
            }
            return (value, gradient)
        }

        /// One point; NaN when it cannot be evaluated.
        func evaluateQuietly(_ x: Double) -> (value: Double, gradient: Double) {
            guard let (v, g) = try? evaluate([x]) else { return (.nan, .nan) }
            return (v[0], g[0])
        }
    }

    /// The figure of several samples: values above, gradients below, one colour per loss.
    /// `logY`: the loss values on a log scale (the gradients keep a linear one).
    public static func figure(_ samples: [Sample], target: Double?, logY: Bool = false) -> Figure {
        let axes = Set(samples.map(\.axis))
        let xLabel = axes.count == 1 ? samples[0].axis.rawValue
            : axes.contains(.residual) ? "residual / logit" : "logit (multiclass: the true class's, others 0)"
        var notes: [String] = []
        for axis in [Axis.residual, .logit, .trueClassLogit] where axes.contains(axis) {
            switch axis {
            case .residual: notes.append("target \(Figure.label(target ?? 0))")
            case .logit: notes.append("label \(Figure.label(target ?? 1))")
            case .trueClassLogit: notes.append("true class \(Int(target ?? 0)) of 3")
            }
        }
        let targetNote = " (" + notes.joined(separator: "; ") + ")"
        var values: [Figure.Series] = [], gradients: [Figure.Series] = []
        for (i, s) in samples.enumerated() {
            values.append(.init(name: s.label, x: s.x, y: s.value, color: i, breaks: s.valueJumps))
            gradients.append(.init(name: "\(s.label) gradient", x: s.x, y: s.gradient, color: i, dashed: true, breaks: s.gradientJumps))
        }
        return Figure(title: "Loss and gradient" + targetNote, panels: [
            .init(title: logY ? "loss value (log scale)" : "loss value", xLabel: xLabel, yLabel: "loss", series: values, logY: logY),
            .init(title: "gradient (the pull on the prediction)", xLabel: xLabel, yLabel: "d loss / d \(axes.count == 1 && samples[0].axis == .residual ? "pred" : "logit")", series: gradients),
        ])
    }
}
