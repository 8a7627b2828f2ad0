import CLossHost

/// A float type the kit's loops read and write: float64 or float32. Per-element
/// losses compute in Double (a Float batch is widened on load and rounded on
/// store); block losses (`ElementwiseLoss.evaluate(block:)`) compute in the
/// batch's own type. Sums are accumulated in Double.
public protocol KernelScalar: BatchElement {
    var asDouble: Double { get }
    init(fromDouble value: Double)
    /// y[i] = f(x[i]) for i < count, in this type's lanes.
    static func apply(_ f: VectorFunction, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int, math: VectorMath)
    /// z[i] = pow(x[i], y[i]) for i < count, in this type's lanes.
    static func pow(_ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>, _ z: UnsafeMutablePointer<Self>, count: Int, math: VectorMath)
    /// The first of `count` values outside the domain's bounds (NaN inside), or nil.
    static func firstOutside(_ x: UnsafePointer<Self>, count: Int, _ domain: Domain, math: VectorMath) -> Int?
    /// The first of `count` values that is none of 1 … 4 `members` and not NaN, or nil.
    static func firstNotMember(_ x: UnsafePointer<Self>, count: Int, _ members: [Double], math: VectorMath) -> Int?
    /// softplus(±x[i]) and σ(±x[i]) for i < count, in this type's lanes.
    static func logistic(_ x: UnsafePointer<Self>, _ softplus: UnsafeMutablePointer<Self>, _ softplusNeg: UnsafeMutablePointer<Self>,
                         _ sigmoid: UnsafeMutablePointer<Self>, _ sigmoidNeg: UnsafeMutablePointer<Self>, count: Int, math: VectorMath)
    /// σ(±x[i]) alone for i < count (no log1p), in this type's lanes.
    static func sigmoid(_ x: UnsafePointer<Self>, _ sigmoid: UnsafeMutablePointer<Self>, _ sigmoidNeg: UnsafeMutablePointer<Self>,
                        count: Int, math: VectorMath)
}

extension Double: KernelScalar {
    @inlinable @inline(__always) public var asDouble: Double { self }
    @inlinable @inline(__always) public init(fromDouble value: Double) { self = value }
}

extension Float: KernelScalar {
    @inlinable @inline(__always) public var asDouble: Double { Double(self) }
    @inlinable @inline(__always) public init(fromDouble value: Double) { self = Float(value) }
}

/// A batch as the kit's loops see it: `lh_batch` / `lh_batch_f32` and their
/// outputs unpacked. Lives at the C boundary; loss authors never touch it.
public struct KernelBatch<Scalar: KernelScalar> {
    public let rows: Int
    public let predColumns: Int
    public let targetColumns: Int
    public let pred: UnsafePointer<Scalar>?
    public let target: UnsafePointer<Scalar>?
    public let weight: UnsafePointer<Scalar>?

    public let values: UnsafeMutablePointer<Scalar>?
    public let gradient: UnsafeMutablePointer<Scalar>?
    public let hessian: UnsafeMutablePointer<Scalar>?
    /// Whether the caller wants the sum. The normalizer is always returned: an
    /// element-wise loss's comes from the weights alone, so a caller that wants
    /// only it (a `mean` of derivatives) costs no value work.
    public let wantsSum: Bool

    @inlinable
    public init(rows: Int, predColumns: Int, targetColumns: Int,
                pred: UnsafePointer<Scalar>?, target: UnsafePointer<Scalar>?, weight: UnsafePointer<Scalar>?,
                values: UnsafeMutablePointer<Scalar>?, gradient: UnsafeMutablePointer<Scalar>?,
                hessian: UnsafeMutablePointer<Scalar>?, wantsSum: Bool) {
        self.rows = rows
        self.predColumns = predColumns
        self.targetColumns = targetColumns
        self.pred = pred
        self.target = target
        self.weight = weight
        self.values = values
        self.gradient = gradient
        self.hessian = hessian
        self.wantsSum = wantsSum
    }

    /// The weighted sum of the values and the `mean` denominator.
    public typealias Totals = BatchTotals
}

/// The float64 batch (`lh_batch` + `lh_outputs`).
public typealias Batch = KernelBatch<Double>
/// The float32 batch of ABI 1.1 (`lh_batch_f32` + `lh_outputs_f32`).
public typealias BatchF32 = KernelBatch<Float>

/// The weighted sum of the values and the `mean` denominator of one batch.
public struct BatchTotals: Sendable {
    public var sum: Double
    public var normalizer: Double
    @inlinable public init(sum: Double, normalizer: Double) {
        self.sum = sum
        self.normalizer = normalizer
    }
}
