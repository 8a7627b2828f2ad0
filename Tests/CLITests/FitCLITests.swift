import Foundation
import XCTest

/// `losshost fit` on user files and on the bundled data.
final class FitCLITests: XCTestCase {
    /// Solves A x = b by Gaussian elimination with partial pivoting.
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

    /// A small table: target in the middle column, to exercise --target-col.
    static let rows: [[Double]] = (0..<40).map { i in
        let a = Double(i) / 10, b = sin(Double(i) * 1.7) * 3
        let y = 2 - 1.5 * a + 0.75 * b + 0.3 * cos(Double(i) * 2.3)
        return [a, y, b]
    }

    func testLeastSquaresEqualsTheClosedForm() throws {
        var text = "a,y,b\n"
        for r in Self.rows { text += r.map { "\($0)" }.joined(separator: ",") + "\n" }
        let file = CLI.file("fit/ls.csv", text)
        // Normal equations on [a, b, 1].
        let z = Self.rows.map { [$0[0], $0[2], 1] }, y = Self.rows.map { $0[1] }
        let ztz = (0..<3).map { i in (0..<3).map { j in z.reduce(0) { $0 + $1[i] * $1[j] } } }
        let zty = (0..<3).map { i in zip(z, y).reduce(0) { $0 + $1.0[i] * $1.1 } }
        let beta = Self.gauss(ztz, zty)
        for extra in [[], ["--newton"]] {
            let run = try CLI.run(["fit", "--data", file, "--target-col", "y", "--loss", "mse", "--format", "json"] + extra)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stderr, "", "no progress bar when standard error is not a terminal")
            let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
            XCTAssertEqual(json["features"] as? [String], ["a", "b"])
            XCTAssertEqual(json["target"] as? String, "y")
            let weights = try XCTUnwrap(json["weights"] as? [[Double]]).map { $0[0] }
            let intercept = try XCTUnwrap(json["intercepts"] as? [Double])[0]
            XCTAssertEqual(weights[0], beta[0], accuracy: 1e-8)
            XCTAssertEqual(weights[1], beta[1], accuracy: 1e-8)
            XCTAssertEqual(intercept, beta[2], accuracy: 1e-8)
            let curve = try XCTUnwrap(json["loss_curve"] as? [Double])
            XCTAssertGreaterThan(curve.count, 1)
            XCTAssertEqual(curve.last!, json["final_loss"] as? Double)
        }
        // The same column by number.
        let byIndex = try CLI.run(["fit", "--data", file, "--target-col", "2", "--format", "json"])
        XCTAssertEqual(byIndex.status, 0, byIndex.stderr)
        XCTAssertEqual((try CLI.json(byIndex.stdout) as? [String: Any])?["target"] as? String, "y")
    }

    /// Newton for the mean logistic loss, written from the formulas.
    static func referenceLogistic(_ z: [[Double]], _ y: [Double]) -> [Double] {
        let m = z[0].count, n = Double(z.count)
        var beta = [Double](repeating: 0, count: m)
        for _ in 0..<50 {
            var grad = [Double](repeating: 0, count: m)
            var hess = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for (zi, yi) in zip(z, y) {
                let p = 1 / (1 + exp(-zip(zi, beta).reduce(0) { $0 + $1.0 * $1.1 }))
                for a in 0..<m {
                    grad[a] += (p - yi) * zi[a] / n
                    for b in 0..<m { hess[a][b] += p * (1 - p) * zi[a] * zi[b] / n }
                }
            }
            let step = gauss(hess, grad)
            for a in 0..<m { beta[a] -= step[a] }
        }
        return beta
    }

    func testLogisticRegressionEqualsTheReferenceOnTheBundledData() throws {
        let path = CLI.packageRoot.appendingPathComponent("data/imbalanced_train.csv").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        let table = lines.map { $0.split(separator: ",").map { Double($0)! } }
        let beta = Self.referenceLogistic(table.map { [$0[0], $0[1], 1] }, table.map { $0[2] })
        let svg = CLI.scratch.appendingPathComponent("fit-curve.svg").path
        for loss in ["bce_with_logits", "csample/cost_sensitive_logistic:fn_cost=1,fp_cost=1"] {
            var args = ["fit", "--data", path, "--target-col", "label", "--format", "json", "--plot", svg]
            let parts = loss.split(separator: ":")
            args += ["--loss", String(parts[0])]
            if parts.count > 1 { for p in parts[1].split(separator: ",") { args += ["--param", String(p)] } }
            let run = try CLI.run(args)
            XCTAssertEqual(run.status, 0, run.stderr)
            let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
            XCTAssertEqual(json["model"] as? String, "logistic")
            let w = try XCTUnwrap(json["weights"] as? [[Double]]).map { $0[0] }
            let b = try XCTUnwrap(json["intercepts"] as? [Double])[0]
            for (got, want) in zip(w + [b], beta) { XCTAssertEqual(got, want, accuracy: 1e-6, loss) }
            let metrics = try XCTUnwrap((json["metrics"] as? [String: Any])?["train"] as? [String: Any])
            let confusion = try XCTUnwrap(metrics["confusion"] as? [[Int]])
            XCTAssertEqual(confusion.flatMap { $0 }.reduce(0, +), 3000)
            XCTAssertEqual(confusion[1].reduce(0, +), 30)
        }
        let curve = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertEqual(curve.components(separatedBy: "<path ").count - 1, 1)
    }

    func testTextReportAndSoftmax() throws {
        let root = CLI.packageRoot.appendingPathComponent("data").path
        let run = try CLI.run(["fit", "--data", root + "/regression_train.csv", "--test", root + "/regression_test.csv",
                               "--loss", "huber", "--param", "delta=1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for word in ["std/huber (delta=1)", "coefficients", "x1", "(intercept)", "MAE", "RMSE", "R²", "loss curve"] {
            XCTAssertTrue(run.stdout.contains(word), "missing \(word) in\n\(run.stdout)")
        }
        let soft = try CLI.run(["fit", "--data", root + "/three_class.csv", "--loss", "cross_entropy", "--format", "json"])
        XCTAssertEqual(soft.status, 0, soft.stderr)
        let json = try XCTUnwrap(CLI.json(soft.stdout) as? [String: Any])
        XCTAssertEqual(json["model"] as? String, "softmax")
        XCTAssertEqual(json["classes"] as? Int, 3)
        let train = try XCTUnwrap((json["metrics"] as? [String: Any])?["train"] as? [String: Any])
        XCTAssertGreaterThan(try XCTUnwrap(train["accuracy"] as? Double), 0.8)
    }

    func testErrors() throws {
        let file = CLI.file("fit/small.csv", "x,y\n1,2\n2,3\n")
        let noColumn = try CLI.run(["fit", "--data", file, "--target-col", "z"])
        XCTAssertEqual(noColumn.status, 1)
        XCTAssertTrue(noColumn.stderr.contains("no column named 'z'"), noColumn.stderr)
        let labels = try CLI.run(["fit", "--data", file, "--loss", "bce_with_logits"])
        XCTAssertEqual(labels.status, 1)
        XCTAssertTrue(labels.stderr.contains("is not 0 or 1"), labels.stderr)
        let newton = try CLI.run(["fit", "--data", file, "--loss", "csample/cauchy", "--newton"])
        XCTAssertEqual(newton.status, 0, newton.stderr)
    }
}
