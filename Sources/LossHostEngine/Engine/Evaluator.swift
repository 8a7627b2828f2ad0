import Dispatch
import LossHostABI
import LossHostIO
import LossKit
import LossHostSystem

/// What to compute.
public struct EvaluationOptions: Sendable {
    public var reduction: Reduction
    public var gradient: Bool
    public var hessian: Bool
    /// Per-element / per-row values even when the reduction is not `none` (for `compare`).
    public var values: Bool
    /// Worker threads; 0 means every core.
    public var threads: Int
    /// The element type to evaluate in; nil: the type of pred (float32 only for
    /// float32 `.npy` input).
    public var dtype: DType?
    /// Evaluate NaN and infinite pred and target values; false refuses them
    /// (`FailureKind.nonFiniteInput`). Callers that make their own inputs
    /// (fit, plot) leave it true; `eval` and the C host API follow their setting.
    public var allowNonFinite: Bool

    public init(reduction: Reduction = .mean, gradient: Bool = false, hessian: Bool = false,
                values: Bool = false, threads: Int = 0, dtype: DType? = nil, allowNonFinite: Bool = true) {
        self.reduction = reduction
        self.gradient = gradient
        self.hessian = hessian
        self.values = values
        self.threads = threads
        self.dtype = dtype
        self.allowNonFinite = allowNonFinite
    }
}

/// The result of one evaluation. Gradient and Hessian are of the reduced scalar.
public struct Evaluation: Sendable {
    public var rows: Int
    public var columns: Int
    /// The reduced value (mean or sum); for `none`, the sum.
    public var value: Double
    /// The weighted sum and the `mean` denominator.
    public var sum: Double
    public var normalizer: Double
    /// Per-element or per-row values (weighted), when asked or reduction is `none`.
    /// For a float32 evaluation these are nil until `widenFloat32()`; the
    /// float32 results are in `valuesF32` etc.
    public var values: [Double]?
    public var gradient: [Double]?
    public var hessian: [Double]?
    /// The element type the loss was evaluated in.
    public var dtype: DType = .f64
    public var valuesF32: [Float]? = nil
    public var gradientF32: [Float]? = nil
    public var hessianF32: [Float]? = nil

    /// For a float32 evaluation: fills `values`, `gradient` and `hessian` with
    /// the float32 results widened (exactly) to float64.
    public mutating func widenFloat32() {
        guard dtype == .f32 else { return }
        values = valuesF32.map { a in a.map { Double($0) } }
        gradient = gradientF32.map { a in a.map { Double($0) } }
        hessian = hessianF32.map { a in a.map { Double($0) } }
    }

    public init(rows: Int, columns: Int, value: Double, sum: Double, normalizer: Double,
                values: [Double]?, gradient: [Double]?, hessian: [Double]?) {
        self.rows = rows
        self.columns = columns
        self.value = value
        self.sum = sum
        self.normalizer = normalizer
        self.values = values
        self.gradient = gradient
        self.hessian = hessian
    }
}

/// Evaluates a loss instance over whole inputs: checks shapes and weights,
/// splits rows into fixed chunks spread over threads, and combines the chunks'
/// sums in chunk order, so the result does not depend on the thread count.
///
/// For `mean`, the gradient and Hessian are scaled chunk by chunk right after
/// each chunk is computed (while it is still in cache): the normalizer is
/// predicted before evaluation (pred columns × Σ weights for element-wise
/// losses, Σ weights for row losses), and in the rare case the plugin reports
/// another one (e.g. cross_entropy with class weights) a correction pass follows.
public enum Evaluator {
    /// Elements per chunk: big enough to amortise a call, small enough for cache.
    public static let chunkElements = 1 << 15

    /// Evaluates float64 matrices (or in `options.dtype`).
    public static func evaluate(_ instance: LossInstance, pred: Matrix, target: Matrix, weight: [Double]? = nil,
                                options: EvaluationOptions) throws(EvaluationError) -> Evaluation {
        if let dtype = options.dtype, dtype != .f64 {
            return try evaluate(instance, pred: NumericArray(pred), target: NumericArray(target), weight: weight, options: options)
        }
        // float64 in memory: read in place, with no wrapper to allocate.
        let result = pred.values.withUnsafeBytes { p in
            target.values.withUnsafeBytes { t in
                Result { () throws(EvaluationError) -> Evaluation in
                    try evaluate(instance, pred: Input(p.baseAddress, rows: pred.rows, columns: pred.columns),
                                 target: Input(t.baseAddress, rows: target.rows, columns: target.columns),
                                 dtype: .f64, weight: weight, options: options)
                }
            }
        }
        return try result.get()
    }

    /// Evaluates arrays in `options.dtype` (default: pred's). float32 goes to the
    /// plugin's `evaluate_f32` when it has one; otherwise the host converts to
    /// float64 and the outputs back.
    public static func evaluate(_ instance: LossInstance, pred: NumericArray, target: NumericArray, weight: [Double]? = nil,
                                options: EvaluationOptions) throws(EvaluationError) -> Evaluation {
        let dtype = options.dtype ?? pred.dtype
        let p = pred.converted(to: dtype), t = target.converted(to: dtype)
        return try p.withRawPointer { (pp) throws(EvaluationError) in
            try t.withRawPointer { (tp) throws(EvaluationError) in
                try evaluate(instance, pred: Input(pp, rows: p.rows, columns: p.columns), target: Input(tp, rows: t.rows, columns: t.columns),
                             dtype: dtype, weight: weight, options: options)
            }
        }
    }

    /// A row-major input of the evaluation's element type.
    private struct Input {
        let base: UnsafeRawPointer
        let rows: Int
        let columns: Int

        /// `base` nil (an empty array) stands for any aligned address: nothing is read.
        init(_ base: UnsafeRawPointer?, rows: Int, columns: Int) {
            self.base = base ?? UnsafeRawPointer(bitPattern: 64)!
            self.rows = rows
            self.columns = columns
        }
    }

    /// The two public forms' evaluation, with new output arrays.
    private static func evaluate(_ instance: LossInstance, pred: Input, target: Input, dtype: DType, weight: [Double]?,
                                 options: EvaluationOptions) throws(EvaluationError) -> Evaluation {
        let info = instance.loss.info
        try ShapeCheck.check(info, predRows: pred.rows, predColumns: pred.columns, targetRows: target.rows,
                             targetColumns: target.columns, weightCount: weight?.count)
        if options.hessian && info.hessian == .none {
            throw EvaluationError("loss '\(info.id)' provides no Hessian")
        }
        var result: Evaluation
        switch dtype {
        case .f64:
            let out = try outputs(instance, pred, target, weight, Double.self, options: options)
            result = Evaluation(rows: pred.rows, columns: pred.columns, value: out.totals.value, sum: out.totals.sum,
                                normalizer: out.totals.normalizer, values: out.values, gradient: out.gradient, hessian: out.hessian)
        case .f32:
            let out = try outputs(instance, pred, target, weight.map { w in w.map { Float($0) } }, Float.self, options: options)
            // The float32 arrays only; `widenFloat32()` fills the float64 ones for printing.
            result = Evaluation(rows: pred.rows, columns: pred.columns, value: out.totals.value, sum: out.totals.sum,
                                normalizer: out.totals.normalizer, values: nil, gradient: nil, hessian: nil)
            result.dtype = .f32
            result.valuesF32 = out.values
            result.gradientF32 = out.gradient
            result.hessianF32 = out.hessian
        }
        return result
    }

    /// The per-element outputs `options` asks for, in `S`, and the totals.
    private static func outputs<S: KernelScalar>(
        _ instance: LossInstance, _ pred: Input, _ target: Input, _ weight: [S]?, _: S.Type, options: EvaluationOptions
    ) throws(EvaluationError) -> (values: [S]?, gradient: [S]?, hessian: [S]?, totals: Totals) {
        let rows = pred.rows, d = pred.columns
        let valueCount = instance.loss.info.reduce == .elementwise ? rows * d : rows
        var values: [S]? = options.values || options.reduction == .none ? uninitializedArray(valueCount) : nil
        var gradient: [S]? = options.gradient ? uninitializedArray(rows * d) : nil
        var hessian: [S]? = options.hessian ? uninitializedArray(rows * d) : nil
        let pp = pred.base.assumingMemoryBound(to: S.self), tp = target.base.assumingMemoryBound(to: S.self)
        let totals = withOptionalBuffer(weight) { wp in
            withOutputs(&values, &gradient, &hessian) { v, g, h -> Result<Totals, EvaluationError> in
                do throws(EvaluationError) {
                    return .success(try evaluateChecked(
                        instance, rows: rows, predColumns: d, targetColumns: target.columns, pred: pp, target: tp,
                        weight: wp, values: v, gradient: g, hessian: h, reduction: options.reduction,
                        threads: options.threads, allowNonFinite: options.allowNonFinite))
                } catch {
                    return .failure(error)
                }
            }
        }
        return (values, gradient, hessian, try totals.get())
    }

    /// What an evaluation over buffers returns: the weighted sum, the `mean`
    /// denominator and the reduced value (the sum for `sum` and `none`).
    public struct Totals: Sendable {
        public var sum: Double
        public var normalizer: Double
        public var value: Double
        /// Found when asked (`facts`), else empty.
        public var facts = DerivativeFacts()
    }

    /// Evaluates over caller-owned row-major buffers of either element type,
    /// with no copy: the one evaluation every client runs. Checks shapes,
    /// weights and Hessian support, refuses non-finite pred and target values
    /// unless `allowNonFinite`, fills the outputs of a plugin other than the
    /// built-ins with `UnwrittenOutput`'s marker (an element it leaves unwritten
    /// is an error), and reduces (`mean` over a normalizer of 0 is an error).
    /// Outputs need not be initialised. Gradient and Hessian are of the reduced
    /// value (of the sum for `none`). All of it in one pass over the data (`ChunkGuards`).
    /// `sum` false: the plugin is not asked for the sum, and `sum` and `value`
    /// are NaN (for trainers that want only derivatives); `facts`: the result
    /// carries the derivatives' `DerivativeFacts`.
    @_specialize(where S == Double) @_specialize(where S == Float)
    public static func evaluate<S: KernelScalar>(
        _ instance: LossInstance, rows: Int, predColumns: Int, targetColumns: Int,
        pred: UnsafePointer<S>, target: UnsafePointer<S>, weight: UnsafePointer<S>?,
        values: UnsafeMutablePointer<S>?, gradient: UnsafeMutablePointer<S>?, hessian: UnsafeMutablePointer<S>?,
        reduction: Reduction, threads: Int, allowNonFinite: Bool, sum: Bool = true, facts: Bool = false
    ) throws(EvaluationError) -> Totals {
        try ShapeCheck.check(instance.loss.info, predRows: rows, predColumns: predColumns, targetRows: rows,
                             targetColumns: targetColumns, weightCount: nil)
        return try evaluateChecked(instance, rows: rows, predColumns: predColumns, targetColumns: targetColumns,
                                   pred: pred, target: target, weight: weight, values: values, gradient: gradient,
                                   hessian: hessian, reduction: reduction, threads: threads, allowNonFinite: allowNonFinite,
                                   sum: sum, facts: facts)
    }

    /// `evaluate` over buffers whose shapes `ShapeCheck` has accepted.
    private static func evaluateChecked<S: KernelScalar>(
        _ instance: LossInstance, rows: Int, predColumns d: Int, targetColumns: Int,
        pred: UnsafePointer<S>, target: UnsafePointer<S>, weight: UnsafePointer<S>?,
        values: UnsafeMutablePointer<S>?, gradient: UnsafeMutablePointer<S>?, hessian: UnsafeMutablePointer<S>?,
        reduction: Reduction, threads: Int, allowNonFinite: Bool, sum wantsSum: Bool = true, facts: Bool = false
    ) throws(EvaluationError) -> Totals {
        let info = instance.loss.info
        if let weight { try checkWeights(weight, rows) }
        if hessian != nil && info.hessian == .none {
            throw EvaluationError("loss '\(info.id)' provides no Hessian")
        }
        // The built-in losses write every element; any other plugin's outputs start as the marker.
        let guards = ChunkGuards(refuseNonFinite: !allowNonFinite, markOutputs: instance.loss.origin != .builtIn,
                                 sum: wantsSum, facts: facts)
        let totals = try run(instance, rows: rows, predColumns: d, targetColumns: targetColumns, pred: pred,
                             target: target, weight: weight, values: values, gradient: gradient, hessian: hessian,
                             reduction: reduction, threads: threads, guards: guards).get()
        let value = try reduction.value(sum: totals.sum, normalizer: totals.normalizer, rows: rows, weight: weight)
        return Totals(sum: totals.sum, normalizer: totals.normalizer, value: value, facts: totals.facts)
    }

    /// What `run` returns: the sum, the normalizer, and the facts when asked.
    package typealias RunTotals = (sum: Double, normalizer: Double, facts: DerivativeFacts)

    /// The whole evaluation over caller-owned buffers (outputs need not be
    /// initialised): chunks over threads, each scanned, evaluated, checked and
    /// (`mean`) scaled in one pass as `guards` say, partial sums in chunk order.
    /// Inputs must already fit the loss (`ShapeCheck`) and weights be valid.
    /// Returns the sum, the normalizer and the facts.
    @_specialize(where S == Double) @_specialize(where S == Float)
    package static func run<S: KernelScalar>(
        _ instance: LossInstance, rows: Int, predColumns d: Int, targetColumns: Int,
        pred: UnsafePointer<S>, target: UnsafePointer<S>, weight: UnsafePointer<S>?,
        values: UnsafeMutablePointer<S>?, gradient: UnsafeMutablePointer<S>?, hessian: UnsafeMutablePointer<S>?,
        reduction: Reduction, threads: Int, guards: ChunkGuards = ChunkGuards()
    ) -> Result<RunTotals, EvaluationError> {
        if S.self == Float.self && !instance.supportsFloat32 {
            return runConverted(instance, rows: rows, predColumns: d, targetColumns: targetColumns, pred: pred, target: target,
                                weight: weight, values: values, gradient: gradient, hessian: hessian,
                                reduction: reduction, threads: threads, guards: guards)
        }
        let info = instance.loss.info
        let elementwise = info.reduce == .elementwise
        let perValue = elementwise ? d : 1
        let chunkRows = max(1, chunkElements / max(d, 1))
        let chunkCount = max(1, (rows + chunkRows - 1) / chunkRows)

        // The `mean` normalizer, predicted the way the kit computes it, chunk by chunk.
        var scale = 0.0
        var predicted = 0.0
        if reduction == .mean && (gradient != nil || hessian != nil) {
            for c in 0..<chunkCount {
                let start = c * chunkRows, n = min(rows, start + chunkRows) - start
                if let weight {
                    if elementwise {
                        predicted += Double(d) * Kernels.weightSum(weight + start, n)
                    } else {
                        var s = 0.0
                        for r in start..<start + n { s += weight[r].asDouble }
                        predicted += s
                    }
                } else {
                    predicted += elementwise ? Double(d) * Double(n) : Double(n)
                }
            }
            if predicted != 0 && predicted.isFinite { scale = 1 / predicted }
        }
        let scaling = scale != 0

        let plan = ChunkPlan(instance: instance, rows: rows, predColumns: d, targetColumns: targetColumns, chunkRows: chunkRows,
                             perValue: perValue, pred: pred, target: target, weight: weight, values: values, gradient: gradient,
                             hessian: hessian, guards: guards, scale: scale,
                             normalizer: guards.sum || (reduction == .mean && (gradient != nil || hessian != nil)))
        let workers = info.threadSafe ? min(chunkCount, threads > 0 ? threads : System.coreCount) : 1
        var tally = ChunkTally()
        if workers <= 1 {
            // The common small call (one chunk) and single-threaded ones: on this
            // thread, in chunk order, with nothing allocated.
            for c in 0..<chunkCount {
                let outcome = plan.evaluate(chunk: c)
                tally.add(outcome)
                if outcome.stops { break }  // its error (or an earlier one) is the answer
            }
        } else {
            // Chunks after one that failed are skipped: its error (or an earlier one) is the answer.
            let outcomes = UnsafeMutablePointer<ChunkOutcome>.allocate(capacity: chunkCount)
            defer {
                outcomes.deinitialize(count: chunkCount)
                outcomes.deallocate()
            }
            let firstFailed = ChunkIndex(.max)
            forEachChunk(chunkCount, workers: workers) { c in
                guard c < firstFailed.current else { return (outcomes + c).initialize(to: .skipped) }
                let outcome = plan.evaluate(chunk: c)
                if outcome.stops { firstFailed.lower(to: c) }
                (outcomes + c).initialize(to: outcome)
            }
            for c in 0..<chunkCount { tally.add(outcomes[c]) }
        }
        if tally.faulty {
            // The errors of separate passes, in their order: the inputs' scan, the calls, the outputs' check.
            do throws(EvaluationError) {
                if guards.refuseNonFinite {
                    try NonFiniteInput.check(pred, rows: rows, columns: d, threads: threads, .pred)
                    try NonFiniteInput.check(target, rows: rows, columns: targetColumns, threads: threads, .target)
                }
                if let failure = tally.failure { throw failure }
                try UnwrittenOutput.check(instance.loss, [("values", values, elementwise ? rows * d : rows, perValue),
                                                          ("gradient", gradient, rows * d, d), ("hessian", hessian, rows * d, d)])
            } catch {
                return .failure(error)
            }
        }
        if scaling && tally.normalizer.bitPattern != predicted.bitPattern {
            // The plugin's normalizer is not the predicted one: rescale to 1 / normalizer.
            let fix = predicted / tally.normalizer
            if let gradient { scaleInPlace(gradient, rows * d, by: fix) }
            if let hessian { scaleInPlace(hessian, rows * d, by: fix) }
        } else if reduction == .mean && !scaling && (gradient != nil || hessian != nil) {
            let late = 1 / tally.normalizer
            if let gradient { scaleInPlace(gradient, rows * d, by: late) }
            if let hessian { scaleInPlace(hessian, rows * d, by: late) }
        }
        return .success((tally.sum, tally.normalizer, tally.facts))
    }

    /// float32 for a float64-only plugin: the host widens the inputs, evaluates
    /// in float64 and rounds the outputs.
    private static func runConverted<S: KernelScalar>(
        _ instance: LossInstance, rows: Int, predColumns d: Int, targetColumns: Int,
        pred: UnsafePointer<S>, target: UnsafePointer<S>, weight: UnsafePointer<S>?,
        values: UnsafeMutablePointer<S>?, gradient: UnsafeMutablePointer<S>?, hessian: UnsafeMutablePointer<S>?,
        reduction: Reduction, threads: Int, guards: ChunkGuards
    ) -> Result<RunTotals, EvaluationError> {
        let valueCount = instance.loss.info.reduce == .elementwise ? rows * d : rows
        func widen(_ p: UnsafePointer<S>, _ n: Int) -> UnsafeMutablePointer<Double> {
            let out = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1))
            for i in 0..<n { out[i] = p[i].asDouble }
            return out
        }
        let p = widen(pred, rows * d), t = widen(target, rows * targetColumns)
        let w = weight.map { widen($0, rows) }
        func output(_ n: Int) -> UnsafeMutablePointer<Double> {
            let out = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1))
            UnwrittenOutput.fill(out, count: n)
            return out
        }
        let v = values.map { _ in output(valueCount) }
        let g = gradient.map { _ in output(rows * d) }
        let h = hessian.map { _ in output(rows * d) }
        defer {
            for buffer in [p, t, w, v, g, h] { buffer?.deallocate() }
        }
        // The outputs are marked and checked here, and the facts are of the rounded outputs.
        var inner = guards
        inner.markOutputs = false
        inner.facts = false
        var result = run(instance, rows: rows, predColumns: d, targetColumns: targetColumns, pred: UnsafePointer(p),
                         target: UnsafePointer(t), weight: w.map { UnsafePointer($0) }, values: v, gradient: g, hessian: h,
                         reduction: reduction, threads: threads, guards: inner)
        if case .success(let totals) = result {
            // The float32 buffers cannot hold the float64 marker: the plugin's writes are checked here.
            let perValue = instance.loss.info.reduce == .elementwise ? d : 1
            do throws(EvaluationError) {
                try UnwrittenOutput.check(instance.loss, [("values", v, valueCount, perValue), ("gradient", g, rows * d, d),
                                                          ("hessian", h, rows * d, d)])
            } catch {
                return .failure(error)
            }
            if let values, let v { for i in 0..<valueCount { values[i] = S(fromDouble: v[i]) } }
            if let gradient, let g { for i in 0..<rows * d { gradient[i] = S(fromDouble: g[i]) } }
            if let hessian, let h { for i in 0..<rows * d { hessian[i] = S(fromDouble: h[i]) } }
            if guards.facts {
                let facts = DerivativeFacts.of(gradient: gradient.map { UnsafePointer($0) }, hessian: hessian.map { UnsafePointer($0) },
                                               start: 0, count: rows * d)
                result = .success((totals.sum, totals.normalizer, facts))
            }
        }
        return result
    }

    @inline(__always)
    static func scaleInPlace<S: KernelScalar>(_ p: UnsafeMutablePointer<S>, _ count: Int, by scale: Double) {
        for i in 0..<count { p[i] = S(fromDouble: p[i].asDouble * scale) }
    }

    /// Weights must be finite and >= 0: a branch-free scan, then the slow search for the message.
    static func checkWeights<S: KernelScalar>(_ weight: UnsafePointer<S>, _ count: Int) throws(EvaluationError) {
        var bad: UInt8 = 0
        for i in 0..<count {
            let x = weight[i].asDouble
            bad |= (x >= 0 && x < .infinity) ? 0 : 1
        }
        guard bad != 0 else { return }
        for i in 0..<count {
            let w = weight[i].asDouble
            if !(w >= 0) || w.isInfinite {
                throw EvaluationError("weight \(formatNumber(w)) must be a finite number >= 0", input: .weight, row: i, column: 0)
            }
        }
    }

    /// An output array left uninitialised: `evaluate` fills it (with the
    /// unwritten marker first, for plugins other than the built-ins).
    static func uninitializedArray<S: KernelScalar>(_ count: Int) -> [S] {
        [S](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    private static func withOptionalBuffer<S, R>(_ array: [S]?, _ body: (UnsafePointer<S>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    private static func withOutputs<S: KernelScalar, R>(
        _ values: inout [S]?, _ gradient: inout [S]?, _ hessian: inout [S]?,
        _ body: (UnsafeMutablePointer<S>?, UnsafeMutablePointer<S>?, UnsafeMutablePointer<S>?) -> R
    ) -> R {
        withOptionalMutableBuffer(&values) { v in
            withOptionalMutableBuffer(&gradient) { g in
                withOptionalMutableBuffer(&hessian) { h in body(v, g, h) }
            }
        }
    }

    private static func withOptionalMutableBuffer<S, R>(_ array: inout [S]?, _ body: (UnsafeMutablePointer<S>?) -> R) -> R {
        guard array != nil else { return body(nil) }
        return array!.withUnsafeMutableBufferPointer { body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!) }
    }
}
