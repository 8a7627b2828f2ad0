#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LossKit

/// The class index held by a one-column target row, or a domain failure (the kit
/// fills in the row).
@inlinable @inline(__always)
func classIndex(_ target: RowValues, classes: Int) throws(LossFailure) -> Int {
    let y = target[0]
    guard isClassIndex(y, count: classes) else { throw classIndexFailure(row: 0, value: y, classes: classes) }
    return Int(y)
}

/// The class index held by row `r` of a block's one-column target, or a domain failure.
@inlinable @inline(__always)
func classIndex<S: KernelScalar>(_ b: RowBlock<S>, row r: Int) throws(LossFailure) -> Int {
    let y = b.target[r].asDouble
    guard isClassIndex(y, count: b.predColumns) else { throw classIndexFailure(row: r, value: y, classes: b.predColumns) }
    return Int(y)
}

/// The class index of every row of a block's one-column target, checked in row
/// order (the first bad one fails), into `indices`.
@inlinable
func classIndices<S: KernelScalar>(_ b: RowBlock<S>, into indices: RowLane<Double>) throws(LossFailure) {
    for r in 0..<b.rows { indices[r] = Double(try classIndex(b, row: r)) }
}

/// A target that is no class index.
@usableFromInline
func classIndexFailure(row: Int, value: Double, classes: Int) -> LossFailure {
    .domain(.target, row: row, column: 0, value: value, expected: "a whole-number class index in 0...\(classes - 1)")
}

/// A target probability outside [0, 1] (the kit fills in the row of a per-row call).
@usableFromInline
func probabilityFailure(row: Int = 0, column: Int, value: Double) -> LossFailure {
    .domain(.target, row: row, column: column, value: value, expected: "a probability in [0, 1]")
}

/// Checks that every target of a block is a probability, in row order.
@inlinable
func checkProbabilities<S: KernelScalar>(_ b: RowBlock<S>) throws(LossFailure) {
    let t = b.targetColumns
    for i in 0..<(b.rows &* t) {
        let v = b.target[i].asDouble
        if v < 0 || v > 1 { throw probabilityFailure(row: i / t, column: i % t, value: v) }
    }
}

/// Softmax cross entropy of logits against a class index or a probability row,
/// with label smoothing and optional class weights.
public struct CrossEntropy: RowLoss {
    public static let info = LossInfo(
        id: "cross_entropy", summary: "softmax cross entropy; punishes logits that give the true class (or target distribution) low probability",
        kind: .multiclass, reduce: .rowwise, predDoc: "logits, N x C",
        targetDoc: "class index 0..C-1 (N x 1), or class probabilities (N x C)",
        targetLayout: .indexOrSameShape,
        parameters: [
            ParameterInfo("label_smoothing", "mixes the target with the uniform distribution: (1 - s) q + s / C",
                          default: 0, min: 0, max: 1),
            ParameterInfo("weight", "class weights, one per class (C values); mean divides by the weights of the index targets",
                          type: .list, min: 0, max: 1e6),
        ],
        predDomain: .logit, targetDomain: .classIndex, link: .softmax, curvature: Curvature(convex: true))

    @usableFromInline let smoothing: Double
    /// The class weights; empty when not given (every weight 1).
    @usableFromInline let classWeights: [Double]
    /// Σ_c w_c of the given class weights.
    @usableFromInline let weightSum: Double

    public init(_ parameters: ParameterValues) {
        smoothing = parameters["label_smoothing"]
        classWeights = parameters.list("weight")
        weightSum = classWeights.reduce(0, +)
    }

    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        guard targetColumns == 1 || targetColumns == predColumns else {
            throw LossFailure(.shape, "cross_entropy needs target N x 1 (class indices) or N x \(predColumns) (probabilities), got \(targetColumns) columns")
        }
        guard classWeights.isEmpty || classWeights.count == predColumns else {
            throw LossFailure(.shape, "cross_entropy: the weight list has \(classWeights.count) class weights for \(predColumns) classes",
                              input: .parameter, column: 1)
        }
    }

    @inlinable @inline(__always)
    func classWeight(_ c: Int) -> Double {
        classWeights.isEmpty ? 1 : classWeights[c]
    }

    @inlinable
    public func evaluate(pred x: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        // e^{x_c − m} go into the gradient row, to become softmax probabilities below.
        try evaluate(x, target, gradient, hessian, LogSumExp(x, storingExpsIn: gradient), exps: gradient)
    }

    /// A block: one vector exp over the block's logits (`RowBlock.softmax`, which
    /// also writes the softmax), one vector log1p over its rows; the entries that
    /// cancel (the gradient at the target class, the Hessian at the maximum) and
    /// every sum in Double.
    @inlinable
    public func evaluate<S: KernelScalar>(block b: RowBlock<S>) throws(LossFailure) {
        let classes = b.predColumns
        let indexTarget = b.targetColumns == 1
        if indexTarget && smoothing == 0 { return try evaluatePlain(block: b) }
        let indices = b.rowTemporary(0), logZ = b.rowTemporary(1), invZ = b.rowTemporary(2), scale = b.rowTemporary(3)
        if indexTarget { try classIndices(b, into: indices) } else { try checkProbabilities(b) }
        let p = b.temporary(0)
        let lse = b.softmax(b.pred, probabilities: b.wantsGradient || b.wantsHessian ? p : nil)
        b.apply(.log1p, lse.rest, into: logZ)
        let uniform = smoothing / Double(classes)
        let keep = 1 - smoothing
        for r in 0..<b.rows {
            let row = r &* classes
            let m = lse.max[r], lz = logZ[r]
            // q_c = (1 − s)·target_c + s/C; loss = Σ_c q_c w_c (log z + m − x_c); S = Σ_c q_c w_c.
            var loss = 0.0
            var s = 0.0
            if indexTarget {
                let index = Int(indices[r])
                let hot = keep * classWeight(index)
                loss = hot * (lz + (m - b.pred[row &+ index].asDouble))
                s = hot
                if smoothing > 0 {
                    var all = 0.0
                    for c in 0..<classes { all += classWeight(c) * (lz + (m - b.pred[row &+ c].asDouble)) }
                    loss += uniform * all
                    s += uniform * (classWeights.isEmpty ? Double(classes) : weightSum)
                }
                if !classWeights.isEmpty { b.normalizer[r] = classWeights[index] }
            } else {
                for c in 0..<classes {
                    let qw = (keep * b.target[row &+ c].asDouble + uniform) * classWeight(c)
                    loss += qw * (lz + (m - b.pred[row &+ c].asDouble))
                    s += qw
                }
            }
            b.value[r] = loss
            scale[r] = s
            invZ[r] = 1 / (1 + lse.rest[r])
        }
        // The entries with q ≠ 0 (the target class, or every class with smoothing or
        // a probability target) and the Hessian's 1 − p at the maximum (rest / z) in Double.
        if b.wantsGradient {
            for r in 0..<b.rows {
                let row = r &* classes, s = scale[r]
                for c in 0..<classes {
                    let q = (indexTarget ? (c == Int(indices[r]) ? keep : 0) : keep * b.target[row &+ c].asDouble) + uniform
                    b.gradient[row &+ c] = S(fromDouble: s * (lse.exps[row &+ c].asDouble * invZ[r]) - q * classWeight(c))
                }
            }
        }
        if b.wantsHessian { hessian(b, lse: lse, p: p, scale: scale, invZ: invZ) }
    }

    /// An index target without smoothing, the common case: loss = w_y (log z + m − x_y).
    /// Without class weights or a Hessian, one pass over the rows after the softmax
    /// (which goes straight into the gradient) checks each class index in row order,
    /// writes the loss and fixes the gradient at the target.
    @inlinable
    func evaluatePlain<S: KernelScalar>(block b: RowBlock<S>) throws(LossFailure) {
        let classes = b.predColumns
        let indices = b.rowTemporary(0), logZ = b.rowTemporary(1), invZ = b.rowTemporary(2), scale = b.rowTemporary(3)
        let weighted = !classWeights.isEmpty
        if !weighted && !b.wantsHessian {
            let lse = b.softmax(b.pred, probabilities: b.wantsGradient ? b.gradient : nil)
            b.apply(.log1p, lse.rest, into: logZ)
            for r in 0..<b.rows {
                let index = try classIndex(b, row: r), i = r &* classes &+ index
                b.value[r] = logZ[r] + (lse.max[r] - b.pred[i].asDouble)
                if b.wantsGradient {
                    b.gradient[i] = targetGradient(lse, row: r, element: i, column: index, scale: 1, invZ: 1 / (1 + lse.rest[r]))
                }
            }
            return
        }
        try classIndices(b, into: indices)
        let p = b.temporary(0)
        let lse = b.softmax(b.pred, probabilities: b.wantsGradient || b.wantsHessian ? p : nil)
        b.apply(.log1p, lse.rest, into: logZ)
        for r in 0..<b.rows {
            let index = Int(indices[r])
            let w = weighted ? classWeights[index] : 1
            b.value[r] = w * (logZ[r] + (lse.max[r] - b.pred[r &* classes &+ index].asDouble))
            scale[r] = w
            invZ[r] = 1 / (1 + lse.rest[r])
        }
        if weighted { for r in 0..<b.rows { b.normalizer[r] = scale[r] } }
        if b.wantsGradient {
            b.scaleRows(weighted ? p : lse.exps, by: weighted ? scale : invZ, into: b.gradient)
            for r in 0..<b.rows {
                let index = Int(indices[r]), i = r &* classes &+ index
                b.gradient[i] = targetGradient(lse, row: r, element: i, column: index, scale: scale[r], invZ: invZ[r])
            }
        }
        if b.wantsHessian { hessian(b, lse: lse, p: p, scale: scale, invZ: invZ) }
    }

    /// s·(p − 1) at the target class `column` of row `r` (element `i`); at the
    /// maximum p − 1 = −rest / z, without cancellation.
    @inlinable @inline(__always)
    func targetGradient<S: KernelScalar>(_ lse: SoftmaxRows<S>, row r: Int, element i: Int, column: Int, scale s: Double,
                                         invZ: Double) -> S {
        S(fromDouble: column == lse.top[r] ? -(s * (lse.rest[r] * invZ)) : s * (lse.exps[i].asDouble * invZ) - s)
    }

    /// s·p(1 − p) of every element, with 1 − p at the maximum as rest / z (no cancellation).
    @inlinable
    func hessian<S: KernelScalar>(_ b: RowBlock<S>, lse: SoftmaxRows<S>, p: RowLane<S>, scale: RowLane<Double>, invZ: RowLane<Double>) {
        let classes = b.predColumns
        for r in 0..<b.rows {
            let row = r &* classes, s = scale[r], sS = S(fromDouble: s)
            for c in 0..<classes {
                let pc = p[row &+ c]
                b.hessian[row &+ c] = sS * pc * (1 - pc)
            }
            // 1 − p at the maximum is rest / z, without cancellation.
            let top = lse.top[r]
            b.hessian[row &+ top] = S(fromDouble: s * (lse.exps[row &+ top].asDouble * invZ[r]) * (lse.rest[r] * invZ[r]))
        }
    }

    /// One row from its log-sum-exp parts; `exps` holds e^{x_c − max} when given.
    @inlinable @inline(__always)
    func evaluate(_ x: RowValues, _ target: RowValues, _ gradient: RowOutput?, _ hessian: RowOutput?,
                  _ lse: LogSumExp, exps: RowOutput?) throws(LossFailure) -> Double {
        let classes = x.count
        let uniform = smoothing / Double(classes)
        let keep = 1 - smoothing
        let m = lse.max, logZ = lse.logShiftedSum

        // q_c = (1 − s)·target_c + s/C; loss = Σ_c q_c w_c (log z + m − x_c); S = Σ_c q_c w_c.
        var loss = 0.0
        var s = 0.0
        let index: Int
        if target.count == 1 {
            index = try classIndex(target, classes: classes)
            let wy = classWeight(index)
            let hot = keep * wy
            loss = hot * (logZ + (m - x[index]))
            s = hot
            if smoothing > 0 {
                var all = 0.0
                for c in 0..<classes { all += classWeight(c) * (logZ + (m - x[c])) }
                loss += uniform * all
                s += uniform * (classWeights.isEmpty ? Double(classes) : weightSum)
            }
        } else {
            index = -1
            for c in 0..<classes {
                let t = target[c]
                if t < 0 || t > 1 { throw probabilityFailure(column: c, value: t) }
                let qw = (keep * t + uniform) * classWeight(c)
                loss += qw * (logZ + (m - x[c]))
                s += qw
            }
        }

        guard gradient != nil || hessian != nil else { return loss }
        let invZ = 1 / (1 + lse.rest)
        for c in 0..<classes {
            let e = exps?[c] ?? exp(x[c] - m)
            let p = e * invZ
            if let gradient {
                let q = (index < 0 ? keep * target[c] : (c == index ? keep : 0)) + uniform
                // Without smoothing, s·(p − 1) at the maximum is −s·rest / z, without cancellation.
                gradient[c] = c == index && c == lse.top && smoothing == 0 ? -(s * (lse.rest * invZ)) : s * p - q * classWeight(c)
            }
            // 1 − p_c: at the maximum rest / z, elsewhere 1 − p ≥ 1/2 without cancellation.
            hessian?[c] = s * p * (c == lse.top ? lse.rest * invZ : 1 - p)
        }
        return loss
    }

    /// With class weights and an index target, `mean` divides by Σ w_{y_i};
    /// otherwise each row counts 1.
    @inlinable
    public func normalizer(pred: RowValues, target: RowValues) -> Double {
        guard !classWeights.isEmpty, target.count == 1, isClassIndex(target[0], count: pred.count) else { return 1 }
        return classWeights[Int(target[0])]
    }
}

/// Multiclass hinge loss Σ_{c≠y} max(0, margin − x_y + x_c)^p / C.
public struct MultiMargin: RowLoss {
    public static let info = LossInfo(
        id: "multi_margin", summary: "multiclass hinge loss; punishes every class whose score comes within the margin of the true class's",
        kind: .multiclass, reduce: .rowwise, predDoc: "class scores, N x C", targetDoc: "class index 0..C-1, N x 1",
        targetLayout: .classIndex,
        parameters: [
            ParameterInfo("p", "power of each hinge term: 1 or 2", type: .integer, default: 1, min: 1, max: 2),
            ParameterInfo("margin", "the score margin the true class must keep, >= 0", default: 1, min: 0, max: 1e6),
        ],
        predDomain: .real, targetDomain: .classIndex, curvature: Curvature(convex: true, piecewiseLinear: true))

    @usableFromInline let squared: Bool
    @usableFromInline let margin: Double
    public init(_ parameters: ParameterValues) {
        squared = parameters.integer("p") == 2
        margin = parameters["margin"]
    }

    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        guard targetColumns == 1 else {
            throw LossFailure(.shape, "multi_margin needs target N x 1 (class indices), got \(targetColumns) columns")
        }
    }

    @inlinable
    public func evaluate(pred x: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        let classes = x.count
        let y = try classIndex(target, classes: classes)
        let invC = 1 / Double(classes)
        let shift = margin - x[y]
        var loss = 0.0, gy = 0.0, hy = 0.0
        for c in 0..<classes {
            let m = shift + x[c]
            let h = c != y && m > 0 ? m : 0  // the active hinge, 0 on the true class
            let active: Double = h > 0 ? 1 : 0
            let g: Double
            if squared {
                loss += h * h
                g = 2 * h * invC
                hessian?[c] = 2 * active * invC
                hy += 2 * active * invC
            } else {
                loss += h
                g = active * invC
                hessian?[c] = 0
            }
            gradient?[c] = g
            gy -= g
        }
        gradient?[y] = gy
        hessian?[y] = hy
        return loss * invC
    }
}

/// Kullback–Leibler divergence Σ_c t_c (log t_c − pred_c) of a target distribution
/// from predicted log-probabilities.
public struct KLDiv: RowLoss {
    public static let info = LossInfo(
        id: "kl_div", summary: "KL divergence of the target distribution from the predicted one; punishes log-probabilities below the target's",
        kind: .multiclass, reduce: .rowwise, predDoc: "log-probabilities, N x C",
        targetDoc: "probabilities in [0, 1], N x C (0 terms contribute nothing)",
        parameters: [],
        predDomain: .logProbability, targetDomain: .distribution, link: .exp, curvature: Curvature(convex: true, piecewiseLinear: true))
    public init(_ parameters: ParameterValues) {}

    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        guard targetColumns == predColumns else {
            throw LossFailure(.shape, "kl_div needs target N x \(predColumns) (same shape as pred), got \(targetColumns) columns")
        }
    }

    @inlinable
    public func evaluate(pred x: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        var loss = 0.0
        for c in 0..<x.count {
            let t = target[c]
            if t < 0 || t > 1 { throw probabilityFailure(column: c, value: t) }
            loss += t > 0 ? t * (log(t) - x[c]) : 0
            gradient?[c] = -t
            hessian?[c] = 0
        }
        return loss
    }

    /// A block: one vector log over the block's targets (1 in place of 0 terms),
    /// each row's terms summed in Double.
    @inlinable
    public func evaluate<S: KernelScalar>(block b: RowBlock<S>) throws(LossFailure) {
        try checkProbabilities(b)
        let logs = b.temporary(0)
        for i in 0..<logs.count {
            let t = b.target[i]
            logs[i] = t > 0 ? t : 1
        }
        b.apply(.log, logs, into: logs)
        let classes = b.predColumns
        for r in 0..<b.rows {
            var loss = 0.0
            for c in 0..<classes {
                let i = r &* classes &+ c
                let t = b.target[i]
                loss += t > 0 ? t.asDouble * (logs[i].asDouble - b.pred[i].asDouble) : 0
                if b.wantsGradient { b.gradient[i] = -t }
                if b.wantsHessian { b.hessian[i] = 0 }
            }
            b.value[r] = loss
        }
    }
}
