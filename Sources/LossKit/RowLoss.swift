/// Read-only view of one row of pred or target.
public struct RowValues {
    @usableFromInline let base: UnsafePointer<Double>
    /// Number of values in the row.
    public let count: Int

    @inlinable init(_ base: UnsafePointer<Double>, _ count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable public subscript(_ i: Int) -> Double {
        precondition(i >= 0 && i < count, "row index out of range")
        return base[i]
    }

    public var indices: Range<Int> { 0..<count }
}

/// Writable view of one row of the gradient or Hessian diagonal.
public struct RowOutput {
    @usableFromInline let base: UnsafeMutablePointer<Double>
    /// Number of values in the row.
    public let count: Int

    @inlinable init(_ base: UnsafeMutablePointer<Double>, _ count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable public subscript(_ i: Int) -> Double {
        get {
            precondition(i >= 0 && i < count, "row index out of range")
            return base[i]
        }
        nonmutating set {
            precondition(i >= 0 && i < count, "row index out of range")
            base[i] = newValue
        }
    }

    public var indices: Range<Int> { 0..<count }
}

/// A loss that gives one value per row: ℓ(pred[i, :], target[i, :]), e.g. a
/// softmax cross entropy or a Gaussian negative log-likelihood.
public protocol RowLoss: Sendable {
    /// The loss's metadata. `reduce` must be `.rowwise`.
    static var info: LossInfo { get }

    /// Binds the parameters; throw `LossFailure(.invalidArgument, …)` to refuse them.
    init(_ parameters: ParameterValues) throws(LossFailure)

    /// Called once per batch before any row: throw `.shape` for column counts
    /// the bound parameters cannot use (e.g. a class-weight list of another length).
    func validate(predColumns: Int, targetColumns: Int) throws(LossFailure)

    /// The unweighted loss of one row. When `gradient` / `hessian` are given,
    /// also writes d ℓ / d pred and the Hessian diagonal for the row (every
    /// entry). Throw `LossFailure.domain(…)` with the column for an invalid
    /// target; the kit fills in the row.
    func evaluate(pred: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double

    /// The same, with a scratch row of `pred.count` values the kit owns (its
    /// contents are undefined on entry) and the vector math to use on whole rows
    /// (`math.apply(.exp, scratch)`). The kit calls this one; the default
    /// forwards to the four-argument form.
    func evaluate(pred: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?,
                  scratch: RowOutput, math: VectorMath) throws(LossFailure) -> Double

    /// What this row adds to the `mean` denominator before its sample weight
    /// (1 unless the loss documents otherwise, e.g. a class weight).
    func normalizer(pred: RowValues, target: RowValues) -> Double

    /// A block of rows at once, in the batch's own float type, with the vector
    /// math on whole lanes (`block.softmax(block.pred)`, `block.apply(.log, x, into: y)`):
    /// write `value[r]` of every row, `gradient` / `hessian` of every element when
    /// wanted, and `normalizer[r]` where it is not 1. Throw `LossFailure.domain(…)`
    /// with the row in the block and the column; the kit adds the block's first row.
    /// The kit calls this one; the default runs the per-row form on each row (in
    /// Double), so a loss that only writes `evaluate(pred:target:gradient:hessian:)`
    /// works unchanged. A loss that writes it must give the same function as the
    /// per-row form up to the vector math's rounding.
    func evaluate<S: KernelScalar>(block: RowBlock<S>) throws(LossFailure)
}

extension RowLoss {
    public func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {}
    @inlinable
    public func evaluate(pred: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?,
                         scratch: RowOutput, math: VectorMath) throws(LossFailure) -> Double {
        try evaluate(pred: pred, target: target, gradient: gradient, hessian: hessian)
    }
    @inlinable
    public func normalizer(pred: RowValues, target: RowValues) -> Double { 1 }

    /// Each row through the per-row form, in Double rows (a float32 block is
    /// widened row by row and its outputs rounded back).
    @inlinable
    public func evaluate<S: KernelScalar>(block b: RowBlock<S>) throws(LossFailure) {
        let d = b.predColumns, t = b.targetColumns
        let px = b.storage.wide, tx = px + d, gx = tx + t, hx = gx + d
        let scratch = RowOutput(hx + d, d)
        let p = RowValues(UnsafePointer(px), d), y = RowValues(UnsafePointer(tx), t)
        let g = b.wantsGradient ? RowOutput(gx, d) : nil
        let h = b.wantsHessian ? RowOutput(hx, d) : nil
        let pred = b.pred.base, target = b.target.base, gradient = b.gradient.base, hessian = b.hessian.base
        for r in 0..<b.rows {
            for j in 0..<d { px[j] = pred[r &* d &+ j].asDouble }
            for j in 0..<t { tx[j] = target[r &* t &+ j].asDouble }
            do {
                b.value[r] = try evaluate(pred: p, target: y, gradient: g, hessian: h, scratch: scratch, math: b.math)
            } catch {
                var failure = error
                failure.row = r
                throw failure
            }
            b.normalizer[r] = normalizer(pred: p, target: y)
            if g != nil { for j in 0..<d { gradient[r &* d &+ j] = S(fromDouble: gx[j]) } }
            if h != nil { for j in 0..<d { hessian[r &* d &+ j] = S(fromDouble: hx[j]) } }
        }
    }
}
