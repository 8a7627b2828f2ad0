@testable import LossKit
import StandardLosses
import XCTest

/// A call that wants only the gradient and Hessian (no values, no sum: a boosting
/// round through `LH_HOST_OUTPUT_NO_SUM`) computes no value: the kit asks block
/// losses with `wantsValue: false` and never reads their value lane, and the
/// standard losses then skip the value's work, with bitwise the same derivatives.
final class DerivativesOnlyTests: XCTestCase {
    let levels = VectorMathLevel.supported

    func uniforms(_ n: Int, _ range: ClosedRange<Double>, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Double.random(in: range, using: &rng) }
    }

    // MARK: the sigmoid-only vector math

    /// `sigmoid` gives bit for bit `logistic`'s σ(±x), at every level, f64 and f32, any count.
    func testSigmoidIsLogisticsSigmoidBitwise() {
        let x = uniforms(1000, -40...40, seed: 31) + [0, -0.0, 1e-300, -1e-300, 88.7, -103.9, 745, -745, 800, -800,
                                                       .infinity, -.infinity, .nan, .greatestFiniteMagnitude]
        for level in levels {
            let math = VectorMath(level: level)!
            for n in [1, 3, 255, 256, 257, x.count] {
                check(Array(x[..<n]), math, "\(level) f64 n=\(n)")
                check(x[..<n].map { Float($0) }, math, "\(level) f32 n=\(n)")
            }
        }
    }

    func check<S: KernelScalar>(_ x: [S], _ math: VectorMath, _ label: String) {
        let n = x.count
        var sp = [S](repeating: S(fromDouble: 0), count: n), spn = sp, sg = sp, sgn = sp, only = sp, onlyNeg = sp
        x.withUnsafeBufferPointer { xp in
            S.logistic(xp.baseAddress!, &sp, &spn, &sg, &sgn, count: n, math: math)
            S.sigmoid(xp.baseAddress!, &only, &onlyNeg, count: n, math: math)
        }
        XCTAssertEqual(only.map(\.asDouble.bitPattern), sg.map(\.asDouble.bitPattern), "\(label) σ(x)")
        XCTAssertEqual(onlyNeg.map(\.asDouble.bitPattern), sgn.map(\.asDouble.bitPattern), "\(label) σ(−x)")
    }

    // MARK: the kit's calls

    struct Outputs<S: KernelScalar> {
        var values: [S], gradient: [S], hessian: [S], sum: Double
    }

    /// One call of the kit on `columns`-column rows with the outputs asked for.
    func evaluate<L: ElementwiseLoss, S: KernelScalar>(
        _ loss: L, _ pred: [S], _ target: [S], weight: [S]?, columns: Int, values: Bool, gradient: Bool, hessian: Bool,
        sum: Bool, _ math: VectorMath
    ) throws -> Outputs<S> {
        let marker = S(fromDouble: -12345)
        var v = [S](repeating: marker, count: pred.count), g = v, h = v
        let totals = try pred.withUnsafeBufferPointer { p in try target.withUnsafeBufferPointer { t in
            try v.withUnsafeMutableBufferPointer { vp in try g.withUnsafeMutableBufferPointer { gp in
                try h.withUnsafeMutableBufferPointer { hp in
                    try (weight ?? []).withUnsafeBufferPointer { wp in
                        let b = KernelBatch<S>(rows: pred.count / columns, predColumns: columns, targetColumns: columns,
                                               pred: p.baseAddress, target: t.baseAddress, weight: weight == nil ? nil : wp.baseAddress,
                                               values: values ? vp.baseAddress : nil, gradient: gradient ? gp.baseAddress : nil,
                                               hessian: hessian ? hp.baseAddress : nil, wantsSum: sum)
                        return try Kernels.elementwise(loss, b, math: math)
                    }
                }
            } }
        } }
        return Outputs(values: v, gradient: g, hessian: h, sum: totals.sum)
    }

    /// The derivatives of a call without the value equal, bit for bit, those of the
    /// full call (values, sum, gradient, Hessian), gradient alone and Hessian alone too.
    func assertDerivativesOnlyMatch<L: ElementwiseLoss, S: KernelScalar>(
        _ loss: L, _ pred: [S], _ target: [S], weight: [S]?, columns: Int, _ math: VectorMath, _ label: String
    ) throws {
        let full = try evaluate(loss, pred, target, weight: weight, columns: columns, values: true, gradient: true, hessian: true,
                                sum: true, math)
        XCTAssertTrue(full.sum.isFinite, "\(label): sum \(full.sum)")
        let both = try evaluate(loss, pred, target, weight: weight, columns: columns, values: false, gradient: true, hessian: true,
                                sum: false, math)
        let gradient = try evaluate(loss, pred, target, weight: weight, columns: columns, values: false, gradient: true,
                                    hessian: false, sum: false, math)
        let hessian = try evaluate(loss, pred, target, weight: weight, columns: columns, values: false, gradient: false,
                                   hessian: true, sum: false, math)
        let bits = { (x: [S]) in x.map(\.asDouble.bitPattern) }
        XCTAssertEqual(bits(both.gradient), bits(full.gradient), "\(label): gradient")
        XCTAssertEqual(bits(both.hessian), bits(full.hessian), "\(label): Hessian")
        XCTAssertEqual(bits(gradient.gradient), bits(full.gradient), "\(label): gradient alone")
        XCTAssertEqual(bits(hessian.hessian), bits(full.hessian), "\(label): Hessian alone")
        XCTAssertTrue(both.values.allSatisfy { $0 == S(fromDouble: -12345) }, "\(label): values written")
        XCTAssertEqual(both.sum, 0, "\(label): a sum nobody asked for")
    }

    /// Every block loss that skips work without the value, and per-element losses,
    /// at every level, f64 and f32, unweighted, with element weights (one column)
    /// and row weights (two columns), on an odd size (blocks and a tail).
    func testDerivativesOnlyEqualTheFullCallsBitwise() throws {
        let n = 1006  // three blocks and a tail; two columns of 503 rows
        let logits = uniforms(n - 6, -30...30, seed: 1) + [0, -0.0, 745, -745, 800, -800]
        let soft = uniforms(n, 0...1, seed: 2).enumerated().map { $0.offset % 3 == 0 ? ($0.element < 0.5 ? 0 : 1) : $0.element }
        let small = uniforms(n, -5...5, seed: 5)
        let counts = uniforms(n, 0...20, seed: 4).map { $0.rounded() }
        let rates = uniforms(n - 1, 0...10, seed: 6) + [0]
        let weights = uniforms(n, 0...3, seed: 7)
        func run<L: ElementwiseLoss>(_ loss: L, _ pred: [Double], _ target: [Double], _ label: String) throws {
            for level in levels {
                let math = VectorMath(level: level)!
                for columns in [1, 2] {
                    let w = Array(weights[..<(n / columns)])
                    let where_ = "\(label) at \(level), \(columns) column(s)"
                    try assertDerivativesOnlyMatch(loss, pred, target, weight: nil, columns: columns, math, "\(where_) f64")
                    try assertDerivativesOnlyMatch(loss, pred, target, weight: w, columns: columns, math, "\(where_) f64 weighted")
                    let pf = pred.map { Float($0) }, tf = target.map { Float($0) }, wf = w.map { Float($0) }
                    try assertDerivativesOnlyMatch(loss, pf, tf, weight: nil, columns: columns, math, "\(where_) f32")
                    try assertDerivativesOnlyMatch(loss, pf, tf, weight: wf, columns: columns, math, "\(where_) f32 weighted")
                }
            }
        }
        try run(BCEWithLogits(ParameterValues(scalars: ["pos_weight": 1])), logits, soft, "bce_with_logits")
        try run(BCEWithLogits(ParameterValues(scalars: ["pos_weight": 3.5])), logits, soft, "bce_with_logits pos_weight")
        try run(LogCosh(ParameterValues()), logits, small, "log_cosh")
        try run(PoissonNLL(ParameterValues(scalars: ["log_input": 1, "full": 1, "eps": 1e-8])), small, counts, "poisson_nll full")
        try run(PoissonNLL(ParameterValues(scalars: ["log_input": 0, "full": 1, "eps": 1e-8])), rates, counts, "poisson_nll rate")
        try run(Focal(ParameterValues(scalars: ["alpha": 0.25, "gamma": 2])), logits, soft, "focal")
        try run(MSE(ParameterValues()), small, logits, "mse")
        try run(Huber(ParameterValues(scalars: ["delta": 1])), small, logits, "huber")
    }

    // MARK: the value is skipped

    /// What a `ValueSpy` saw of the blocks it was given.
    final class BlockLog: @unchecked Sendable {
        var wantsValue: [Bool] = []
    }

    /// pred² per element, recording each block's `wantsValue`; its value lane is
    /// NaN where the value is not wanted, so a kit that read it would show it.
    struct ValueSpy: ElementwiseLoss {
        static let info = LossInfo(id: "value_spy", summary: "pred squared", kind: .regression, predDoc: "p", targetDoc: "t")
        let log: BlockLog
        init(_ parameters: ParameterValues) { log = BlockLog() }
        init(log: BlockLog) { self.log = log }
        func derivatives(pred: Double, target: Double) -> Derivatives {
            Derivatives(value: pred * pred, gradient: 2 * pred, hessian: 2)
        }
        static var evaluatesBlocks: Bool { true }
        func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
            log.wantsValue.append(b.wantsValue)
            for i in b.indices {
                b.value[i] = b.wantsValue ? b.pred[i] * b.pred[i] : S(fromDouble: .nan)
                b.gradient[i] = 2 * b.pred[i]
                b.hessian[i] = 2
            }
        }
    }

    /// The kit says `wantsValue: false` exactly when neither the values nor the sum are wanted.
    func testTheKitAsksForTheValueOnlyWhenItIsUsed() throws {
        let pred = uniforms(600, -3...3, seed: 11), target = [Double](repeating: 0, count: 600)
        let weight = uniforms(600, 0...2, seed: 12)
        for (values, gradient, hessian, sum) in [(false, true, true, false), (false, true, false, false), (false, false, true, false),
                                                 (true, true, true, false), (false, true, true, true), (true, false, false, false),
                                                 (false, false, false, true)] {
            for w in [nil, weight] {
                let log = BlockLog()
                let out = try evaluate(ValueSpy(log: log), pred, target, weight: w, columns: 1, values: values, gradient: gradient,
                                       hessian: hessian, sum: sum, .best)
                let wanted = values || sum
                let label = "values \(values) gradient \(gradient) hessian \(hessian) sum \(sum) weighted \(w != nil)"
                XCTAssertEqual(log.wantsValue, [Bool](repeating: wanted, count: 3), label)
                XCTAssertEqual(out.sum.isNaN, false, label)
                if sum {
                    let expected = zip(pred, w ?? pred.map { _ in 1 }).map { $0 * $0 * $1 }
                    XCTAssertEqual(out.sum, expected.reduce(0, +), accuracy: 1e-9, label)
                }
            }
        }
    }

    /// `ValueSpy` with one log for every instance: the plugin table makes its own.
    struct SharedValueSpy: ElementwiseLoss {
        static let info = LossInfo(id: "shared_value_spy", summary: "pred squared", kind: .regression, predDoc: "p", targetDoc: "t")
        nonisolated(unsafe) static var log = BlockLog()
        let spy: ValueSpy
        init(_ parameters: ParameterValues) { spy = ValueSpy(log: Self.log) }
        func derivatives(pred: Double, target: Double) -> Derivatives { spy.derivatives(pred: pred, target: target) }
        static var evaluatesBlocks: Bool { true }
        func evaluate<S: KernelScalar>(block b: ElementBlock<S>) { spy.evaluate(block: b) }
    }

    /// Through the C table, a `mean` of derivatives (the sum NULL, the normalizer
    /// asked for: what the host passes for `LH_HOST_OUTPUT_NO_SUM` with
    /// `LH_HOST_MEAN`) computes no value: the normalizer comes from the weights.
    func testTheNormalizerAloneCostsNoValueWork() throws {
        let table = PluginTable(id: "spy", version: "1.0.0", summary: "a value spy", losses: [.elementwise(SharedValueSpy.self)])
        let loss = CLoss(table.pointer.pointee.losses[0]!)
        let pred = uniforms(600, -3...3, seed: 21), weight = uniforms(600, 0...2, seed: 22)
        let rows = pred.map { [$0] }, target = pred.map { _ in [0.0] }
        for w in [nil, weight] {
            SharedValueSpy.log = BlockLog()
            let only = try loss.evaluate(pred: rows, target: target, weight: w, wanted: [.gradient, .hessian, .normalizer]).get()
            XCTAssertEqual(SharedValueSpy.log.wantsValue, [false, false, false], "weighted \(w != nil)")
            XCTAssertEqual(only.normalizer, w.map { $0.reduce(0, +) } ?? 600, accuracy: 1e-9)
            XCTAssertEqual(only.gradient, zip(pred, w ?? pred.map { _ in 1 }).map { 2 * $0 * $1 })
            SharedValueSpy.log = BlockLog()
            let full = try loss.evaluate(pred: rows, target: target, weight: w, wanted: [.gradient, .hessian, .normalizer, .sum]).get()
            XCTAssertEqual(SharedValueSpy.log.wantsValue, [true, true, true], "weighted \(w != nil)")
            XCTAssertEqual(full.normalizer.bitPattern, only.normalizer.bitPattern)
            XCTAssertEqual(full.sum, zip(pred, w ?? pred.map { _ in 1 }).map { $0 * $0 * $1 }.reduce(0, +), accuracy: 1e-9)
        }
    }

    /// A block with every lane set to a marker, evaluated by `loss` without the value.
    func laneMarkers<L: ElementwiseLoss>(_ loss: L, pred: [Double], target: [Double]) -> (value: [Double], temporaries: [[Double]]) {
        let c = ElementBlock<Double>.capacity, lanes = ElementBlock<Double>.lanes
        let storage = UnsafeMutablePointer<Double>.allocate(capacity: lanes * c)
        defer { storage.deallocate() }
        storage.initialize(repeating: -777, count: lanes * c)
        let block = ElementBlock(count: pred.count, math: .best, wantsValue: false, wantsDerivatives: true, storage: storage)
        for i in pred.indices {
            block.pred[i] = pred[i]
            block.target[i] = target[i]
        }
        loss.evaluate(block: block)
        let lane = { (k: Int) in (0..<pred.count).map { storage[k * c + $0] } }
        return (lane(2), (0..<ElementBlock<Double>.temporaries).map { lane(5 + $0) })
    }

    /// Without the value, bce_with_logits computes no softplus (its temporaries 0
    /// and 1 stay untouched: no log1p), and bce_with_logits, log_cosh and poisson
    /// (rate) write no value.
    func testStandardLossesSkipTheValuesWork() {
        let x = uniforms(100, -10...10, seed: 13), t = uniforms(100, 0...1, seed: 14)
        let untouched = [Double](repeating: -777, count: 100)
        let bce = laneMarkers(BCEWithLogits(ParameterValues(scalars: ["pos_weight": 1])), pred: x, target: t)
        XCTAssertEqual(bce.value, untouched, "bce_with_logits wrote a value")
        XCTAssertEqual(bce.temporaries[0], untouched, "bce_with_logits computed softplus(x)")
        XCTAssertEqual(bce.temporaries[1], untouched, "bce_with_logits computed softplus(-x)")
        XCTAssertNotEqual(bce.temporaries[2], untouched, "bce_with_logits computed no sigmoid")
        XCTAssertEqual(laneMarkers(LogCosh(ParameterValues()), pred: x, target: t).value, untouched, "log_cosh wrote a value")
        let rates = x.map(abs), counts = t.map { ($0 * 10).rounded() }
        let poisson = PoissonNLL(ParameterValues(scalars: ["log_input": 0, "full": 1, "eps": 1e-8]))
        XCTAssertEqual(laneMarkers(poisson, pred: rates, target: counts).value, untouched, "poisson_nll wrote a value")
    }
}
