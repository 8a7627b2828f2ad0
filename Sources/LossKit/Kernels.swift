/// The batch loops behind `ElementwiseLoss` and `RowLoss`. Generic and
/// `@inlinable`, so each loss gets its own specialised, inlined loop.
public enum Kernels {
    /// Checks every pred and target element against the loss's domains.
    @inlinable
    static func checkDomains<L: ElementwiseLoss>(_: L.Type, _ b: Batch) throws(LossFailure) {
        let count = b.rows * b.predColumns
        guard count > 0, let pred = b.pred, let target = b.target else { return }
        let pd = L.predDomain, td = L.targetDomain
        if !pd.isUnbounded {
            for i in 0..<count where !pd.contains(pred[i]) {
                throw .domain(.pred, row: i / b.predColumns, column: i % b.predColumns, value: pred[i], expected: pd.description)
            }
        }
        if !td.isUnbounded {
            for i in 0..<count where !td.contains(target[i]) {
                throw .domain(.target, row: i / b.predColumns, column: i % b.predColumns, value: target[i], expected: td.description)
            }
        }
    }

    /// Evaluates an element-wise loss over a batch.
    @inlinable
    public static func elementwise<L: ElementwiseLoss>(_ loss: L, _ b: Batch) throws(LossFailure) -> Batch.Totals {
        try checkDomains(L.self, b)
        let d = b.predColumns
        let count = b.rows * d
        guard count > 0, let pred = b.pred, let target = b.target else {
            return .init(sum: 0, normalizer: 0)
        }
        var sum = 0.0
        var weightSum = Double(b.rows)
        let values = b.values, gradient = b.gradient, hessian = b.hessian
        if gradient == nil && hessian == nil {
            if let weight = b.weight {
                weightSum = 0
                for r in 0..<b.rows {
                    let w = weight[r]
                    weightSum += w
                    for i in r * d..<(r + 1) * d {
                        let v = w * loss.value(pred: pred[i], target: target[i])
                        values?[i] = v
                        sum += v
                    }
                }
            } else {
                for i in 0..<count {
                    let v = loss.value(pred: pred[i], target: target[i])
                    values?[i] = v
                    sum += v
                }
            }
        } else {
            for r in 0..<b.rows {
                let w = b.weight?[r] ?? 1
                for i in r * d..<(r + 1) * d {
                    let e = loss.derivatives(pred: pred[i], target: target[i])
                    let v = w * e.value
                    values?[i] = v
                    gradient?[i] = w * e.gradient
                    hessian?[i] = w * e.hessian
                    sum += v
                }
            }
            if let weight = b.weight {
                weightSum = 0
                for r in 0..<b.rows { weightSum += weight[r] }
            }
        }
        return .init(sum: sum, normalizer: Double(d) * weightSum)
    }

    /// Evaluates a row loss over a batch.
    @inlinable
    public static func rowwise<L: RowLoss>(_ loss: L, _ b: Batch) throws(LossFailure) -> Batch.Totals {
        try loss.validate(predColumns: b.predColumns, targetColumns: b.targetColumns)
        guard b.rows > 0, let pred = b.pred, let target = b.target else {
            return .init(sum: 0, normalizer: 0)
        }
        let d = b.predColumns, t = b.targetColumns
        var sum = 0.0
        var normalizer = 0.0
        for r in 0..<b.rows {
            let p = RowValues(pred + r * d, d)
            let y = RowValues(target + r * t, t)
            let g = b.gradient.map { RowOutput($0 + r * d, d) }
            let h = b.hessian.map { RowOutput($0 + r * d, d) }
            let raw: Double
            do {
                raw = try loss.evaluate(pred: p, target: y, gradient: g, hessian: h)
            } catch {
                var failure = error
                failure.row = r
                throw failure
            }
            let w = b.weight?[r] ?? 1
            let v = w * raw
            b.values?[r] = v
            sum += v
            normalizer += w * loss.normalizer(pred: p, target: y)
            if w != 1 {
                if let g { for j in 0..<d { g[j] *= w } }
                if let h { for j in 0..<d { h[j] *= w } }
            }
        }
        return .init(sum: sum, normalizer: normalizer)
    }
}
