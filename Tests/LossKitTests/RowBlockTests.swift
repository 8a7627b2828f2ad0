import LossKit
import StandardLosses
import XCTest

/// A row loss through its per-row form only (the `RowLoss` default block form):
/// the path a plugin that writes `evaluate(pred:target:gradient:hessian:)` gets,
/// and the reference the block forms are held to.
struct PerRow<L: RowLoss>: RowLoss {
    static var info: LossInfo { L.info }
    let loss: L
    init(_ parameters: ParameterValues) throws(LossFailure) { loss = try L(parameters) }
    func validate(predColumns: Int, targetColumns: Int) throws(LossFailure) {
        try loss.validate(predColumns: predColumns, targetColumns: targetColumns)
    }
    func evaluate(pred: RowValues, target: RowValues, gradient: RowOutput?, hessian: RowOutput?) throws(LossFailure) -> Double {
        try loss.evaluate(pred: pred, target: target, gradient: gradient, hessian: hessian)
    }
    func normalizer(pred: RowValues, target: RowValues) -> Double { loss.normalizer(pred: pred, target: target) }
}

/// The block forms of cross_entropy, kl_div, nll and gaussian_nll (`RowLoss.evaluate(block:)`)
/// against their per-row forms and the reference vectors: float64 and float32, at
/// every vector-math level, for row counts that fill no block exactly, with
/// weights, and with a bad target in the middle of a block.
final class RowBlockTests: XCTestCase {
    struct Outputs {
        var values: [Double], gradient: [Double], hessian: [Double], sum: Double, normalizer: Double
    }

    /// One batch through `Kernels.rowwise` in `S` (inputs rounded to `S`), outputs as Double.
    func evaluate<L: RowLoss, S: KernelScalar>(_ loss: L, _: S.Type, _ pred: [Double], _ target: [Double], weight: [Double]? = nil,
                                               columns: Int, targetColumns: Int, math: VectorMath,
                                               derivatives: Bool = true) throws(LossFailure) -> Outputs {
        let rows = pred.count / columns
        let p = pred.map { S(fromDouble: $0) }, t = target.map { S(fromDouble: $0) }, w = weight?.map { S(fromDouble: $0) }
        var v = [S](repeating: 0, count: rows), g = [S](repeating: 0, count: pred.count), h = g
        let result: Result<BatchTotals, LossFailure> = p.withUnsafeBufferPointer { pp in t.withUnsafeBufferPointer { tp in
            (w ?? []).withUnsafeBufferPointer { wp in
                v.withUnsafeMutableBufferPointer { vp in g.withUnsafeMutableBufferPointer { gp in h.withUnsafeMutableBufferPointer { hp in
                    let b = KernelBatch<S>(rows: rows, predColumns: columns, targetColumns: targetColumns, pred: pp.baseAddress,
                                           target: tp.baseAddress, weight: w == nil ? nil : wp.baseAddress, values: vp.baseAddress,
                                           gradient: derivatives ? gp.baseAddress : nil, hessian: derivatives ? hp.baseAddress : nil,
                                           wantsSum: true)
                    do throws(LossFailure) { return .success(try Kernels.rowwise(loss, b, math: math)) } catch { return .failure(error) }
                } } }
            }
        } }
        let totals = try result.get()
        return Outputs(values: v.map(\.asDouble), gradient: g.map(\.asDouble), hessian: h.map(\.asDouble),
                       sum: totals.sum, normalizer: totals.normalizer)
    }

    /// Agreement to `rtol` relative, or to `rtol` times the output's largest entry
    /// (entries that are differences of larger terms, such as p − 1 at the target class).
    func assertAgree(_ a: Outputs, _ b: Outputs, _ label: String, rtol: Double, sumRtol: Double? = nil,
                     file: StaticString = #filePath, line: UInt = #line) {
        func close(_ x: Double, _ y: Double, _ tolerance: Double, floor: Double = 0) -> Bool {
            x == y || abs(x - y) <= tolerance * max(abs(x), abs(y), floor)
        }
        for (name, x, y) in [("value", a.values, b.values), ("gradient", a.gradient, b.gradient), ("hessian", a.hessian, b.hessian)] {
            XCTAssertEqual(x.count, y.count, "\(label) \(name) count", file: file, line: line)
            let largest = y.map(abs).max() ?? 0
            let bad = x.indices.filter { !close(x[$0], y[$0], rtol, floor: largest) }
            XCTAssertTrue(bad.isEmpty, "\(label) \(name): \(bad.count) of \(x.count) differ, first [\(bad.first ?? 0)]: "
                          + "\(bad.first.map { "\(x[$0]) vs \(y[$0])" } ?? "")", file: file, line: line)
        }
        XCTAssertTrue(close(a.sum, b.sum, sumRtol ?? rtol), "\(label) sum: \(a.sum) vs \(b.sum)", file: file, line: line)
        XCTAssertEqual(a.normalizer, b.normalizer, "\(label) normalizer", file: file, line: line)
    }

    func uniforms(_ n: Int, _ range: ClosedRange<Double>, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Double.random(in: range, using: &rng) }
    }

    func indices(_ rows: Int, classes: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<rows).map { _ in Double(Int.random(in: 0..<classes, using: &rng)) }
    }

    /// Probability rows with some zero entries, each summing to 1.
    func distributions(_ rows: Int, classes: Int, seed: UInt64) -> [Double] {
        let raw = uniforms(rows * classes, 0...1, seed: seed).map { $0 < 0.2 ? 0 : $0 }
        return (0..<rows).flatMap { r -> [Double] in
            let row = Array(raw[(r * classes)..<((r + 1) * classes)])
            let total = row.reduce(0, +)
            return total > 0 ? row.map { $0 / total } : row.indices.map { $0 == 0 ? 1 : 0 }
        }
    }

    /// The cases at one shape: (label, pred columns, target columns, pred, target, block form, per-row form).
    func cases(rows: Int, classes: Int) throws -> [(String, Int, Int, [Double], [Double], any RowLoss, any RowLoss)] {
        // Logits with confident rows (a target-class probability within 1e-7 of 1) and ties.
        var logits = uniforms(rows * classes, -12...12, seed: UInt64(rows * 31 + classes))
        let index = indices(rows, classes: classes, seed: UInt64(rows + classes))
        for r in stride(from: 0, to: rows, by: 3) { logits[r * classes + Int(index[r])] = 40 }
        if rows > 1, classes > 1 { logits[classes] = logits[classes + 1] }
        let probs = distributions(rows, classes: classes, seed: 5)
        let logProbs = uniforms(rows * classes, -9...0, seed: 6)
        let smoothing = ParameterValues(scalars: ["label_smoothing": 0.1])
        let weights = ParameterValues(lists: ["weight": (0..<classes).map { 0.5 + Double($0 % 4) }])
        let both = ParameterValues(scalars: ["label_smoothing": 0.2], lists: ["weight": (0..<classes).map { 1 + Double($0 % 3) }])
        var all: [(String, Int, Int, [Double], [Double], any RowLoss, any RowLoss)] = [
            ("cross_entropy", classes, 1, logits, index, CrossEntropy(ParameterValues()), try PerRow<CrossEntropy>(ParameterValues())),
            ("cross_entropy smoothing", classes, 1, logits, index, CrossEntropy(smoothing), try PerRow<CrossEntropy>(smoothing)),
            ("cross_entropy weights", classes, 1, logits, index, CrossEntropy(weights), try PerRow<CrossEntropy>(weights)),
            ("cross_entropy smoothing weights", classes, 1, logits, index, CrossEntropy(both), try PerRow<CrossEntropy>(both)),
            ("cross_entropy soft", classes, classes, logits, probs, CrossEntropy(smoothing), try PerRow<CrossEntropy>(smoothing)),
            ("kl_div", classes, classes, logProbs, probs, KLDiv(ParameterValues()), try PerRow<KLDiv>(ParameterValues())),
            ("nll", classes, 1, logProbs, index, NLL(ParameterValues()), try PerRow<NLL>(ParameterValues())),
            ("nll weights", classes, 1, logProbs, index, NLL(weights), try PerRow<NLL>(weights)),
        ]
        var gaussian: [Double] = []
        for (i, m) in uniforms(rows, -3...3, seed: 7).enumerated() {
            gaussian += [m, i % 5 == 0 ? 1e-9 : exp(Double(i % 11) - 5)]  // some variances below eps
        }
        for full in [false, true] {
            let p = ParameterValues(scalars: ["full": full ? 1 : 0, "eps": 1e-6])
            all.append(("gaussian_nll full \(full)", 2, 1, gaussian, uniforms(rows, -4...4, seed: 8), GaussianNLL(p), try PerRow<GaussianNLL>(p)))
        }
        return all
    }

    /// float64 blocks against the per-row forms, at every level, for row counts
    /// around the block size (cross_entropy with 10 classes: 48 rows a block),
    /// with and without weights and derivatives.
    func testBlocksAgreeWithThePerRowForm() throws {
        for (rows, classes) in [(1, 10), (47, 10), (48, 10), (49, 10), (50, 10), (51, 10), (52, 10), (103, 10), (777, 3), (5, 37), (3, 600),
                                 (600, 2)] {
            for (label, columns, tc, pred, target, block, perRow) in try cases(rows: rows, classes: classes) {
                let weight = uniforms(rows, 0...3, seed: 9)
                // The per-row forms run scalar glibc: the block forms at every level are held
                // to the vector math's rounding (VectorMathTests' 1e-14).
                let scalar = VectorMath(level: .scalar)!
                let reference = try evaluate(perRow, Double.self, pred, target, columns: columns, targetColumns: tc, math: scalar)
                let weightedReference = try evaluate(perRow, Double.self, pred, target, weight: weight, columns: columns,
                                                     targetColumns: tc, math: scalar)
                for level in VectorMathLevel.supported {
                    let math = VectorMath(level: level)!
                    let at = "\(label) \(rows)x\(columns) at \(level)"
                    let got = try evaluate(block, Double.self, pred, target, columns: columns, targetColumns: tc, math: math)
                    assertAgree(got, reference, at, rtol: 1e-14)
                    let weighted = try evaluate(block, Double.self, pred, target, weight: weight, columns: columns, targetColumns: tc, math: math)
                    assertAgree(weighted, weightedReference, "\(at) weighted", rtol: 1e-14)
                    let valuesOnly = try evaluate(block, Double.self, pred, target, columns: columns, targetColumns: tc, math: math,
                                                  derivatives: false)
                    XCTAssertEqual(valuesOnly.values, got.values, "\(at): values without derivatives")
                    XCTAssertEqual(valuesOnly.sum, got.sum, "\(at): sum without derivatives")
                }
            }
        }
    }

    /// float32 blocks (float lanes) against the float64 per-row form on the same
    /// float-rounded inputs, to `losshost check`'s float32 tolerances (1e-5 per
    /// output, relative or of the output's largest entry; 1e-6 for the sum), at
    /// every level. The confident rows (target probability 1 − 1e-7 … ) need the
    /// cancelling entries in Double.
    func testFloat32BlocksAgreeWithFloat64() throws {
        for (rows, classes) in [(1, 10), (52, 10), (103, 10), (777, 3), (3, 600)] {
            for (label, columns, tc, pred, target, block, perRow) in try cases(rows: rows, classes: classes) {
                let p = pred.map { Double(Float($0)) }, t = target.map { Double(Float($0)) }
                let weight = uniforms(rows, 0...3, seed: 10).map { Double(Float($0)) }
                let reference = try evaluate(perRow, Double.self, p, t, weight: weight, columns: columns, targetColumns: tc,
                                             math: VectorMath(level: .scalar)!)
                for level in VectorMathLevel.supported {
                    let got = try evaluate(block, Float.self, p, t, weight: weight, columns: columns, targetColumns: tc,
                                           math: VectorMath(level: level)!)
                    assertAgree(got, reference, "\(label) f32 \(rows)x\(columns) at \(level)", rtol: 1e-5, sumRtol: 1e-6)
                }
            }
        }
    }

    /// The confident rows' gradient at the target class, p − 1 ≈ −1e-7 … −1e-17,
    /// keeps its relative accuracy in float32 (it is computed in Double from the
    /// rows' sums, not as a float p minus 1).
    func testFloat32GradientAtAConfidentTargetIsRelativelyAccurate() throws {
        let classes = 10, rows = 60
        var logits = uniforms(rows * classes, -2...2, seed: 12)
        for r in 0..<rows { logits[r * classes + r % classes] = 16 + Double(r % 20) }
        let target = (0..<rows).map { Double($0 % classes) }
        let got = try evaluate(CrossEntropy(ParameterValues()), Float.self, logits, target, columns: classes, targetColumns: 1,
                               math: .best)
        let p = logits.map { Double(Float($0)) }
        let reference = try evaluate(PerRow<CrossEntropy>(ParameterValues()), Double.self, p, target, columns: classes,
                                     targetColumns: 1, math: VectorMath(level: .scalar)!)
        for r in 0..<rows {
            let i = r * classes + r % classes
            XCTAssertLessThan(reference.gradient[i], 0)
            XCTAssertEqual(got.gradient[i], reference.gradient[i], accuracy: 1e-5 * abs(reference.gradient[i]), "row \(r)")
            XCTAssertEqual(got.values[r], reference.values[r], accuracy: 1e-5 * reference.values[r], "row \(r) value")
        }
    }

    /// A bad target in the middle of a block, in a later block and in the last row
    /// names its row and column, float64 and float32, at every level.
    func testABadTargetNamesItsRowAndColumn() throws {
        let classes = 10, rows = 130  // blocks of 48 rows: 0-47, 48-95, 96-129
        let logits = uniforms(rows * classes, -5...5, seed: 13)
        let probs = distributions(rows, classes: classes, seed: 14)
        for level in VectorMathLevel.supported {
            let math = VectorMath(level: level)!
            for badRow in [0, 25, 47, 48, 50, 51, 77, 95, 96, 129] {
                var index = indices(rows, classes: classes, seed: 15)
                index[badRow] = badRow % 2 == 0 ? 10 : 2.5
                if badRow + 3 < rows { index[badRow + 3] = -1 }  // a later bad row is not the one named
                var soft = probs
                soft[badRow * classes + 7] = 1.5
                if badRow + 1 < rows { soft[(badRow + 1) * classes] = -0.5 }
                let bad: [(String, any RowLoss, [Double], Int, Int)] = [
                    ("cross_entropy", CrossEntropy(ParameterValues()), index, 1, 0),
                    ("cross_entropy soft", CrossEntropy(ParameterValues()), soft, classes, 7),
                    ("nll", NLL(ParameterValues()), index, 1, 0),
                    ("kl_div", KLDiv(ParameterValues()), soft, classes, 7),
                ]
                for (label, loss, target, tc, column) in bad {
                    for f32 in [false, true] {
                        let at = "\(label) row \(badRow) \(f32 ? "f32" : "f64") at \(level)"
                        do {
                            _ = f32 ? try evaluate(loss, Float.self, logits, target, columns: classes, targetColumns: tc, math: math)
                                    : try evaluate(loss, Double.self, logits, target, columns: classes, targetColumns: tc, math: math)
                            XCTFail("\(at): no failure")
                        } catch {
                            XCTAssertEqual(error.status, .domain, at)
                            XCTAssertEqual(error.input, .target, at)
                            XCTAssertEqual(error.row, badRow, at)
                            XCTAssertEqual(error.column, column, at)
                            let value = tc == 1 ? index[badRow] : 1.5
                            XCTAssertTrue(error.message.contains(formatNumber(value)), "\(at): \(error.message)")
                        }
                    }
                }
            }
        }
    }

    /// The reference vectors (Fixtures/reference) of the four losses through their
    /// float32 block forms, to float32 accuracy.
    func testFloat32BlocksMatchTheReferenceVectors() throws {
        let losses: [String: any RowLoss.Type] = ["cross_entropy": CrossEntropy.self, "kl_div": KLDiv.self, "nll": NLL.self,
                                                  "gaussian_nll": GaussianNLL.self]
        var checked = 0
        for (name, c) in try ReferenceCase.all() {
            guard let type = losses[c.loss], let expected = c.expected["sum"], case .number(let sum) = expected.value else { continue }
            var scalars: [String: Double] = [:], lists: [String: [Double]] = [:]
            for p in type.info.parameters where p.type != .list { scalars[p.name] = p.defaultValue }
            for (key, param) in c.params {
                switch param.value {
                case .scalar(let x): scalars[key] = x
                case .list(let x): lists[key] = x
                }
            }
            let loss = try type.init(ParameterValues(scalars: scalars, lists: lists))
            let columns = c.pred.first?.count ?? 0, targetColumns = c.target.first?.count ?? 0
            let got = try evaluate(loss, Float.self, c.pred.flatMap { $0 }, c.target.flatMap { $0 }, weight: c.weight,
                                   columns: columns, targetColumns: targetColumns, math: .best)
            assertClose(got.sum, sum, "\(name) f32 sum", rtol: 1e-5)
            assertClose(got.gradient, expected.gradient, "\(name) f32 gradient", rtol: 1e-5, atol: 1e-6)
            assertClose(got.hessian, expected.hessian, "\(name) f32 hessian", rtol: 1e-5, atol: 1e-6)
            checked += 1
        }
        XCTAssertEqual(checked, 12, "three reference cases of each of the four losses")
    }
}
