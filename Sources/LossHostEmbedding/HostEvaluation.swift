import CLossHost
import LossHostEngine
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

    /// The size of a 1.1 `lh_host_outputs`: the fields before `flags`.
    static let outputsSize11 = MemoryLayout<lh_host_outputs>.offset(of: \lh_host_outputs.flags)!

    static func evaluate(_ loss: HostLoss, _ batch: lh_host_batch, _ outputs: UnsafeMutablePointer<lh_host_outputs>) throws(HostError) {
        try checkStructSize(batch.struct_size, "lh_host_batch", MemoryLayout<lh_host_batch>.size)
        // Fields are read one by one: a 1.1 caller's struct ends at `flags`.
        try checkStructSize(outputs.pointee.struct_size, "lh_host_outputs", outputsSize11, version: "1.1")
        let has12 = Int(outputs.pointee.struct_size) >= MemoryLayout<lh_host_outputs>.size
        let flags = has12 ? outputs.pointee.flags : 0
        let known = UInt32(LH_HOST_OUTPUT_NO_SUM | LH_HOST_OUTPUT_FACTS)
        guard flags & ~known == 0 else {
            throw .argument("unknown lh_host_outputs.flags bits 0x\(String(flags & ~known, radix: 16))")
        }
        let request = Request(reduction: try self.reduction(outputs.pointee.reduction), values: outputs.pointee.values,
                              gradient: outputs.pointee.gradient, hessian: outputs.pointee.hessian,
                              sum: flags & UInt32(LH_HOST_OUTPUT_NO_SUM) == 0, facts: flags & UInt32(LH_HOST_OUTPUT_FACTS) != 0)
        let shape = try Shape(batch)
        if request.hessian != nil && loss.loss.info.hessian == .none {
            throw HostError(LH_ERR_UNSUPPORTED, "loss '\(loss.loss.info.id)' provides no Hessian")
        }
        let totals: Evaluator.Totals
        switch batch.dtype {
        case LH_HOST_F64: totals = try run(Double.self, loss, shape, batch, request)
        case LH_HOST_F32: totals = try run(Float.self, loss, shape, batch, request)
        default: throw .argument("unknown dtype \(batch.dtype) (expected LH_HOST_F64 = 0 or LH_HOST_F32 = 1)")
        }
        outputs.pointee.sum = totals.sum
        outputs.pointee.normalizer = totals.normalizer
        outputs.pointee.value = totals.value
        if request.facts {
            outputs.pointee.gradient_nonfinite_first = Int64(totals.facts.firstNonFiniteGradient ?? -1)
            outputs.pointee.hessian_negative_first = Int64(totals.facts.firstBadHessian ?? -1)
            outputs.pointee.hessian_zero_first = Int64(totals.facts.firstZeroHessian ?? -1)
        }
    }

    /// What the caller's `lh_host_outputs` asks for.
    struct Request {
        let reduction: Reduction
        let values: UnsafeMutableRawPointer?
        let gradient: UnsafeMutableRawPointer?
        let hessian: UnsafeMutableRawPointer?
        let sum: Bool
        let facts: Bool
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

    /// The engine's evaluation (the CLI's) over the caller's buffers.
    private static func run<S: KernelScalar>(_: S.Type, _ loss: HostLoss, _ shape: Shape, _ batch: lh_host_batch,
                                             _ outputs: Request) throws(HostError) -> Evaluator.Totals {
        let pred = try input(batch.pred, "pred", rows: shape.rows, as: S.self)
        let target = try input(batch.target, "target", rows: shape.rows, as: S.self)
        let weight = batch.weight?.assumingMemoryBound(to: S.self)
        let values = outputs.values?.assumingMemoryBound(to: S.self)
        let gradient = outputs.gradient?.assumingMemoryBound(to: S.self)
        let hessian = outputs.hessian?.assumingMemoryBound(to: S.self)
        do {
            return try loss.call { () throws(EvaluationError) in
                try Evaluator.evaluate(loss.instance, rows: shape.rows, predColumns: shape.predColumns,
                                       targetColumns: shape.targetColumns, pred: pred, target: target, weight: weight,
                                       values: values, gradient: gradient, hessian: hessian, reduction: outputs.reduction,
                                       threads: loss.host.options.threads, allowNonFinite: loss.host.options.allowNonFinite,
                                       sum: outputs.sum, facts: outputs.facts)
            }
        } catch {
            throw .evaluation(error)
        }
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
        do {
            return try loss.call { () throws(EvaluationError) in
                try OptimalConstant.find(loss.instance, rows: shape.rows, predColumns: shape.predColumns,
                                         targetColumns: shape.targetColumns, target: target, weight: weight,
                                         threads: loss.host.options.threads, allowNonFinite: loss.host.options.allowNonFinite)
            }
        } catch {
            throw .evaluation(error)
        }
    }
}
