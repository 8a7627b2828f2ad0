/// The pass that lets an element-wise loss refuse single elements
/// (`ElementwiseLoss.refusal`), before the kernels run: losses that refuse
/// nothing (`refusesElements` false) skip it entirely.
@usableFromInline
enum ElementRefusal {
    /// Throws LH_ERR_DOMAIN for the first element `loss` refuses, naming its row and column.
    @inlinable
    static func check<L: ElementwiseLoss, S: KernelScalar>(_ loss: L, _ b: KernelBatch<S>) throws(LossFailure) {
        guard L.refusesElements, let pred = b.pred, let target = b.target else { return }
        for i in 0..<(b.rows * b.predColumns) {
            let p = pred[i].asDouble, t = target[i].asDouble
            if let why = loss.refusal(pred: p, target: t) {
                throw LossFailure(.domain, "\(L.info.id): \(why) (pred \(formatNumber(p)), target \(formatNumber(t)))",
                                  input: .pred, row: i / b.predColumns, column: i % b.predColumns)
            }
        }
    }
}
