import Foundation
import LossHostEngine
import LossHostIO
import LossHostTools
import XCTest

/// The fast engine paths: results bitwise independent of the thread count,
/// chunk-by-chunk `mean` scaling equal to scaling afterwards, float32 through
/// the kit, .npy read in place.
final class SpeedEngineTests: XCTestCase {
    static let registry: LossRegistry = {
        var r = LossRegistry()
        r.addBuiltIns()
        return r
    }()

    func instance(_ id: String, _ params: [String] = []) throws -> LossInstance {
        let loss = try Self.registry.resolve(id)
        return try LossInstance(loss, parameters: BoundParameters.bind(params, to: loss.info))
    }

    /// Deterministic data: n rows of d columns in [-3, 3), class indices for one-column targets.
    func data(rows: Int, columns: Int, classes: Int? = nil, labels: Bool = false) -> (Matrix, Matrix, [Double]) {
        var s: UInt64 = 12345
        func next() -> Double {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Double(s >> 11) * 0x1p-53
        }
        let pred = (0..<rows * columns).map { _ in next() * 6 - 3 }
        let target: [Double]
        if let classes { target = (0..<rows).map { _ in Double(Int(next() * Double(classes))) } }
        else if labels { target = (0..<rows * columns).map { _ in next() < 0.5 ? 0 : 1 } }
        else { target = (0..<rows * columns).map { _ in next() * 6 - 3 } }
        let weight = (0..<rows).map { _ in next() * 2 }
        let tc = classes == nil ? columns : 1
        return (Matrix(rows: rows, columns: columns, values: pred), Matrix(rows: rows, columns: tc, values: target), weight)
    }

    func bits(_ a: [Double]?) -> [UInt64] { (a ?? []).map(\.bitPattern) }

    func testResultsAreBitwiseIndependentOfTheThreadCount() throws {
        let cases: [(String, [String], Int, Int?, Bool)] = [
            ("mse", [], 1, nil, false), ("huber", [], 3, nil, false), ("bce_with_logits", [], 1, nil, true),
            ("focal", [], 1, nil, true), ("cross_entropy", [], 7, 7, false),
            ("cross_entropy", ["weight=1,2,3,0.5,1,1,2"], 7, 7, false),
        ]
        for (id, params, columns, classes, labels) in cases {
            let loss = try instance(id, params)
            let (pred, target, weight) = data(rows: 150_001 / columns, columns: columns, classes: classes, labels: labels)
            for w in [nil, weight] {
                for reduction in [Reduction.mean, .sum, .none] {
                    var reference: Evaluation? = nil
                    for threads in [1, 2, 3] {
                        let options = EvaluationOptions(reduction: reduction, gradient: true, hessian: true, threads: threads)
                        let e = try Evaluator.evaluate(loss, pred: pred, target: target, weight: w, options: options)
                        guard let r = reference else { reference = e; continue }
                        let label = "\(id) \(params) weighted \(w != nil) \(reduction) threads \(threads)"
                        XCTAssertEqual(e.value.bitPattern, r.value.bitPattern, label)
                        XCTAssertEqual(bits(e.gradient), bits(r.gradient), label)
                        XCTAssertEqual(bits(e.hessian), bits(r.hessian), label)
                        XCTAssertEqual(bits(e.values), bits(r.values), label)
                    }
                    // mean = sum scaled by 1 / normalizer, derivatives too.
                    if reduction == .mean {
                        let sum = try Evaluator.evaluate(loss, pred: pred, target: target, weight: w,
                                                         options: EvaluationOptions(reduction: .sum, gradient: true, threads: 2))
                        let mean = reference!
                        XCTAssertEqual(mean.value, sum.sum / sum.normalizer, accuracy: 1e-12 * abs(mean.value))
                        for (a, b) in zip(mean.gradient!, sum.gradient!) {
                            XCTAssertEqual(a, b / sum.normalizer, accuracy: 1e-15 * max(1, abs(a)), "\(id) \(params) mean gradient")
                        }
                    }
                }
            }
        }
    }

    func testFloat32AgreesWithFloat64() throws {
        for (id, labels) in [("mse", false), ("huber", false), ("bce_with_logits", true), ("soft_margin", true)] {
            let loss = try instance(id)
            let (pred, target, weight64) = data(rows: 70_000, columns: 1, labels: labels)
            let weight = weight64.map { Double(Float($0)) }  // float32 evaluation rounds the weights to float32
            let p32 = NumericArray(rows: pred.rows, columns: 1, floats: pred.values.map { Float($0) })
            let t32 = NumericArray(rows: target.rows, columns: 1, floats: target.values.map { Float($0) })
            let p64 = NumericArray(rows: pred.rows, columns: 1, doubles: p32.doubles)
            let t64 = NumericArray(rows: target.rows, columns: 1, doubles: t32.doubles)
            // sum: per-element losses (mse, huber) compute in float64 and round once, so their
            // float32 results are the float64 ones rounded; block losses (bce_with_logits,
            // soft_margin) compute in float lanes: float precision, to 2e-6 relative with a
            // floor of 2e-6 of the largest entry (σ(x) − t cancels).
            let rounded = !labels
            let options = EvaluationOptions(reduction: .sum, gradient: true, hessian: true, values: true)
            let e32 = try Evaluator.evaluate(loss, pred: p32, target: t32, weight: weight, options: options)
            let e64 = try Evaluator.evaluate(loss, pred: p64, target: t64, weight: weight, options: options)
            XCTAssertEqual(e32.dtype, .f32)
            XCTAssertNil(e32.gradient, "float32 results stay float32 until widened")
            XCTAssertEqual(e32.value, e64.value, accuracy: (rounded ? 1e-6 : 2e-6) * abs(e64.value), id)
            func agree(_ a: [Float], _ b: [Double], _ label: String) {
                let largest = b.map(abs).max() ?? 0
                let bad = a.indices.filter { i in
                    rounded ? a[i] != Float(b[i]) : abs(Double(a[i]) - b[i]) > 2e-6 * max(abs(b[i]), largest)
                }
                XCTAssertTrue(bad.isEmpty, "\(id) \(label): \(bad.count) of \(a.count) differ, first \(bad.first.map { "\(a[$0]) vs \(b[$0])" } ?? "")")
            }
            agree(e32.gradientF32!, e64.gradient!, rounded ? "float32 gradient is the float64 one rounded" : "float32 gradient")
            agree(e32.valuesF32!, e64.values!, "values")
            // mean: scaled after rounding, within float32 precision.
            let mean = EvaluationOptions(reduction: .mean, gradient: true)
            let m32 = try Evaluator.evaluate(loss, pred: p32, target: t32, weight: weight, options: mean)
            let m64 = try Evaluator.evaluate(loss, pred: p64, target: t64, weight: weight, options: mean)
            XCTAssertEqual(m32.value, m64.value, accuracy: (rounded ? 1e-6 : 2e-6) * abs(m64.value), id)
            if rounded {
                for (a, b) in zip(m32.gradientF32!, m64.gradient!) { XCTAssertEqual(Double(a), b, accuracy: 2e-7 * abs(b), "\(id) mean gradient") }
            } else {
                agree(m32.gradientF32!, m64.gradient!, "mean gradient")
            }
        }
    }

    func testNpyIsReadInPlace() throws {
        let values: [Double] = (0..<1000).map { Double($0) * 0.5 }
        for f32 in [false, true] {
            var header = Array("{'descr': '\(f32 ? "<f4" : "<f8")', 'fortran_order': False, 'shape': (500, 2), }".utf8)
            header += Array(repeating: UInt8(ascii: " "), count: 118 - header.count - 1) + [UInt8(ascii: "\n")]
            var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count), 0] + header
            for v in values {
                if f32 { withUnsafeBytes(of: Float(v)) { bytes += $0 } } else { withUnsafeBytes(of: v) { bytes += $0 } }
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("speed-\(getpid())-\(f32).npy").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let a = try MatrixReader.readArray(path: path)
            XCTAssertTrue(a.isMapped)
            XCTAssertEqual(a.dtype, f32 ? .f32 : .f64)
            XCTAssertEqual(a.rows, 500)
            XCTAssertEqual(a.columns, 2)
            XCTAssertEqual(a.doubles, values)
            XCTAssertEqual(try MatrixReader.read(path: path).values, values)
        }
    }
}
