/// One loss ready to be placed in a plugin table: its metadata and a factory
/// that binds parameters to an evaluator.
public struct LossExport: Sendable {
    /// Evaluates one batch with bound parameters.
    public typealias Evaluator = @Sendable (Batch) throws(LossFailure) -> Batch.Totals
    /// Binds parameter values; throws to refuse them.
    public typealias Factory = @Sendable (ParameterValues) throws(LossFailure) -> Evaluator

    public let info: LossInfo
    public let make: Factory

    public init(info: LossInfo, make: @escaping Factory) {
        self.info = info
        self.make = make
    }

    /// Exports an element-wise loss type.
    @inlinable
    public static func elementwise<L: ElementwiseLoss>(_: L.Type) -> LossExport {
        var info = L.info
        info.reduce = .elementwise
        return LossExport(info: info) { (parameters: ParameterValues) throws(LossFailure) -> Evaluator in
            let loss = try L(parameters)
            return { (batch: Batch) throws(LossFailure) -> Batch.Totals in try Kernels.elementwise(loss, batch) }
        }
    }

    /// Exports a row loss type.
    @inlinable
    public static func rowwise<L: RowLoss>(_: L.Type) -> LossExport {
        var info = L.info
        info.reduce = .rowwise
        return LossExport(info: info) { (parameters: ParameterValues) throws(LossFailure) -> Evaluator in
            let loss = try L(parameters)
            return { (batch: Batch) throws(LossFailure) -> Batch.Totals in try Kernels.rowwise(loss, batch) }
        }
    }
}
