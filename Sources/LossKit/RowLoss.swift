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
}
