/// One loss ready to be placed in a plugin table: its metadata and a factory
/// that binds parameters to an evaluator (float64, and optionally float32).
public struct LossExport: Sendable {
    /// Evaluates one float64 batch with bound parameters.
    public typealias Evaluator = @Sendable (Batch) throws(LossFailure) -> BatchTotals
    /// Evaluates one float32 batch with bound parameters (ABI 1.1).
    public typealias EvaluatorF32 = @Sendable (BatchF32) throws(LossFailure) -> BatchTotals
    /// Binds parameter values; throws to refuse them.
    public typealias Factory = @Sendable (ParameterValues) throws(LossFailure) -> Evaluator

    /// The evaluators of one instance.
    public struct Evaluators: Sendable {
        public var f64: Evaluator
        /// nil: float64 only (the table's `evaluate_f32` is NULL).
        public var f32: EvaluatorF32?
        public init(f64: @escaping Evaluator, f32: EvaluatorF32?) {
            self.f64 = f64
            self.f32 = f32
        }
    }
    /// Binds parameter values to both evaluators; throws to refuse them.
    public typealias DualFactory = @Sendable (ParameterValues) throws(LossFailure) -> Evaluators

    public let info: LossInfo
    public let make: Factory
    /// Set for exports that serve float32 batches directly.
    public let makeEvaluators: DualFactory?

    /// A float64-only loss.
    public init(info: LossInfo, make: @escaping Factory) {
        self.info = info
        self.make = make
        self.makeEvaluators = nil
    }

    /// A loss that evaluates float64 and float32 batches.
    public init(info: LossInfo, makeEvaluators: @escaping DualFactory) {
        self.info = info
        self.make = { (parameters: ParameterValues) throws(LossFailure) -> Evaluator in try makeEvaluators(parameters).f64 }
        self.makeEvaluators = makeEvaluators
    }

    /// Whether the table gets an `evaluate_f32`.
    public var supportsFloat32: Bool { makeEvaluators != nil }

    /// Exports an element-wise loss type.
    @inlinable
    public static func elementwise<L: ElementwiseLoss>(_: L.Type) -> LossExport {
        var info = L.info
        info.reduce = .elementwise
        return LossExport(info: info) { (parameters: ParameterValues) throws(LossFailure) -> Evaluators in
            let loss = try L(parameters)
            let scratch = L.evaluatesBlocks ? BlockScratch() : nil  // the instance's block lanes, kept between calls
            return Evaluators(
                f64: { (batch: Batch) throws(LossFailure) -> BatchTotals in
                    try ElementRefusal.check(loss, batch)
                    return try Kernels.elementwise(loss, batch, scratch: scratch)
                },
                f32: { (batch: BatchF32) throws(LossFailure) -> BatchTotals in
                    try ElementRefusal.check(loss, batch)
                    return try Kernels.elementwise(loss, batch, scratch: scratch)
                })
        }
    }

    /// Exports a row loss type.
    @inlinable
    public static func rowwise<L: RowLoss>(_: L.Type) -> LossExport {
        var info = L.info
        info.reduce = .rowwise
        return LossExport(info: info) { (parameters: ParameterValues) throws(LossFailure) -> Evaluators in
            let loss = try L(parameters)
            return Evaluators(
                f64: { (batch: Batch) throws(LossFailure) -> BatchTotals in try Kernels.rowwise(loss, batch) },
                f32: { (batch: BatchF32) throws(LossFailure) -> BatchTotals in try Kernels.rowwise(loss, batch) })
        }
    }
}
