import Foundation
import LossKit
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

/// Fitting reaches the known optima: least squares = the normal equations,
/// logistic regression = an independent Newton iteration written here.
final class FitTests: XCTestCase {
    static let registry: LossRegistry = {
        var r = LossRegistry()
        r.addBuiltIns()
        return r
    }()

    func loss(_ id: String, _ params: [String] = []) throws -> LossInstance {
        let found = try Self.registry.resolve(id)
        return try LossInstance(found, parameters: BoundParameters.bind(params, to: found.info))
    }

    /// A deterministic design: n rows of p features on different scales, with an offset.
    static func design(n: Int, p: Int, seed: UInt64) -> [[Double]] {
        var g = SeededRandom(seed: seed)
        return (0..<n).map { _ in (0..<p).map { j in Double(j + 1) * g.normal() + Double(j) } }
    }

    /// Solves A x = b by Gaussian elimination with partial pivoting (independent of the code under test).
    static func gauss(_ A: [[Double]], _ b: [Double]) -> [Double] {
        var M = A.enumerated().map { $1 + [b[$0]] }
        let n = b.count
        for c in 0..<n {
            let pivot = (c..<n).max { abs(M[$0][c]) < abs(M[$1][c]) }!
            M.swapAt(c, pivot)
            for r in 0..<n where r != c {
                let f = M[r][c] / M[c][c]
                for k in c...n { M[r][k] -= f * M[c][k] }
            }
        }
        return (0..<n).map { M[$0][n] / M[$0][$0] }
    }

    static func dataset(_ x: [[Double]], _ y: [Double]) -> Dataset {
        Dataset(featureNames: (0..<x[0].count).map { "x\($0 + 1)" }, targetName: "y",
                features: Matrix(rows: x.count, columns: x[0].count, values: x.flatMap { $0 }), target: y)
    }

    // MARK: least squares

    func leastSquaresProblem() -> (Dataset, [Double]) {
        let x = Self.design(n: 60, p: 3, seed: 7)
        var g = SeededRandom(seed: 99)
        let y = x.map { 1.5 - 2 * $0[0] + 0.25 * $0[1] + 3 * $0[2] + g.normal() }
        // Normal equations on [x, 1]: (ZᵀZ) β = Zᵀy.
        let z = x.map { $0 + [1] }
        let m = 4
        let ztz = (0..<m).map { a in (0..<m).map { b in z.reduce(0) { $0 + $1[a] * $1[b] } } }
        let zty = (0..<m).map { a in zip(z, y).reduce(0) { $0 + $1.0[a] * $1.1 } }
        return (Self.dataset(x, y), Self.gauss(ztz, zty))
    }

    func testLeastSquaresEqualsTheNormalEquations() throws {
        let (data, beta) = leastSquaresProblem()
        for newton in [false, true] {
            let r = try Trainer.train(try loss("mse"), data: data, configuration: .init(model: .linear, newton: newton))
            let got = r.model.weights + r.model.intercepts
            for (a, b) in zip(got, beta) { XCTAssertEqual(a, b, accuracy: 1e-8, "newton: \(newton)") }
            XCTAssertTrue(r.trace.converged, r.trace.reason)
        }
    }

    func testNewtonSolvesLeastSquaresInOneStep() throws {
        let (data, _) = leastSquaresProblem()
        let r = try Trainer.train(try loss("mse"), data: data, configuration: .init(model: .linear, newton: true))
        XCTAssertLessThanOrEqual(r.trace.iterations, 2)
    }

    // MARK: logistic regression

    /// Newton's method for the mean logistic loss on [x, 1], written from the formulas.
    static func referenceLogistic(_ x: [[Double]], _ y: [Double]) -> [Double] {
        let z = x.map { $0 + [1] }
        let m = z[0].count, n = Double(z.count)
        var beta = [Double](repeating: 0, count: m)
        for _ in 0..<50 {
            var grad = [Double](repeating: 0, count: m)
            var hess = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for (zi, yi) in zip(z, y) {
                let s = zip(zi, beta).reduce(0) { $0 + $1.0 * $1.1 }
                let p = 1 / (1 + exp(-s))
                for a in 0..<m {
                    grad[a] += (p - yi) * zi[a] / n
                    for b in 0..<m { hess[a][b] += p * (1 - p) * zi[a] * zi[b] / n }
                }
            }
            let step = gauss(hess, grad)
            for a in 0..<m { beta[a] -= step[a] }
            if step.map(abs).max()! < 1e-15 { break }
        }
        return beta
    }

    func logisticProblem() -> (Dataset, [Double]) {
        let x = Self.design(n: 300, p: 2, seed: 3)
        var g = SeededRandom(seed: 5)
        let y: [Double] = x.map { r in
            let s = -0.5 + 1.2 * r[0] - 0.7 * r[1]
            return Double.random(in: 0..<1, using: &g) < 1 / (1 + exp(-s)) ? 1 : 0
        }
        return (Self.dataset(x, y), Self.referenceLogistic(x, y))
    }

    func testLogisticRegressionEqualsTheReferenceSolution() throws {
        let (data, beta) = logisticProblem()
        for newton in [false, true] {
            let r = try Trainer.train(try loss("bce_with_logits"), data: data, configuration: .init(model: .logistic, newton: newton))
            let got = r.model.weights + r.model.intercepts
            for (a, b) in zip(got, beta) { XCTAssertEqual(a, b, accuracy: 1e-6, "newton: \(newton)") }
        }
    }

    func testProbabilityLossesReachTheSameOptimumThroughTheSigmoidLink() throws {
        let (data, beta) = logisticProblem()
        let r = try Trainer.train(try loss("bce"), data: data, configuration: .init(model: .logistic))
        XCTAssertEqual(r.model.link, .sigmoid)
        for (a, b) in zip(r.model.weights + r.model.intercepts, beta) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testPosWeightEqualsDuplicatingThePositives() throws {
        // pos_weight = 3 is the same objective (up to scale) as each positive row three times.
        let (data, _) = logisticProblem()
        var x: [[Double]] = [], y: [Double] = []
        for i in 0..<data.rows {
            let row = Array(data.features.values[(i * 2)..<(i * 2 + 2)])
            for _ in 0..<(data.target[i] == 1 ? 3 : 1) { x.append(row); y.append(data.target[i]) }
        }
        let beta = Self.referenceLogistic(x, y)
        let r = try Trainer.train(try loss("bce_with_logits", ["pos_weight=3"]), data: data,
                                  configuration: .init(model: .logistic, newton: true))
        for (a, b) in zip(r.model.weights + r.model.intercepts, beta) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    // MARK: softmax

    func testSoftmaxMeetsTheFirstOrderConditions() throws {
        let x = Self.design(n: 150, p: 2, seed: 11)
        let y = x.map { r -> Double in r[0] > 0.5 ? 2 : (r[1] > 1 ? 1 : 0) }
        let data = Self.dataset(x, y)
        let r = try Trainer.train(try loss("cross_entropy"), data: data, configuration: .init(model: .softmax, l2: 0.01))
        XCTAssertEqual(r.classes, 3)
        // With an L2 penalty on standardized weights the optimum is unique; check the
        // unpenalised condition on the intercepts: Σ_i (p_ic − y_ic) = 0 for every class.
        let p = r.model.probabilities(data.features)
        for c in 0..<3 {
            let s = (0..<data.rows).reduce(0.0) { $0 + p[$1 * 3 + c] - (Int(y[$1]) == c ? 1 : 0) }
            XCTAssertEqual(s / Double(data.rows), 0, accuracy: 1e-7)
        }
        guard case .multiclass(let m) = Trainer.metrics(r.model, on: data, classes: 3) else { return XCTFail() }
        XCTAssertGreaterThan(m.accuracy, 0.9)
    }

    // MARK: determinism and the loss curve

    func testTheSameSeedGivesTheSameFit() throws {
        let (data, _) = logisticProblem()
        let a = try Trainer.train(try loss("focal"), data: data, configuration: .init(model: .logistic, seed: 42))
        let b = try Trainer.train(try loss("focal"), data: data, configuration: .init(model: .logistic, seed: 42))
        XCTAssertEqual(a.model.weights, b.model.weights)
        XCTAssertEqual(a.trace.values, b.trace.values)
        // The loss curve never goes up (every step passes a sufficient-decrease test).
        for (u, v) in zip(a.trace.values, a.trace.values.dropFirst()) { XCTAssertLessThanOrEqual(v, u) }
    }

    func testNewtonIsRefusedWithoutAnExactHessian() throws {
        let (data, _) = leastSquaresProblem()
        let x = Self.design(n: 30, p: 2, seed: 1)
        let three = Self.dataset(x, x.map { $0[0] > 0 ? 2 : ($0[1] > 1 ? 1 : 0) })
        XCTAssertThrowsError(try Trainer.train(try loss("cross_entropy"), data: three, configuration: .init(model: .softmax, newton: true)))
        XCTAssertNoThrow(try Trainer.train(try loss("huber"), data: data, configuration: .init(model: .linear, newton: true)))
    }
}
