import LossHostIO
import CLossHost
import LossHostABI
import LossHostEngine
import LossHostIsolation

/// For a loss with `evaluate_f32` (ABI 1.1): at every parameter point, at random
/// points of its input domain, weighted and not, the float32 entry point agrees
/// with `evaluate` on the same inputs rounded to float, every output wanted:
/// per-element outputs to float precision (1e-5 relative, with a floor of 1e-5
/// of the largest entry and of float's smallest normal number), sum and
/// normalizer (accumulated in double) to 1e-6. Its float buffers are guarded
/// like the others, and a batch of 0 rows gives sum 0 and normalizer 0.
enum Float32Check {
    static let tolerance = 1e-5
    static let sumTolerance = 1e-6
    static let noEntryPoint = "no float32 entry point (float64 only; the host converts)"

    static func run(_ ctx: LossCheckContext) throws -> String {
        guard ctx.loss.entry.evaluateF32 != nil else { throw CheckSkipped(noEntryPoint) }
        var calls = 0, elements = 0
        let points = try ctx.atEveryPoint { index, _, instance, domain in
            var rng = SeededRandom(seed: ctx.seed, label: ctx.label("float32", index))
            for rows in [1, 3, 17, 64] {
                for weighted in [false, true] {
                    let batch = domain.batch(rows: rows, weighted: weighted, using: &rng).roundedToFloat
                    let expected = try ctx.evaluate(instance, batch, ctx.everything)
                    let got = try evaluate(ctx, instance, batch, ctx.everything)
                    elements += try compare(expected, got, batch)
                    calls += 1
                }
            }
            let empty = CheckBatch(rows: 0, predColumns: domain.predColumns, targetColumns: domain.targetColumns,
                                   pred: [], target: [], weight: nil)
            let none = try evaluate(ctx, instance, empty, ctx.everything)
            if none.sum != 0 || none.normalizer != 0 {
                throw CheckFailure("evaluate_f32 of a batch of 0 rows: expected sum 0 and normalizer 0, got \(formatCheckNumber(none.sum ?? .nan)) and \(formatCheckNumber(none.normalizer ?? .nan))")
            }
        }
        return "\(calls) batches: \(elements) float32 outputs agree with float64 to \(tolerance), sums to \(sumTolerance); buffers guarded; 0 rows gives 0" + points.note
    }

    /// Evaluates through `evaluate_f32`, a failure naming the batch's first row.
    static func evaluate(_ ctx: LossCheckContext, _ instance: RawInstance, _ batch: CheckBatch,
                         _ wanted: Wanted) throws(CheckFailure) -> CallOutputs {
        ctx.stage("evaluate_f32")
        do throws(EvaluateError) {
            return try instance.evaluateF32(batch, wanted)
        } catch {
            let failure = ctx.failure(error, batch)
            throw CheckFailure("evaluate_f32: " + failure.detail)
        }
    }

    /// The number of elements compared; throws at the first that disagrees.
    static func compare(_ expected: CallOutputs, _ got: CallOutputs, _ batch: CheckBatch) throws(CheckFailure) -> Int {
        var count = 0
        for (name, e, g) in [("values", expected.values, got.values), ("gradient", expected.gradient, got.gradient),
                             ("hessian", expected.hessian, got.hessian)] {
            guard let e, let g else { continue }
            let largest = e.map { $0.isFinite ? abs($0) : 0 }.max() ?? 0
            let perRow = max(1, e.count / max(1, batch.rows))
            // Below float's smallest normal number a float result keeps no relative precision (it may be 0).
            let floor = max(tolerance * largest, Double(Float.leastNormalMagnitude))
            for i in e.indices where !agrees(g[i], e[i], relative: tolerance, floor: floor) {
                throw CheckFailure("\(name)[\(i)] at \(batch.describeRow(i / perRow)): expected \(formatCheckNumber(e[i])) (evaluate on the float-rounded inputs), got \(formatCheckNumber(g[i])) (evaluate_f32; tolerance \(tolerance) relative)")
            }
            count += e.count
        }
        let scale = expected.values.map { $0.map(abs).reduce(0, +) } ?? 0
        for (name, e, g) in [("sum", expected.sum, got.sum), ("normalizer", expected.normalizer, got.normalizer)] {
            guard let e, let g else { continue }
            if !agrees(g, e, relative: sumTolerance, floor: name == "sum" ? sumTolerance * scale : 0) {
                let at = batch.rows > 0 ? " (batch of \(counted(batch.rows, "row")); row 0: \(batch.describeRow(0)))" : ""
                throw CheckFailure("\(name)\(at): expected \(formatCheckNumber(e)) (evaluate on the float-rounded inputs), got \(formatCheckNumber(g)) (evaluate_f32; tolerance \(sumTolerance) relative)")
            }
            count += 1
        }
        return count
    }

    static func agrees(_ got: Double, _ expected: Double, relative: Double, floor: Double) -> Bool {
        if !expected.isFinite { return got == expected || (got.isNaN && expected.isNaN) }
        return abs(got - expected) <= relative * abs(expected) + floor
    }
}

extension CheckBatch {
    /// The same batch with every input rounded to float.
    var roundedToFloat: CheckBatch {
        func round(_ list: [Double]) -> [Double] { list.map { Double(Float($0)) } }
        return CheckBatch(rows: rows, predColumns: predColumns, targetColumns: targetColumns,
                          pred: round(pred), target: round(target), weight: weight.map(round))
    }
}

/// A buffer of floats with canary guard bands on both sides, as `GuardedBuffer`
/// for doubles: outputs are pre-filled with the canary inside as well.
final class GuardedFloatBuffer {
    static let guardCount = 16
    /// A NaN with a payload no arithmetic produces.
    static let canary = Float(bitPattern: 0x7FA5_CAFE)

    let count: Int
    private let storage: UnsafeMutablePointer<Float>

    init(output count: Int) {
        self.count = count
        storage = .allocate(capacity: count + 2 * Self.guardCount)
        storage.initialize(repeating: Self.canary, count: count + 2 * Self.guardCount)
    }

    /// Canaries around a copy of `values` rounded to float.
    init(input values: [Double]) {
        count = values.count
        storage = .allocate(capacity: count + 2 * Self.guardCount)
        storage.initialize(repeating: Self.canary, count: count + 2 * Self.guardCount)
        for (i, x) in values.enumerated() { storage[Self.guardCount + i] = Float(x) }
    }

    deinit { storage.deallocate() }

    var pointer: UnsafeMutablePointer<Float> { storage + Self.guardCount }

    var contents: [Double] { (0..<count).map { Double(pointer[$0]) } }

    func guardViolation(_ name: String) -> String? {
        for i in 0..<Self.guardCount where storage[i].bitPattern != Self.canary.bitPattern {
            return "wrote \(Self.guardCount - i) element(s) before the start of \(name) (value \(formatCheckNumber(Double(storage[i]))))"
        }
        for i in 0..<Self.guardCount where storage[Self.guardCount + count + i].bitPattern != Self.canary.bitPattern {
            return "wrote past the end of \(name): element [\(count + i)] of a \(count)-element buffer = \(formatCheckNumber(Double(storage[Self.guardCount + count + i])))"
        }
        return nil
    }

    func firstUnwritten() -> Int? {
        (0..<count).first { pointer[$0].bitPattern == Self.canary.bitPattern }
    }

    func firstChange(from original: [Double]) -> Int? {
        (0..<count).first { pointer[$0].bitPattern != Float(original[$0]).bitPattern }
    }
}

extension RawInstance {
    /// Wraps `evaluate_f32` as `evaluate` wraps `evaluate`: float inputs and
    /// per-element outputs guarded, sum and normalizer in guarded doubles.
    /// Only for a loss whose table has `evaluate_f32`.
    func evaluateF32(_ batch: CheckBatch, _ wanted: Wanted) throws(EvaluateError) -> CallOutputs {
        guard loss.entry.supportsFloat32 else {
            throw .status(PluginStatus(status: -1, message: "no evaluate_f32", statusName: "no float32 entry point"))
        }
        let valueCount = loss.info.reduce == .elementwise ? batch.rows * batch.predColumns : batch.rows
        let pred = GuardedFloatBuffer(input: batch.pred), target = GuardedFloatBuffer(input: batch.target)
        let weight = batch.weight.map { GuardedFloatBuffer(input: $0) }
        let values = wanted.values ? GuardedFloatBuffer(output: valueCount) : nil
        let sum = wanted.sum ? GuardedBuffer(output: 1) : nil
        let normalizer = wanted.sum ? GuardedBuffer(output: 1) : nil
        let gradient = wanted.gradient ? GuardedFloatBuffer(output: batch.rows * batch.predColumns) : nil
        let hessian = wanted.hessian ? GuardedFloatBuffer(output: batch.rows * batch.predColumns) : nil
        var buffers = CallBuffers(rows: batch.rows, predColumns: batch.predColumns, targetColumns: batch.targetColumns,
                                  pred: UnsafePointer(pred.pointer), target: UnsafePointer(target.pointer),
                                  weight: weight.map { UnsafePointer($0.pointer) })
        buffers.values = values?.pointer
        buffers.sum = sum?.pointer
        buffers.normalizer = normalizer?.pointer
        buffers.gradient = gradient?.pointer
        buffers.hessian = hessian?.pointer
        let failure = loss.entry.callEvaluate(handle, buffers, log: log)
        StreamGuard.shared.verify(after: "evaluate_f32")

        let floats: [(String, GuardedFloatBuffer?)] = [("values", values), ("gradient", gradient), ("hessian", hessian)]
        let doubles: [(String, GuardedBuffer?)] = [("sum", sum), ("normalizer", normalizer)]
        for (name, buffer) in floats { if let why = buffer?.guardViolation(name) { throw .memory(why) } }
        for (name, buffer) in doubles { if let why = buffer?.guardViolation(name) { throw .memory(why) } }
        for (name, buffer) in [("pred", pred), ("target", target)] + (weight.map { [("weight", $0)] } ?? []) {
            if let why = buffer.guardViolation(name) { throw .memory(why) }
        }
        for (name, buffer, original) in [("pred", pred, batch.pred), ("target", target, batch.target)]
            + (weight.map { [("weight", $0, batch.weight!)] } ?? []) {
            if let i = buffer.firstChange(from: original) {
                throw .memory("wrote into its input: \(name)[\(i)] changed from \(formatCheckNumber(original[i])) to \(formatCheckNumber(Double(buffer.pointer[i])))")
            }
        }
        if let failure {
            throw .status(PluginStatus(status: failure.status, message: failure.text, statusName: failure.statusName))
        }
        // In the order of the float64 wrapper: values, sum, normalizer, gradient, hessian.
        let unwritten: [(String, Int?)] = [("values", values?.firstUnwritten()), ("sum", sum?.firstUnwritten()),
                                           ("normalizer", normalizer?.firstUnwritten()),
                                           ("gradient", gradient?.firstUnwritten()), ("hessian", hessian?.firstUnwritten())]
        for case let (name, i?) in unwritten { throw .memory("returned LH_OK but left \(name)[\(i)] unwritten") }
        return CallOutputs(values: values?.contents, sum: sum?.contents[0], normalizer: normalizer?.contents[0],
                           gradient: gradient?.contents, hessian: hessian?.contents)
    }
}
