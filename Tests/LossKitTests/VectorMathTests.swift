#if canImport(Glibc)
import Glibc
#endif
import LossKit
import StandardLosses
import XCTest

/// The vector math layer (CVectorMath through LossKit's `VectorMath`) at every
/// level this machine runs, and the block losses built on it.
final class VectorMathTests: XCTestCase {
    let levels = VectorMathLevel.supported

    func testLevelsOfThisMachine() {
        XCTAssertEqual(levels.first, .scalar)
        #if arch(x86_64)
        XCTAssertTrue(levels.contains(.sse2), "SSE2 is part of x86-64")
        #endif
        for level in VectorMathLevel.allCases {
            XCTAssertEqual(VectorMath(level: level) != nil, level <= VectorMathLevel.best, "\(level)")
        }
        XCTAssertEqual(VectorMath.best.level, VectorMathLevel.best)
        print("vector math levels here: \(levels.map(\.description).joined(separator: ", "))")
    }

    /// Inputs with the special cases of each function: zeros, ±inf, NaN, subnormals,
    /// overflow and underflow thresholds, the domain edges of log and log1p.
    func inputs() -> [Double] {
        var rng = SeededGenerator(seed: 42)
        var x: [Double] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-300,
                           709.78, 709.79, -745.13, -745.14, -708.4, 1e-16, -1e-16, 0.5, -0.5, -1 + 1e-16,
                           -1.0000001, -2, 1e300, .greatestFiniteMagnitude, 88.7, -103.9]
        for _ in 0..<2000 { x.append(Double.random(in: -50...50, using: &rng)) }
        for _ in 0..<500 { x.append(Double.random(in: -1...1, using: &rng)) }
        for _ in 0..<500 { x.append(exp(Double.random(in: -700...700, using: &rng))) }
        return x
    }

    func ulps(_ a: Double, _ b: Double) -> Double {
        if a == b || (a.isNaN && b.isNaN) { return 0 }
        if !a.isFinite || !b.isFinite { return .infinity }
        return abs(a - b) / max(b.ulp, Double.leastNonzeroMagnitude)
    }

    func ulps(_ a: Float, _ b: Float) -> Double {
        if a == b || (a.isNaN && b.isNaN) { return 0 }
        if !a.isFinite || !b.isFinite { return .infinity }
        return Double(abs(a - b) / max(b.ulp, Float.leastNonzeroMagnitude))
    }

    func testFunctionsAgreeWithScalarGlibcWithin4Ulp() {
        let x = inputs()
        let reference: [(VectorFunction, (Double) -> Double)] = [(.exp, exp), (.log, log), (.log1p, log1p), (.expm1, expm1)]
        for level in levels {
            let math = VectorMath(level: level)!
            for (f, scalar) in reference {
                var y = [Double](repeating: 0, count: x.count)
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { math.apply(f, xp.baseAddress!, $0.baseAddress!, count: x.count) }
                }
                var worst = 0.0
                for i in x.indices {
                    let d = ulps(y[i], scalar(x[i]))
                    XCTAssertLessThanOrEqual(d, 4, "\(level) \(f)(\(x[i])) = \(y[i]), glibc \(scalar(x[i]))")
                    worst = max(worst, d)
                }
                if level == .scalar { XCTAssertEqual(worst, 0, "the scalar level is glibc itself") }
            }
            // pow, as focal uses it: q in [0, 1], γ ≥ 0.
            var rng = SeededGenerator(seed: 3)
            let q = (0..<300).map { $0 < 3 ? Double($0) / 2 : Double.random(in: 0...1, using: &rng) }
            let g = (0..<300).map { $0 % 7 == 0 ? 0 : Double.random(in: 0...5, using: &rng) }
            var z = [Double](repeating: 0, count: q.count)
            q.withUnsafeBufferPointer { qp in g.withUnsafeBufferPointer { gp in z.withUnsafeMutableBufferPointer {
                math.pow(qp.baseAddress!, gp.baseAddress!, $0.baseAddress!, count: q.count)
            } } }
            for i in q.indices { XCTAssertLessThanOrEqual(ulps(z[i], Glibc.pow(q[i], g[i])), 4, "\(level) pow(\(q[i]), \(g[i]))") }
        }
    }

    func testFloatFunctionsAgreeWithScalarGlibcWithin4Ulp() {
        let x = inputs().map { Float($0) }
        let reference: [(VectorFunction, (Float) -> Float)] = [(.exp, expf), (.log, logf), (.log1p, log1pf), (.expm1, expm1f)]
        for level in levels {
            let math = VectorMath(level: level)!
            for (f, scalar) in reference {
                var y = [Float](repeating: 0, count: x.count)
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { math.apply(f, xp.baseAddress!, $0.baseAddress!, count: x.count) }
                }
                for i in x.indices {
                    XCTAssertLessThanOrEqual(ulps(y[i], scalar(x[i])), 4, "\(level) \(f)(\(x[i])) = \(y[i]), glibc \(scalar(x[i]))")
                }
            }
        }
    }

    /// An element's result does not depend on how many elements a call has or
    /// where it starts (the tail goes through the same vector code, padded).
    func testResultsIndependentOfCountAndOffset() {
        var rng = SeededGenerator(seed: 9)
        let x = (0..<64).map { _ in Double.random(in: -20...20, using: &rng) }
        for level in levels {
            let math = VectorMath(level: level)!
            for f in [VectorFunction.exp, .log1p, .expm1] {
                let arg = f == .log1p ? x.map { abs($0) } : x
                var whole = [Double](repeating: 0, count: arg.count)
                arg.withUnsafeBufferPointer { a in whole.withUnsafeMutableBufferPointer { math.apply(f, a.baseAddress!, $0.baseAddress!, count: arg.count) } }
                for offset in 0..<3 {
                    for n in 1...(arg.count - offset) {
                        var part = [Double](repeating: 0, count: n)
                        arg.withUnsafeBufferPointer { a in part.withUnsafeMutableBufferPointer { math.apply(f, a.baseAddress! + offset, $0.baseAddress!, count: n) } }
                        for i in 0..<n where part[i].bitPattern != whole[offset + i].bitPattern {
                            XCTFail("\(level) \(f): element \(offset + i) is \(part[i]) in a call of \(n) from \(offset), \(whole[offset + i]) in one call")
                        }
                    }
                }
            }
        }
    }

    /// The scans find the first offending element wherever it is, NaN passing the
    /// domain scans and failing the non-finite one, at every level, f64 and f32.
    func testScansFindTheFirstOffender() {
        let n = 5000
        for level in levels {
            let math = VectorMath(level: level)!
            for bad in [0, 1, 7, 2047, 2048, 4999] {
                var x = [Double](repeating: 0.5, count: n)
                x[bad / 2] = .nan
                x[bad] = 1.5
                if bad + 1 < n { x[bad + 1] = -3 }
                let xf = x.map { Float($0) }
                XCTAssertEqual(math.firstOutside(x, count: n, lower: 0, upper: 1, lowerInclusive: true, upperInclusive: true),
                               bad == 0 ? 0 : bad, "\(level) f64 outside at \(bad)")
                XCTAssertEqual(math.firstOutside(xf, count: n, lower: 0, upper: 1, lowerInclusive: true, upperInclusive: true),
                               bad == 0 ? 0 : bad, "\(level) f32 outside at \(bad)")
                XCTAssertEqual(math.firstNonFinite(x, count: n), bad == 0 ? nil : bad / 2, "\(level) f64 non-finite")
                XCTAssertEqual(math.firstNonFinite(xf, count: n), bad == 0 ? nil : bad / 2, "\(level) f32 non-finite")
                XCTAssertEqual(math.firstNotMember(x, count: n, [0.5, -3]), bad, "\(level) f64 member")
                XCTAssertEqual(math.firstNotMember(xf, count: n, [0.5, -3]), bad, "\(level) f32 member")
            }
            let edges: [Double] = [0, 1, 0.25]
            XCTAssertEqual(math.firstOutside(edges, count: 3, lower: 0, upper: 1, lowerInclusive: false, upperInclusive: true), 0)
            XCTAssertEqual(math.firstOutside(edges, count: 3, lower: 0, upper: 1, lowerInclusive: true, upperInclusive: false), 1)
            XCTAssertNil(math.firstOutside(edges, count: 3, lower: 0, upper: 1, lowerInclusive: true, upperInclusive: true))
            XCTAssertEqual(math.firstNonFinite([1, 2, -Double.infinity], count: 3), 2)
        }
    }

    // MARK: losses at every level

    struct Outputs {
        var values: [Double], gradient: [Double], hessian: [Double], sum: Double
    }

    /// Evaluates an element-wise loss at one level over a one-column batch.
    func evaluate<L: ElementwiseLoss>(_ loss: L, _ pred: [Double], _ target: [Double], _ math: VectorMath) -> Outputs {
        var v = [Double](repeating: 0, count: pred.count), g = v, h = v
        let sum = pred.withUnsafeBufferPointer { p in target.withUnsafeBufferPointer { t in
            v.withUnsafeMutableBufferPointer { vp in g.withUnsafeMutableBufferPointer { gp in h.withUnsafeMutableBufferPointer { hp in
                let b = Batch(rows: pred.count, predColumns: 1, targetColumns: 1, pred: p.baseAddress, target: t.baseAddress,
                              weight: nil, values: vp.baseAddress, gradient: gp.baseAddress, hessian: hp.baseAddress, wantsSum: true)
                return (try? Kernels.elementwise(loss, b, math: math))?.sum ?? .nan
            } } }
        } }
        return Outputs(values: v, gradient: g, hessian: h, sum: sum)
    }

    /// Evaluates a row loss at one level.
    func evaluate<L: RowLoss>(rows loss: L, _ pred: [Double], _ target: [Double], columns: Int, targetColumns: Int, _ math: VectorMath) -> Outputs {
        let rows = pred.count / columns
        var v = [Double](repeating: 0, count: rows), g = [Double](repeating: 0, count: pred.count), h = g
        let sum = pred.withUnsafeBufferPointer { p in target.withUnsafeBufferPointer { t in
            v.withUnsafeMutableBufferPointer { vp in g.withUnsafeMutableBufferPointer { gp in h.withUnsafeMutableBufferPointer { hp in
                let b = Batch(rows: rows, predColumns: columns, targetColumns: targetColumns, pred: p.baseAddress, target: t.baseAddress,
                              weight: nil, values: vp.baseAddress, gradient: gp.baseAddress, hessian: hp.baseAddress, wantsSum: true)
                return (try? Kernels.rowwise(loss, b, math: math))?.sum ?? .nan
            } } }
        } }
        return Outputs(values: v, gradient: g, hessian: h, sum: sum)
    }

    /// Agreement to `rtol` relative, where an entry that is a difference of larger
    /// terms (σ(x) − t, e^p − t·p, …) is held to `rtol` times the largest entry of
    /// its output: the few-ulp differences of exp / log are amplified by the cancellation.
    func assertAgree(_ a: Outputs, _ b: Outputs, _ label: String, rtol: Double = 1e-14) {
        func close(_ x: Double, _ y: Double, floor: Double = 0) -> Bool {
            x == y || (x.isNaN && y.isNaN) || abs(x - y) <= rtol * max(abs(x), abs(y), floor)
        }
        for (name, x, y) in [("value", a.values, b.values), ("gradient", a.gradient, b.gradient), ("hessian", a.hessian, b.hessian)] {
            let largest = y.filter(\.isFinite).map(abs).max() ?? 0
            let bad = x.indices.filter { !close(x[$0], y[$0], floor: largest) }
            XCTAssertTrue(bad.isEmpty, "\(label) \(name): \(bad.count) of \(x.count) differ, first [\(bad.first ?? 0)]: \(bad.first.map { "\(x[$0]) vs \(y[$0])" } ?? "")")
        }
        XCTAssertTrue(close(a.sum, b.sum), "\(label) sum: \(a.sum) vs \(b.sum)")
    }

    func uniforms(_ n: Int, _ range: ClosedRange<Double>, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Double.random(in: range, using: &rng) }
    }

    func testElementwiseLossesAgreeAtEveryLevel() throws {
        let n = 1003  // several blocks and a tail
        let logits = uniforms(n, -30...30, seed: 1) + [0, -0.0, 745, -745, 800, -800, 1e-300]
        let m = logits.count
        let soft = uniforms(m, 0...1, seed: 2).enumerated().map { $0.offset % 3 == 0 ? ($0.element < 0.5 ? 0 : 1) : $0.element }
        let labels = soft.map { $0 < 0.5 ? 0.0 : 1.0 }
        let probs = uniforms(m - 4, 0...1, seed: 3) + [0, 1, 1e-300, 1 - 1e-16]
        let counts = uniforms(m, 0...20, seed: 4).map { $0.rounded() }
        let small = uniforms(m, -5...5, seed: 5)
        let rates = uniforms(m - 1, 0...10, seed: 6) + [0]
        func run<L: ElementwiseLoss>(_ loss: L, _ pred: [Double], _ target: [Double], _ label: String) {
            XCTAssertTrue(L.evaluatesBlocks, label)
            let scalar = evaluate(loss, pred, target, VectorMath(level: .scalar)!)
            XCTAssertTrue(scalar.sum.isFinite, "\(label): sum \(scalar.sum)")
            for level in levels.dropFirst() {
                assertAgree(evaluate(loss, pred, target, VectorMath(level: level)!), scalar, "\(label) at \(level)")
            }
        }
        run(BCEWithLogits(ParameterValues(scalars: ["pos_weight": 1])), logits, soft, "bce_with_logits")
        run(BCEWithLogits(ParameterValues(scalars: ["pos_weight": 3.5])), logits, soft, "bce_with_logits pos_weight")
        run(Focal(ParameterValues(scalars: ["alpha": 0.25, "gamma": 2])), logits, soft, "focal")
        run(Focal(ParameterValues(scalars: ["alpha": -1, "gamma": 1.5])), logits, soft, "focal gamma 1.5")
        run(Focal(ParameterValues(scalars: ["alpha": 0.6, "gamma": 0])), logits, soft, "focal gamma 0")
        run(SoftMargin(ParameterValues()), logits, labels, "soft_margin")
        run(BCE(ParameterValues()), probs, soft, "bce")
        run(LogCosh(ParameterValues()), logits, small, "log_cosh")
        run(PoissonNLL(ParameterValues(scalars: ["log_input": 1, "full": 1, "eps": 1e-8])), small, counts, "poisson_nll full")
        run(PoissonNLL(ParameterValues(scalars: ["log_input": 0, "full": 0, "eps": 1e-8])), rates, counts, "poisson_nll rate")
        run(Tweedie(ParameterValues(scalars: ["rho": 1.5])), small, counts, "tweedie")
        run(Tweedie(ParameterValues(scalars: ["rho": 1])), small, counts, "tweedie rho 1")
    }

    func testRowLossesAgreeAtEveryLevel() {
        for classes in [3, 10, 37] {
            let rows = 150
            let logits = uniforms(rows * classes, -40...40, seed: UInt64(classes))
            var rng = SeededGenerator(seed: 8)
            let index = (0..<rows).map { _ in Double(Int.random(in: 0..<classes, using: &rng)) }
            let plain = CrossEntropy(ParameterValues())
            let smooth = CrossEntropy(ParameterValues(scalars: ["label_smoothing": 0.1]))
            let probs = uniforms(rows * classes, 0...1, seed: 11).map { $0 < 0.2 ? 0 : $0 }
            let kl = KLDiv(ParameterValues())
            let scalar = VectorMath(level: .scalar)!
            let refs = [
                evaluate(rows: plain, logits, index, columns: classes, targetColumns: 1, scalar),
                evaluate(rows: smooth, logits, probs, columns: classes, targetColumns: classes, scalar),
                evaluate(rows: kl, logits, probs, columns: classes, targetColumns: classes, scalar),
            ]
            for level in levels.dropFirst() {
                let math = VectorMath(level: level)!
                assertAgree(evaluate(rows: plain, logits, index, columns: classes, targetColumns: 1, math), refs[0], "cross_entropy \(classes) at \(level)")
                assertAgree(evaluate(rows: smooth, logits, probs, columns: classes, targetColumns: classes, math), refs[1], "cross_entropy soft \(classes) at \(level)")
                assertAgree(evaluate(rows: kl, logits, probs, columns: classes, targetColumns: classes, math), refs[2], "kl_div \(classes) at \(level)")
            }
        }
    }

    /// Splitting a batch anywhere gives bitwise the same per-element results (the
    /// host's chunks, and so its thread count, cannot change them).
    func testBlockLossIndependentOfSplit() {
        let logits = uniforms(700, -12...12, seed: 21)
        let target = uniforms(700, 0...1, seed: 22)
        let loss = Focal(ParameterValues(scalars: ["alpha": 0.25, "gamma": 1.5]))
        let whole = evaluate(loss, logits, target, .best)
        for cut in [1, 5, 17, 255, 256, 257, 333] {
            let a = evaluate(loss, Array(logits[..<cut]), Array(target[..<cut]), .best)
            let b = evaluate(loss, Array(logits[cut...]), Array(target[cut...]), .best)
            let joined = a.values + b.values, grad = a.gradient + b.gradient
            XCTAssertEqual(joined.map(\.bitPattern), whole.values.map(\.bitPattern), "values split at \(cut)")
            XCTAssertEqual(grad.map(\.bitPattern), whole.gradient.map(\.bitPattern), "gradient split at \(cut)")
        }
    }

    /// Short rows run across rows (a transposed block, one row per vector lane):
    /// every row of a block gives bit for bit what the row gives alone (the
    /// direct path), with ties, infinities and NaN, at every level, f64 and f32,
    /// for column counts on both sides of the crossover.
    func testSoftmaxRowsAcrossRowsMatchOneRowAtATime() {
        var rng = SeededGenerator(seed: 31)
        for columns in [1, 2, 3, 4, 5, 7, 8, 10, 15, 16, 17, 33] {
            let rows = 150
            var x = (0..<(rows * columns)).map { _ in Double.random(in: -30...30, using: &rng) }
            x[columns] = x[columns + columns - 1]  // a tie in row 1
            x[2 * columns] = .infinity
            x[3 * columns + columns / 2] = -.infinity
            x[4 * columns] = .nan
            for level in levels {
                let math = VectorMath(level: level)!
                let block = softmaxRows(x, rows: rows, columns: columns, math)
                let block32 = softmaxRows(x.map { Float($0) }, rows: rows, columns: columns, math)
                for r in 0..<rows {
                    let row = Array(x[(r * columns)..<((r + 1) * columns)])
                    let one = softmaxRows(row, rows: 1, columns: columns, math)
                    let one32 = softmaxRows(row.map { Float($0) }, rows: 1, columns: columns, math)
                    let here = "\(level), \(columns) columns, row \(r)"
                    XCTAssertEqual(block.top[r], one.top[0], here)
                    XCTAssertEqual(block.max[r].bitPattern, one.max[0].bitPattern, here)
                    XCTAssertEqual(block.rest[r].bitPattern, one.rest[0].bitPattern, here)
                    XCTAssertEqual(block.exps[(r * columns)..<((r + 1) * columns)].map(\.bitPattern), one.exps.map(\.bitPattern), here)
                    XCTAssertEqual(block32.top[r], one32.top[0], "f32 " + here)
                    XCTAssertEqual(block32.max[r].bitPattern, one32.max[0].bitPattern, "f32 " + here)
                    XCTAssertEqual(block32.rest[r].bitPattern, one32.rest[0].bitPattern, "f32 " + here)
                    XCTAssertEqual(block32.exps[(r * columns)..<((r + 1) * columns)].map(\.bitPattern), one32.exps.map(\.bitPattern), "f32 " + here)
                }
            }
        }
    }

    /// The softmax written in the same pass (`probabilities:`) is bit for bit the
    /// exps scaled by 1 / (1 + rest) through `scaleRows`, and the other outputs are
    /// those of a call without it: every level, f64 and f32, row counts that leave
    /// partial tiles, column counts on both sides of the tile widths and the crossover.
    func testSoftmaxProbabilitiesAreTheScaledExps() {
        var rng = SeededGenerator(seed: 32)
        for columns in [1, 3, 4, 5, 7, 8, 9, 10, 12, 15, 16, 17, 40] {
            for rows in [1, 2, 7, 8, 9, 51, 64, 65, 150] {
                var x = (0..<(rows * columns)).map { _ in Double.random(in: -30...30, using: &rng) }
                if rows > 4 {
                    x[2 * columns] = .infinity
                    x[3 * columns + columns / 2] = -.infinity
                    x[4 * columns] = .nan
                }
                for level in levels {
                    let math = VectorMath(level: level)!
                    let here = "\(level), \(rows) x \(columns)"
                    let plain = softmaxRows(x, rows: rows, columns: columns, math)
                    let both = softmaxRows(x, rows: rows, columns: columns, math, probabilities: true)
                    XCTAssertEqual(both.exps.map(\.bitPattern), plain.exps.map(\.bitPattern), here)
                    XCTAssertEqual(both.rest.map(\.bitPattern), plain.rest.map(\.bitPattern), here)
                    XCTAssertEqual(both.top, plain.top, here)
                    XCTAssertEqual(both.probs.map(\.bitPattern), scaled(plain.exps, plain.rest, columns, math).map(\.bitPattern), here)
                    let x32 = x.map { Float($0) }
                    let plain32 = softmaxRows(x32, rows: rows, columns: columns, math)
                    let both32 = softmaxRows(x32, rows: rows, columns: columns, math, probabilities: true)
                    XCTAssertEqual(both32.exps.map(\.bitPattern), plain32.exps.map(\.bitPattern), "f32 " + here)
                    XCTAssertEqual(both32.rest.map(\.bitPattern), plain32.rest.map(\.bitPattern), "f32 " + here)
                    XCTAssertEqual(both32.top, plain32.top, "f32 " + here)
                    XCTAssertEqual(both32.probs.map(\.bitPattern), scaled(plain32.exps, plain32.rest, columns, math).map(\.bitPattern),
                                   "f32 " + here)
                }
            }
        }
    }

    /// `scaleRows(exps, by: 1 / (1 + rest))`.
    private func scaled<T: BinaryFloatingPoint>(_ exps: [T], _ rest: [Double], _ columns: Int, _ math: VectorMath) -> [T] {
        let factor = rest.map { 1 / (1 + $0) }
        var y = exps
        exps.withUnsafeBufferPointer { e in
            y.withUnsafeMutableBufferPointer { yp in
                if T.self == Double.self {
                    math.scaleRows(UnsafeRawPointer(e.baseAddress!).assumingMemoryBound(to: Double.self), rows: rest.count, columns: columns,
                                   by: factor, into: UnsafeMutableRawPointer(yp.baseAddress!).assumingMemoryBound(to: Double.self))
                } else {
                    math.scaleRows(UnsafeRawPointer(e.baseAddress!).assumingMemoryBound(to: Float.self), rows: rest.count, columns: columns,
                                   by: factor, into: UnsafeMutableRawPointer(yp.baseAddress!).assumingMemoryBound(to: Float.self))
                }
            }
        }
        return y
    }

    private func softmaxRows<T: BinaryFloatingPoint>(_ x: [T], rows: Int, columns: Int, _ math: VectorMath, probabilities: Bool = false)
        -> (exps: [T], probs: [T], max: [Double], top: [Int], rest: [Double]) {
        var exps = [T](repeating: 0, count: x.count), probs = exps, max = [Double](repeating: 0, count: rows)
        var top = [Int](repeating: 0, count: rows), rest = [Double](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { xp in
            exps.withUnsafeMutableBufferPointer { e in
                probs.withUnsafeMutableBufferPointer { p in
                    max.withUnsafeMutableBufferPointer { m in
                        top.withUnsafeMutableBufferPointer { t in
                            rest.withUnsafeMutableBufferPointer { s in
                                if T.self == Double.self {
                                    math.softmaxRows(UnsafeRawPointer(xp.baseAddress!).assumingMemoryBound(to: Double.self), rows: rows,
                                                     columns: columns, exps: UnsafeMutableRawPointer(e.baseAddress!).assumingMemoryBound(to: Double.self),
                                                     probabilities: probabilities ? UnsafeMutableRawPointer(p.baseAddress!).assumingMemoryBound(to: Double.self) : nil,
                                                     max: m.baseAddress!, top: t.baseAddress!, rest: s.baseAddress!)
                                } else {
                                    math.softmaxRows(UnsafeRawPointer(xp.baseAddress!).assumingMemoryBound(to: Float.self), rows: rows,
                                                     columns: columns, exps: UnsafeMutableRawPointer(e.baseAddress!).assumingMemoryBound(to: Float.self),
                                                     probabilities: probabilities ? UnsafeMutableRawPointer(p.baseAddress!).assumingMemoryBound(to: Float.self) : nil,
                                                     max: m.baseAddress!, top: t.baseAddress!, rest: s.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (exps, probs, max, top, rest)
    }
}
