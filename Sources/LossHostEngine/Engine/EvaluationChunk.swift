import LossKit

extension Evaluator {
    /// How one chunk of `run` ended.
    enum ChunkOutcome {
        case done(sum: Double, normalizer: Double, facts: DerivativeFacts)
        /// A non-finite pred or target value: the whole-buffer scan names the first.
        case nonFiniteInput
        /// An output left unwritten: the whole-buffer check names the first.
        case unwritten
        case failed(EvaluationError)
        /// Not evaluated: an earlier chunk failed.
        case skipped

        /// Whether later chunks cannot matter (this failure, or an earlier one, wins).
        var stops: Bool {
            switch self {
            case .nonFiniteInput, .failed: true
            case .done, .unwritten, .skipped: false
            }
        }
    }

    /// One evaluation's buffers and settings, split into chunks of `chunkRows`
    /// rows: a value, so that running a chunk on the calling thread builds no
    /// closure and allocates nothing.
    struct ChunkPlan<S: KernelScalar> {
        let instance: LossInstance
        let rows: Int
        let predColumns: Int
        let targetColumns: Int
        let chunkRows: Int
        /// Elements per value: the pred columns for element-wise losses, 1 for row losses.
        let perValue: Int
        let pred: UnsafePointer<S>
        let target: UnsafePointer<S>
        let weight: UnsafePointer<S>?
        let values: UnsafeMutablePointer<S>?
        let gradient: UnsafeMutablePointer<S>?
        let hessian: UnsafeMutablePointer<S>?
        let guards: ChunkGuards
        /// 1 / the predicted `mean` normalizer, applied to each chunk's derivatives; 0: none.
        let scale: Double
        /// Whether the plugin is asked for the normalizer.
        let normalizer: Bool

        /// Chunk `c` scanned, evaluated, checked and scaled as `guards` say.
        @_specialize(where S == Double) @_specialize(where S == Float)
        func evaluate(chunk c: Int) -> ChunkOutcome {
            let d = predColumns
            let start = c * chunkRows, end = min(rows, start + chunkRows), n = end - start
            if guards.refuseNonFinite && (NonFiniteInput.first(pred + start * d, count: n * d) != nil
                                          || NonFiniteInput.first(target + start * targetColumns, count: n * targetColumns) != nil) {
                return .nonFiniteInput
            }
            let v = values.map { $0 + start * perValue }, g = gradient.map { $0 + start * d }, h = hessian.map { $0 + start * d }
            if guards.markOutputs {
                UnwrittenOutput.fill(v, count: n * perValue)
                UnwrittenOutput.fill(g, count: n * d)
                UnwrittenOutput.fill(h, count: n * d)
            }
            let r: (sum: Double, normalizer: Double)
            do throws(EvaluationError) {
                r = try instance.evaluate(
                    rows: start..<end, predColumns: d, targetColumns: targetColumns, pred: pred, target: target,
                    weight: weight, values: v, gradient: g, hessian: h, sum: guards.sum, normalizer: normalizer)
            } catch {
                return .failed(error)
            }
            if guards.markOutputs && (UnwrittenOutput.any(v, count: n * perValue) || UnwrittenOutput.any(g, count: n * d)
                                      || UnwrittenOutput.any(h, count: n * d)) {
                return .unwritten
            }
            if scale != 0 {
                if let g { scaleInPlace(g, n * d, by: scale) }
                if let h { scaleInPlace(h, n * d, by: scale) }
            }
            let facts = guards.facts ? DerivativeFacts.of(gradient: g.map { UnsafePointer($0) }, hessian: h.map { UnsafePointer($0) },
                                                          start: start * d, count: n * d) : DerivativeFacts()
            return .done(sum: r.sum, normalizer: r.normalizer, facts: facts)
        }
    }

    /// The chunks' outcomes combined in chunk order: partial sums, facts, and
    /// whether some chunk found a fault (the first plugin failure kept).
    struct ChunkTally {
        var sum = 0.0
        var normalizer = 0.0
        var facts = DerivativeFacts()
        var failure: EvaluationError?
        var faulty = false

        mutating func add(_ outcome: ChunkOutcome) {
            switch outcome {
            case .done(let s, let n, let f):
                sum += s
                normalizer += n
                facts = facts.then(f)
            case .failed(let error):
                failure = failure ?? error
                faulty = true
            case .nonFiniteInput, .unwritten, .skipped:
                faulty = true
            }
        }
    }
}
