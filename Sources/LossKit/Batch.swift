import CLossHost

/// A batch as the kit's loops see it: `lh_batch` and `lh_outputs` unpacked.
/// Lives at the C boundary; loss authors never touch it.
public struct Batch {
    public let rows: Int
    public let predColumns: Int
    public let targetColumns: Int
    public let pred: UnsafePointer<Double>?
    public let target: UnsafePointer<Double>?
    public let weight: UnsafePointer<Double>?

    public let values: UnsafeMutablePointer<Double>?
    public let gradient: UnsafeMutablePointer<Double>?
    public let hessian: UnsafeMutablePointer<Double>?
    /// Whether the caller wants the sum / normalizer.
    public let wantsSum: Bool

    @inlinable
    public init(rows: Int, predColumns: Int, targetColumns: Int,
                pred: UnsafePointer<Double>?, target: UnsafePointer<Double>?, weight: UnsafePointer<Double>?,
                values: UnsafeMutablePointer<Double>?, gradient: UnsafeMutablePointer<Double>?,
                hessian: UnsafeMutablePointer<Double>?, wantsSum: Bool) {
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
    public struct Totals: Sendable {
        public var sum: Double
        public var normalizer: Double
        @inlinable public init(sum: Double, normalizer: Double) {
            self.sum = sum
            self.normalizer = normalizer
        }
    }
}
