import CLossHost
import LossHostCore
import LossKit

/// `lh_host_loss_evaluate`: the caller's batch checked and evaluated in place,
/// float64 or float32, with no copy.
enum HostEvaluation {
    /// The batch's dimensions, checked to fit in memory sizes.
    struct Shape {
        let rows: Int
        let predColumns: Int
        let targetColumns: Int

        init(_ batch: lh_host_batch) throws(HostError) {
            guard batch.pred_columns >= 1 else { throw .argument("batch.pred_columns is 0, expected >= 1") }
            guard batch.target_columns >= 1 else { throw .argument("batch.target_columns is 0, expected >= 1") }
            let widest = Int(max(batch.pred_columns, batch.target_columns))
            guard let rows = Int(exactly: batch.rows), !rows.multipliedReportingOverflow(by: widest * 8).overflow else {
                throw .argument("batch.rows is \(batch.rows), too many to address")
            }
            self.rows = rows
            predColumns = Int(batch.pred_columns)
            targetColumns = Int(batch.target_columns)
        }
    }

    static func evaluate(_ loss: HostLoss, _ batch: lh_host_batch, _ outputs: UnsafeMutablePointer<lh_host_outputs>) throws(HostError) {
        try checkStructSize(batch.struct_size, "lh_host_batch", MemoryLayout<lh_host_batch>.size)
        try checkStructSize(outputs.pointee.struct_size, "lh_host_outputs", MemoryLayout<lh_host_outputs>.size)
        let reduction = try self.reduction(outputs.pointee.reduction)
        let shape = try Shape(batch)
        if outputs.pointee.hessian != nil && loss.loss.info.hessian == .none {
            throw HostError(LH_ERR_UNSUPPORTED, "loss '\(loss.loss.info.id)' provides no Hessian")
        }
        let totals: (sum: Double, normalizer: Double)
        switch batch.dtype {
        case LH_HOST_F64: totals = try run(Double.self, loss, shape, batch, outputs.pointee, reduction)
        case LH_HOST_F32: totals = try run(Float.self, loss, shape, batch, outputs.pointee, reduction)
        default: throw .argument("unknown dtype \(batch.dtype) (expected LH_HOST_F64 = 0 or LH_HOST_F32 = 1)")
        }
        outputs.pointee.sum = totals.sum
        outputs.pointee.normalizer = totals.normalizer
        outputs.pointee.value = reduction == .mean ? totals.sum / totals.normalizer : totals.sum
    }

    static func reduction(_ code: Int32) throws(HostError) -> Reduction {
        switch code {
        case LH_HOST_MEAN: .mean
        case LH_HOST_SUM: .sum
        case LH_HOST_NONE: .none
        default: throw .argument("unknown reduction \(code) (expected LH_HOST_MEAN = 0, LH_HOST_SUM = 1 or LH_HOST_NONE = 2)")
        }
    }

    /// Stands in for a buffer the caller may leave NULL because it has 0 rows.
    private static func placeholder<S>(_: S.Type) -> UnsafeMutablePointer<S>? {
        UnsafeMutablePointer<S>(bitPattern: MemoryLayout<S>.alignment)
    }

    /// An input buffer of the batch; NULL only when there are no rows.
    static func input<S>(_ pointer: UnsafeRawPointer?, _ name: String, rows: Int, as _: S.Type) throws(HostError) -> UnsafePointer<S> {
        if let pointer { return pointer.assumingMemoryBound(to: S.self) }
        guard rows == 0, let empty = placeholder(S.self) else { throw .argument("batch.\(name) is NULL") }
        return UnsafePointer(empty)
    }

    private static func run<S: KernelScalar>(_: S.Type, _ loss: HostLoss, _ shape: Shape, _ batch: lh_host_batch,
                                             _ outputs: lh_host_outputs, _ reduction: Reduction) throws(HostError) -> (sum: Double, normalizer: Double) {
        let pred = try input(batch.pred, "pred", rows: shape.rows, as: S.self)
        let target = try input(batch.target, "target", rows: shape.rows, as: S.self)
        let weight = batch.weight?.assumingMemoryBound(to: S.self)
        if !loss.host.options.allowNonFinite {
            let threads = loss.host.options.threads
            try checkFinite(pred, rows: shape.rows, columns: shape.predColumns, "pred", threads: threads)
            try checkFinite(target, rows: shape.rows, columns: shape.targetColumns, "target", threads: threads)
        }
        let values = outputs.values?.assumingMemoryBound(to: S.self)
        let gradient = outputs.gradient?.assumingMemoryBound(to: S.self)
        let hessian = outputs.hessian?.assumingMemoryBound(to: S.self)
        do {
            return try loss.call { () throws(EvaluationError) in
                try Evaluator.evaluate(loss.instance, rows: shape.rows, predColumns: shape.predColumns,
                                       targetColumns: shape.targetColumns, pred: pred, target: target, weight: weight,
                                       values: values, gradient: gradient, hessian: hessian, reduction: reduction,
                                       threads: loss.host.options.threads)
            }
        } catch {
            throw .evaluation(error)
        }
    }

    /// Refuses NaN and infinities, as the CLI's readers do without --allow-nonfinite
    /// (`NonFiniteScan`: vectorised, over the host's threads).
    static func checkFinite<S: KernelScalar>(_ p: UnsafePointer<S>, rows: Int, columns: Int, _ name: String,
                                             threads: Int) throws(HostError) {
        let dtype: DType = S.self == Float.self ? .f32 : .f64
        guard let i = NonFiniteScan.first(UnsafeRawPointer(p), count: rows * columns, dtype: dtype, threads: threads) else { return }
        throw .argument("\(name): row \(i / columns + 1), column \(i % columns + 1): non-finite value '\(formatNumber(p[i].asDouble))' (set LH_HOST_ALLOW_NONFINITE to accept it)")
    }
}

extension HostEvaluation {
    /// `lh_host_loss_optimal_constant`: the targets of the batch (float32 ones
    /// widened), its weights, `pred_columns` values written to `out`.
    static func optimalConstant(_ loss: HostLoss, _ batch: lh_host_batch, _ out: UnsafeMutablePointer<Double>) throws(HostError) {
        try checkStructSize(batch.struct_size, "lh_host_batch", MemoryLayout<lh_host_batch>.size)
        let shape = try Shape(batch)
        let constant: [Double]
        switch batch.dtype {
        case LH_HOST_F64:
            let target = try input(batch.target, "target", rows: shape.rows, as: Double.self)
            constant = try optimalConstant(loss, shape, target, batch.weight?.assumingMemoryBound(to: Double.self))
        case LH_HOST_F32:
            let target32 = try input(batch.target, "target", rows: shape.rows, as: Float.self)
            let target = UnsafeBufferPointer(start: target32, count: shape.rows * shape.targetColumns).map { Double($0) }
            let weight = batch.weight.map { w in
                UnsafeBufferPointer(start: w.assumingMemoryBound(to: Float.self), count: shape.rows).map { Double($0) }
            }
            constant = try target.withUnsafeBufferPointer { (t) throws(HostError) in
                let base = try input(t.baseAddress.map(UnsafeRawPointer.init), "target", rows: 0, as: Double.self)
                guard let weight else { return try optimalConstant(loss, shape, base, nil) }
                return try weight.withUnsafeBufferPointer { (w) throws(HostError) in
                    try optimalConstant(loss, shape, base, w.baseAddress)
                }
            }
        default: throw .argument("unknown dtype \(batch.dtype) (expected LH_HOST_F64 = 0 or LH_HOST_F32 = 1)")
        }
        for (j, c) in constant.enumerated() { out[j] = c }
    }

    private static func optimalConstant(_ loss: HostLoss, _ shape: Shape, _ target: UnsafePointer<Double>,
                                        _ weight: UnsafePointer<Double>?) throws(HostError) -> [Double] {
        if !loss.host.options.allowNonFinite {
            try checkFinite(target, rows: shape.rows, columns: shape.targetColumns, "target", threads: loss.host.options.threads)
        }
        do {
            return try loss.call { () throws(EvaluationError) in
                try OptimalConstant.find(loss.instance, rows: shape.rows, predColumns: shape.predColumns,
                                         targetColumns: shape.targetColumns, target: target, weight: weight,
                                         threads: loss.host.options.threads)
            }
        } catch {
            throw .evaluation(error)
        }
    }
}
