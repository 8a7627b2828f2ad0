import CLossHost
import XCTest

/// Derivatives and batch bookkeeping of every loss, through the C table, on the
/// random batches of `lossCases`.
final class DerivativeTests: XCTestCase {
    func testCasesCoverEveryLoss() {
        XCTAssertEqual(Set(lossCases.map(\.id)), Set(CLoss.ids))
    }

    /// Central differences of the per-element (or per-row) weighted values against
    /// the gradient, and of the gradient against the Hessian diagonal.
    func testFiniteDifferences() {
        for c in lossCases {
            let loss = CLoss(c.id)
            let (pred, target, weight) = c.batch(rows: 12, seed: 7)
            let d = c.predColumns
            guard case .success(let base) = loss.evaluate(params: c.params, pred: pred, target: target, weight: weight) else {
                XCTFail("\(c.name): evaluate failed")
                continue
            }
            for r in pred.indices {
                for j in 0..<d {
                    let x = pred[r][j]
                    let h = 1e-5 * max(1, abs(x))
                    func at(_ shift: Double) -> CResult? {
                        var moved = pred
                        moved[r][j] = x + shift
                        return try? loss.evaluate(params: c.params, pred: moved, target: target, weight: weight).get()
                    }
                    guard let plus = at(h), let minus = at(-h) else {
                        XCTFail("\(c.name): evaluate failed near row \(r)")
                        continue
                    }
                    let k = r * d + j
                    let v = loss.reduce == LH_ROWWISE ? r : k
                    let gradient = (plus.values[v] - minus.values[v]) / (2 * h)
                    let hessian = (plus.gradient[k] - minus.gradient[k]) / (2 * h)
                    let label = "\(c.name) row \(r) column \(j) at pred \(x), target \(target[r])"
                    XCTAssertEqual(base.gradient[k], gradient, accuracy: 1e-6 * max(1, abs(gradient)), "\(label): gradient")
                    XCTAssertEqual(base.hessian[k], hessian, accuracy: 1e-6 * max(1, abs(hessian)), "\(label): hessian")
                }
            }
        }
    }

    /// The outputs agree with each other: sum = Σ values, normalizer = D·Σw
    /// (element-wise) or Σ w·(row normalizer), and weights scale every output.
    func testSumsAndWeights() {
        for c in lossCases {
            let loss = CLoss(c.id)
            let (pred, target, weight) = c.batch(rows: 9, seed: 11)
            guard let plain = try? loss.evaluate(params: c.params, pred: pred, target: target).get(),
                  let ones = try? loss.evaluate(params: c.params, pred: pred, target: target,
                                                weight: Array(repeating: 1, count: pred.count)).get(),
                  let weighted = try? loss.evaluate(params: c.params, pred: pred, target: target, weight: weight).get()
            else {
                XCTFail("\(c.name): evaluate failed")
                continue
            }
            // Weights of 1 are no weights: the same outputs bit for bit (the sums
            // up to the kit's order of summation).
            XCTAssertEqual(ones.values, plain.values, "\(c.name): values")
            XCTAssertEqual(ones.sum, plain.sum, accuracy: 1e-14 * abs(plain.sum), "\(c.name): sum")
            XCTAssertEqual(ones.normalizer, plain.normalizer, accuracy: 1e-14 * plain.normalizer, "\(c.name): normalizer")
            XCTAssertEqual(ones.gradient, plain.gradient, "\(c.name): gradient")
            XCTAssertEqual(ones.hessian, plain.hessian, "\(c.name): hessian")

            XCTAssertEqual(plain.sum, plain.values.reduce(0, +), accuracy: 1e-12 * max(1, abs(plain.sum)), "\(c.name): sum")
            XCTAssertEqual(weighted.sum, weighted.values.reduce(0, +), accuracy: 1e-12 * max(1, abs(weighted.sum)),
                           "\(c.name): weighted sum")
            let perRow = loss.reduce == LH_ROWWISE ? 1 : c.predColumns
            for i in plain.values.indices {
                let w = weight[i / perRow]
                XCTAssertEqual(weighted.values[i], w * plain.values[i], accuracy: 1e-14 * abs(plain.values[i]),
                               "\(c.name): weighted value \(i)")
            }
            for k in plain.gradient.indices {
                let w = weight[k / c.predColumns]
                XCTAssertEqual(weighted.gradient[k], w * plain.gradient[k], accuracy: 1e-14 * abs(plain.gradient[k]),
                               "\(c.name): weighted gradient \(k)")
                XCTAssertEqual(weighted.hessian[k], w * plain.hessian[k], accuracy: 1e-14 * abs(plain.hessian[k]),
                               "\(c.name): weighted hessian \(k)")
            }
            if loss.reduce == LH_ELEMENTWISE {
                XCTAssertEqual(plain.normalizer, Double(pred.count * c.predColumns), "\(c.name): normalizer")
                XCTAssertEqual(weighted.normalizer, Double(c.predColumns) * weight.reduce(0, +),
                               accuracy: 1e-12 * weighted.normalizer, "\(c.name): weighted normalizer")
            }
        }
    }

    /// Rows [0, k) and [k, N) evaluated apart compose to the whole batch.
    func testSplitBatchesCompose() {
        for c in lossCases {
            let loss = CLoss(c.id)
            let (pred, target, weight) = c.batch(rows: 10, seed: 3)
            let k = 4
            guard let whole = try? loss.evaluate(params: c.params, pred: pred, target: target, weight: weight).get(),
                  let head = try? loss.evaluate(params: c.params, pred: Array(pred[..<k]), target: Array(target[..<k]),
                                                weight: Array(weight[..<k])).get(),
                  let tail = try? loss.evaluate(params: c.params, pred: Array(pred[k...]), target: Array(target[k...]),
                                                weight: Array(weight[k...])).get()
            else {
                XCTFail("\(c.name): evaluate failed")
                continue
            }
            XCTAssertEqual(head.values + tail.values, whole.values, "\(c.name): values")
            XCTAssertEqual(head.gradient + tail.gradient, whole.gradient, "\(c.name): gradient")
            XCTAssertEqual(head.hessian + tail.hessian, whole.hessian, "\(c.name): hessian")
            XCTAssertEqual(head.sum + tail.sum, whole.sum, accuracy: 1e-12 * max(1, abs(whole.sum)), "\(c.name): sum")
            XCTAssertEqual(head.normalizer + tail.normalizer, whole.normalizer, accuracy: 1e-12 * whole.normalizer,
                           "\(c.name): normalizer")
        }
    }

    /// An empty batch succeeds with sum 0 and normalizer 0.
    func testEmptyBatch() {
        for c in lossCases {
            switch CLoss(c.id).evaluate(params: c.params, pred: [], target: [], weight: [],
                                        predColumns: c.predColumns, targetColumns: c.targetColumns) {
            case .success(let r):
                XCTAssertEqual(r.sum, 0, "\(c.name): sum")
                XCTAssertEqual(r.normalizer, 0, "\(c.name): normalizer")
                XCTAssertEqual(r.values, [], "\(c.name): values")
            case .failure(let failure):
                XCTFail("\(c.name): \(failure)")
            }
        }
    }
}
