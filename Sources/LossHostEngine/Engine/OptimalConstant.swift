import Foundation
import LossHostIO
import LossModel

/// The optimal constant prediction of a loss for given targets: the c (one
/// value per pred column, in the loss's own pred space, e.g. margins) that
/// minimises the weighted mean loss of predicting c on every row. Found for any
/// loss from the plugin's own value, gradient and (when it has one) Hessian
/// diagonal; closed forms (the mean for mse, the median for mae, ...) are only
/// the tests' oracles.
///
/// - One column, or an element-wise loss (each column on its own): a
///   safeguarded 1-D search on the gradient. From the best of a few starting
///   points (the weighted target mean, 0, 1, ...) it brackets a sign change of
///   the gradient by doubling steps, then narrows the bracket with Newton steps
///   where the Hessian is positive and the step stays inside and shrinks fast
///   enough, and bisection otherwise (mae and quantile, whose Hessian is 0).
///   A point where the loss fails or is not finite (outside its pred domain:
///   a probability outside (0, 1) for bce, pred <= 0 for poisson_nll with
///   log_input=0) bounds the bracket from that side. It stops when the bracket
///   is narrower than `tolerance` relative to the constant (so a median or a
///   quantile is found to that tolerance), a Newton step is smaller still, or
///   the gradient is exactly 0.
/// - A row loss with several pred columns (cross_entropy): Newton on the
///   diagonal of the Hessian (a gradient step where it is not positive), with a
///   backtracking line search on the value, until the largest gradient entry is
///   below `gradientTolerance`. When adding the same number to every column
///   leaves the loss unchanged (softmax losses), the constant is made unique by
///   shifting it so that log Σ exp(c_j) = 0: the c_j are then log
///   probabilities, for cross_entropy the log class priors.
public enum OptimalConstant {
    /// The bracket width, relative to max(1, |c|), at which the 1-D search stops.
    public static let tolerance = 1e-12
    /// The largest gradient entry of the mean loss at which the multi-column search stops.
    public static let gradientTolerance = 1e-12
    static let maxSteps = 2000
    /// The most pred columns a constant may have.
    public static let maxColumns = 100_000

    /// The optimal constant for `rows` targets at `target` (rows x targetColumns,
    /// row-major) and optional weights, for a prediction of `predColumns` columns.
    /// Non-finite targets are refused unless `allowNonFinite` (`NonFiniteInput`).
    public static func find(_ instance: LossInstance, rows: Int, predColumns: Int, targetColumns: Int,
                            target: UnsafePointer<Double>, weight: UnsafePointer<Double>?,
                            threads: Int = 0, allowNonFinite: Bool = true) throws(EvaluationError) -> [Double] {
        let info = instance.loss.info
        try ShapeCheck.check(info, predRows: rows, predColumns: predColumns, targetRows: rows,
                             targetColumns: targetColumns, weightCount: nil)
        if let weight { try Evaluator.checkWeights(weight, rows) }
        if !allowNonFinite { try NonFiniteInput.check(target, rows: rows, columns: targetColumns, threads: threads, .target) }
        guard rows > 0 else { throw EvaluationError("no rows: every constant is equally good") }
        guard predColumns <= maxColumns else {
            throw EvaluationError("a constant of \(predColumns) pred columns is more than this search handles (\(maxColumns))")
        }
        if let weight, !(0..<rows).contains(where: { weight[$0] > 0 }) {
            throw EvaluationError("every weight is 0: every constant is equally good")
        }
        let objective = ConstantObjective(instance, rows: rows, predColumns: predColumns, targetColumns: targetColumns,
                                          target: target, weight: weight, threads: threads)
        var c = try objective.start()
        if info.reduce == .elementwise || predColumns == 1 {
            for j in 0..<predColumns { c[j] = try searchColumn(j, from: c, objective) }
        } else {
            c = try diagonalNewton(from: c, objective)
        }
        guard c.allSatisfy(\.isFinite) else { throw EvaluationError("the optimal constant is not finite") }
        return c
    }

    /// The optimal constant for targets (and weights) read from files.
    public static func find(_ instance: LossInstance, predColumns: Int, target: NumericArray, weight: [Double]?,
                            threads: Int = 0, allowNonFinite: Bool = true) throws(EvaluationError) -> [Double] {
        let values = target.doubles
        if let weight, weight.count != target.rows {
            throw EvaluationError("weight has \(weight.count) values but target has \(target.rows) rows", input: .weight)
        }
        return try values.withUnsafeBufferPointer { (t) throws(EvaluationError) in
            guard let base = t.baseAddress else { throw EvaluationError("no rows: every constant is equally good") }
            guard let weight else {
                return try find(instance, rows: target.rows, predColumns: predColumns, targetColumns: target.columns,
                                target: base, weight: nil, threads: threads, allowNonFinite: allowNonFinite)
            }
            return try weight.withUnsafeBufferPointer { (w) throws(EvaluationError) in
                try find(instance, rows: target.rows, predColumns: predColumns, targetColumns: target.columns,
                         target: base, weight: w.baseAddress, threads: threads, allowNonFinite: allowNonFinite)
            }
        }
    }

    /// The number of pred columns a constant has when none is given: the
    /// loss's declared count; for class-index targets the largest index + 1;
    /// else the target's columns (targets shaped like pred) or 1.
    public static func defaultPredColumns(_ info: LossInfo, target: NumericArray) -> Int {
        if info.predColumns > 0 { return info.predColumns }
        switch info.targetLayout {
        case .sameShape: return target.columns
        case .oneColumn: return 1
        case .classIndex, .indexOrSameShape:
            guard target.columns == 1 else { return target.columns }
            let largest = target.doubles.max() ?? 0
            return largest.isFinite && largest >= 0 && largest < 1e6 ? Int(largest) + 1 : 1
        }
    }

    /// The 1-D search for column `j`, the other columns held at `c`.
    static func searchColumn(_ j: Int, from c: [Double], _ objective: ConstantObjective) throws(EvaluationError) -> Double {
        var point = c
        func probe(_ x: Double) -> ConstantObjective.Probe? {
            guard x.isFinite else { return nil }
            point[j] = x
            return objective.probe(point)
        }
        let x0 = c[j]
        guard let p0 = probe(x0) else { throw EvaluationError("the loss cannot be evaluated at the starting constant \(formatNumber(x0))") }
        if p0.gradient[j] == 0 { return x0 }
        // Bracket: `low` has a negative gradient (the minimum is to its right), `high` a positive one,
        // or is outside the domain. Expand away from the start by doubling steps.
        let rightward = p0.gradient[j] < 0
        var low = x0, high = x0
        var lowFeasible = true, highFeasible = true
        var step = 0.5 * max(1, abs(x0))
        var last = (x: x0, probe: p0)
        var bracketed = false
        for _ in 0..<maxSteps {
            let x = rightward ? low + step : high - step
            guard x.isFinite, abs(x) < 1e300 else { break }
            guard let p = probe(x) else {
                if rightward { high = x; highFeasible = false } else { low = x; lowFeasible = false }
                bracketed = true
                break
            }
            let g = p.gradient[j]
            if g == 0 { return x }
            if rightward {
                if g < 0 { low = x; last = (x, p) } else { high = x; last = (x, p); bracketed = true; break }
            } else {
                if g > 0 { high = x; last = (x, p) } else { low = x; last = (x, p); bracketed = true; break }
            }
            step *= 2
        }
        guard bracketed else {
            throw EvaluationError("no finite optimal constant: the loss keeps decreasing as the constant goes to \(rightward ? "+" : "-")inf")
        }
        // Narrow [low, high]: Newton from the last feasible point when it lands inside and shrinks
        // the step fast enough, else bisection.
        var previousStep = high - low
        for _ in 0..<maxSteps {
            let width = high - low
            if width <= tolerance * max(1, abs(low), abs(high)) { break }
            var x = 0.5 * (low + high)
            var newton = false
            if let h = last.probe.hessian?[j], h > 0, h.isFinite {
                let candidate = last.x - last.probe.gradient[j] / h
                let size = abs(candidate - last.x)
                if candidate > low && candidate < high && size < 0.5 * previousStep {
                    if size <= 0.25 * tolerance * max(1, abs(last.x)) { return candidate }
                    x = candidate
                    newton = true
                }
            }
            previousStep = newton ? abs(x - last.x) : width
            guard let p = probe(x) else {
                // Outside the domain: it bounds the bracket on its infeasible side.
                if !lowFeasible { low = x } else { high = x; highFeasible = false }
                continue
            }
            let g = p.gradient[j]
            if g == 0 { return x }
            if g < 0 { low = x; lowFeasible = true } else { high = x; highFeasible = true }
            last = (x, p)
        }
        if !lowFeasible { return high }
        if !highFeasible { return low }
        return 0.5 * (low + high)
    }

    /// Newton on the Hessian diagonal with a backtracking line search, for row
    /// losses over several columns; then the softmax shift, when it applies.
    static func diagonalNewton(from start: [Double], _ objective: ConstantObjective) throws(EvaluationError) -> [Double] {
        var c = start
        guard var p = objective.probe(c) else {
            throw EvaluationError("the loss cannot be evaluated at the starting constant")
        }
        var converged = false
        // Each column moves at most `radius` per step, so one column whose Newton step is huge
        // (a class of tiny probability) cannot force a tiny step on all the others.
        var radius = max(1, c.map(abs).max() ?? 0)
        for _ in 0..<maxSteps {
            let largest = p.gradient.map(abs).max() ?? 0
            if largest <= gradientTolerance { converged = true; break }
            var clipped = false
            let direction = c.indices.map { j -> Double in
                var step = -p.gradient[j]
                if let h = p.hessian?[j], h > 0, h.isFinite { step /= h }
                if abs(step) > radius { clipped = true; step = step < 0 ? -radius : radius }
                return step
            }
            let slope = zip(direction, p.gradient).reduce(0) { $0 + $1.0 * $1.1 }
            var t = 1.0
            var moved = false
            while t > 1e-20 {
                let candidate = zip(c, direction).map { $0 + t * $1 }
                guard let q = objective.probe(candidate) else {
                    t *= 0.5
                    continue
                }
                // Sufficient decrease; or, where the value is flat to within rounding (near the
                // minimum its changes are far smaller than its last digits), a smaller gradient.
                let flat = abs(q.value - p.value) <= 1e-12 * max(1, abs(p.value))
                if q.value <= p.value + 1e-4 * t * slope || (flat && (q.gradient.map(abs).max() ?? 0) < largest) {
                    c = candidate
                    p = q
                    moved = true
                    break
                }
                t *= 0.5
            }
            if !moved {
                // No decrease along the step: converged to rounding, unless the gradient is still large.
                converged = largest <= 1e-8
                break
            }
            if t == 1 && clipped { radius *= 2 } else if t < 1 { radius = max(radius * 0.5, 1e-6) }
        }
        guard converged else {
            let largest = p.gradient.map(abs).max() ?? 0
            throw EvaluationError("no finite optimal constant: the search did not converge (largest gradient \(formatNumber(largest)) after \(maxSteps) steps)")
        }
        return normalizedShift(c, p, objective)
    }

    /// For a loss unchanged by adding one number to every column: c shifted so
    /// that log Σ exp(c_j) = 0. Any other loss: c as it is.
    static func normalizedShift(_ c: [Double], _ p: ConstantObjective.Probe, _ objective: ConstantObjective) -> [Double] {
        let sum = p.gradient.reduce(0, +)
        guard abs(sum) <= 1e-9, let shifted = objective.probe(c.map { $0 + 1 }),
              abs(shifted.value - p.value) <= 1e-12 * max(1, abs(p.value)) else { return c }
        let top = c.max() ?? 0
        let logSumExp = top + log(c.reduce(0) { $0 + exp($1 - top) })
        return c.map { $0 - logSumExp }
    }
}

/// The weighted mean loss of a constant prediction over the targets, its
/// gradient and Hessian diagonal with respect to the constant; evaluated in
/// blocks of rows so its buffers stay small whatever the number of rows.
final class ConstantObjective {
    struct Probe {
        var value: Double
        var gradient: [Double]
        var hessian: [Double]?
    }

    let instance: LossInstance
    let rows: Int, predColumns: Int, targetColumns: Int
    let target: UnsafePointer<Double>
    let weight: UnsafePointer<Double>?
    let threads: Int
    let blockRows: Int
    private let pred: UnsafeMutablePointer<Double>
    private let gradient: UnsafeMutablePointer<Double>
    private let hessian: UnsafeMutablePointer<Double>?

    init(_ instance: LossInstance, rows: Int, predColumns: Int, targetColumns: Int,
         target: UnsafePointer<Double>, weight: UnsafePointer<Double>?, threads: Int) {
        self.instance = instance
        self.rows = rows
        self.predColumns = predColumns
        self.targetColumns = targetColumns
        self.target = target
        self.weight = weight
        self.threads = threads
        blockRows = max(1, min(rows, (1 << 20) / max(predColumns, 1)))
        pred = .allocate(capacity: blockRows * predColumns)
        gradient = .allocate(capacity: blockRows * predColumns)
        hessian = instance.loss.info.hessian == .none ? nil : .allocate(capacity: blockRows * predColumns)
    }

    deinit {
        pred.deallocate()
        gradient.deallocate()
        hessian?.deallocate()
    }

    /// The objective at `c`; nil where the loss fails or is not finite there.
    func probe(_ c: [Double]) -> Probe? {
        for r in 0..<blockRows {
            for j in 0..<predColumns { pred[r * predColumns + j] = c[j] }
        }
        var sum = 0.0, normalizer = 0.0
        var g = [Double](repeating: 0, count: predColumns)
        var h: [Double]? = hessian == nil ? nil : [Double](repeating: 0, count: predColumns)
        var start = 0
        while start < rows {
            let n = min(blockRows, rows - start)
            let result = Evaluator.run(instance, rows: n, predColumns: predColumns, targetColumns: targetColumns,
                                       pred: UnsafePointer(pred), target: target + start * targetColumns,
                                       weight: weight.map { $0 + start }, values: nil, gradient: gradient,
                                       hessian: hessian, reduction: .sum, threads: threads)
            guard case .success(let totals) = result else { return nil }
            sum += totals.sum
            normalizer += totals.normalizer
            for r in 0..<n {
                for j in 0..<predColumns {
                    g[j] += gradient[r * predColumns + j]
                    if let hessian { h?[j] += hessian[r * predColumns + j] }
                }
            }
            start += n
        }
        guard normalizer > 0, normalizer.isFinite else { return nil }
        let value = sum / normalizer
        let gradientOfMean = g.map { $0 / normalizer }
        let hessianOfMean = h?.map { $0 / normalizer }
        guard value.isFinite, gradientOfMean.allSatisfy(\.isFinite) else { return nil }
        return Probe(value: value, gradient: gradientOfMean, hessian: hessianOfMean)
    }

    /// The best of a few starting constants where the loss can be evaluated:
    /// the weighted mean of each column's targets (for targets shaped like pred
    /// or of one column), 0, 1, 0.5, -1 and 1/columns.
    func start() throws(EvaluationError) -> [Double] {
        var candidates: [[Double]] = []
        let layout = instance.loss.info.targetLayout
        if targetColumns == predColumns || (targetColumns == 1 && layout == .oneColumn) {
            candidates.append((0..<predColumns).map { targetMean(column: targetColumns == predColumns ? $0 : 0) })
        }
        for x in [0.0, 1.0, 0.5, -1.0, 1.0 / Double(predColumns)] {
            candidates.append([Double](repeating: x, count: predColumns))
        }
        var best: (c: [Double], value: Double)?
        for c in candidates where c.allSatisfy(\.isFinite) {
            guard let p = probe(c) else { continue }
            if let known = best, known.value <= p.value { continue }
            best = (c, p.value)
        }
        guard let best else {
            let sample = candidates.last.map { $0.map(formatNumber).joined(separator: ", ") } ?? ""
            // The plugin's own message for the last candidate names what is wrong.
            var error = EvaluationError("the loss cannot be evaluated at any starting constant (tried the target mean, 0, 1, 0.5, -1, \(sample))")
            if case .failure(let failure) = firstFailure() { error = failure }
            throw error
        }
        return best.c
    }

    /// The plugin's error at the constant 0, if it fails there.
    private func firstFailure() -> Result<Void, EvaluationError> {
        for r in 0..<blockRows {
            for j in 0..<predColumns { pred[r * predColumns + j] = 0 }
        }
        let n = min(blockRows, rows)
        return Evaluator.run(instance, rows: n, predColumns: predColumns, targetColumns: targetColumns,
                             pred: UnsafePointer(pred), target: target, weight: weight, values: nil, gradient: nil,
                             hessian: nil, reduction: .sum, threads: threads).map { _ in () }
    }

    /// The weighted mean of one target column.
    private func targetMean(column: Int) -> Double {
        var total = 0.0, weights = 0.0
        for r in 0..<rows {
            let w = weight?[r] ?? 1
            total += w * target[r * targetColumns + column]
            weights += w
        }
        return weights > 0 ? total / weights : 0
    }
}
