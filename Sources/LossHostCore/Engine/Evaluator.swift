import Dispatch
import LossKit

/// What to compute.
public struct EvaluationOptions: Sendable {
    public var reduction: Reduction
    public var gradient: Bool
    public var hessian: Bool
    /// Per-element / per-row values even when the reduction is not `none` (for `compare`).
    public var values: Bool
    /// Worker threads; 0 means every core.
    public var threads: Int

    public init(reduction: Reduction = .mean, gradient: Bool = false, hessian: Bool = false,
                values: Bool = false, threads: Int = 0) {
        self.reduction = reduction
        self.gradient = gradient
        self.hessian = hessian
        self.values = values
        self.threads = threads
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
    public var values: [Double]?
    public var gradient: [Double]?
    public var hessian: [Double]?
}

/// Evaluates a loss instance over whole inputs: checks shapes and weights,
/// splits rows into fixed chunks spread over threads, and combines the chunks'
/// sums in chunk order, so the result does not depend on the thread count.
public enum Evaluator {
    /// Elements per chunk: big enough to amortise a call, small enough for cache.
    public static let chunkElements = 1 << 15

    public static func evaluate(_ instance: LossInstance, pred: Matrix, target: Matrix, weight: [Double]? = nil,
                                options: EvaluationOptions) throws(EvaluationError) -> Evaluation {
        let info = instance.loss.info
        try ShapeCheck.check(info, predRows: pred.rows, predColumns: pred.columns, targetRows: target.rows,
                             targetColumns: target.columns, weightCount: weight?.count)
        if let weight {
            for (i, w) in weight.enumerated() where !(w >= 0) || w.isInfinite {
                throw EvaluationError("weight \(formatNumber(w)) must be a finite number >= 0", input: .weight, row: i, column: 0)
            }
        }
        if options.hessian && info.hessian == .none {
            throw EvaluationError("loss '\(info.id)' provides no Hessian")
        }
        let rows = pred.rows, d = pred.columns
        let valueCount = info.reduce == .elementwise ? rows * d : rows
        let wantValues = options.values || options.reduction == .none
        var values = wantValues ? [Double](repeating: 0, count: valueCount) : nil
        var gradient = options.gradient ? [Double](repeating: 0, count: rows * d) : nil
        var hessian = options.hessian ? [Double](repeating: 0, count: rows * d) : nil

        let chunkRows = max(1, chunkElements / max(d, 1))
        let chunkCount = max(1, (rows + chunkRows - 1) / chunkRows)
        var sums = [Double](repeating: 0, count: chunkCount)
        var normalizers = [Double](repeating: 0, count: chunkCount)
        let workers = info.threadSafe ? min(chunkCount, options.threads > 0 ? options.threads : System.coreCount) : 1

        let failure: EvaluationError? = pred.values.withUnsafeBufferPointer { p in
            target.values.withUnsafeBufferPointer { t in
                withOptionalBuffer(weight) { w in
                    withOptionalMutableBuffer(&values) { v in
                        withOptionalMutableBuffer(&gradient) { g in
                            withOptionalMutableBuffer(&hessian) { h in
                                sums.withUnsafeMutableBufferPointer { s in
                                    normalizers.withUnsafeMutableBufferPointer { n in
                                        let errors = ErrorSlots(count: chunkCount)
                                        let sumSlots = s.baseAddress!, normalizerSlots = n.baseAddress!
                                        let perValue = info.reduce == .elementwise ? d : 1
                                        let run = { (chunk: Int) in
                                            let start = chunk * chunkRows, end = min(rows, start + chunkRows)
                                            let outputs = LossInstance.Outputs(
                                                values: v.map { $0 + start * perValue },
                                                gradient: g.map { $0 + start * d }, hessian: h.map { $0 + start * d })
                                            do throws(EvaluationError) {
                                                let r = try instance.evaluate(
                                                    rows: start..<end, predColumns: d, targetColumns: target.columns,
                                                    pred: p.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                                    target: t.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                                    weight: w, outputs: outputs)
                                                sumSlots[chunk] = r.sum
                                                normalizerSlots[chunk] = r.normalizer
                                            } catch {
                                                errors.set(chunk, error)
                                            }
                                        }
                                        if workers <= 1 {
                                            for chunk in 0..<chunkCount {
                                                run(chunk)
                                                if errors.first != nil { break }
                                            }
                                        } else {
                                            let job = UncheckedSendable(run)
                                            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                                                var chunk = worker
                                                while chunk < chunkCount {
                                                    job.value(chunk)
                                                    chunk += workers
                                                }
                                            }
                                        }
                                        return errors.first
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        let sum = sums.reduce(0, +)
        let normalizer = normalizers.reduce(0, +)
        var result = Evaluation(rows: rows, columns: d, value: sum, sum: sum, normalizer: normalizer,
                                values: values, gradient: gradient, hessian: hessian)
        if options.reduction == .mean {
            let scale = 1 / normalizer
            result.value = sum / normalizer
            if result.gradient != nil { scaleInPlace(&result.gradient!, by: scale) }
            if result.hessian != nil { scaleInPlace(&result.hessian!, by: scale) }
        }
        return result
    }

    private static func scaleInPlace(_ array: inout [Double], by scale: Double) {
        array.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] *= scale }
        }
    }

    private static func withOptionalBuffer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    private static func withOptionalMutableBuffer<R>(_ array: inout [Double]?, _ body: (UnsafeMutablePointer<Double>?) -> R) -> R {
        guard array != nil else { return body(nil) }
        return array!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}

/// The first error by chunk index, written from several threads.
private final class ErrorSlots: @unchecked Sendable {
    private var errors: [EvaluationError?]
    private let lock = NSLockLike()

    init(count: Int) { errors = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ error: EvaluationError) {
        lock.withLock { errors[index] = error }
    }

    var first: EvaluationError? {
        lock.withLock { errors.first(where: { $0 != nil }) ?? nil }
    }
}

/// Hands a closure over raw buffers to worker threads that touch disjoint parts.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
