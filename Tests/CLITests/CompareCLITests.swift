import Foundation
import XCTest

/// `losshost compare` as a user runs it.
final class CompareCLITests: XCTestCase {
    /// 40 rows off by ±1 and two outliers (rows 11 and 31) off by 10.
    func files() -> (pred: String, target: String) {
        var pred = "pred\n", target = "target\n"
        for i in 0..<42 {
            let r = i == 10 ? 10.0 : i == 30 ? -10.0 : (i % 2 == 0 ? 1.0 : -1.0)
            pred += "\(Double(i) + r)\n"
            target += "\(Double(i))\n"
        }
        return (CLI.file("compare/pred.csv", pred), CLI.file("compare/target.csv", target))
    }

    func testMSEIsDrivenByTwoOutliersAndMAEIsNot() throws {
        let (pred, target) = files()
        let run = try CLI.run(["compare", "mse", "mae", "huber:delta=1", "--pred", pred, "--target", target, "--top", "2", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let entries = try XCTUnwrap(CLI.json(run.stdout) as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["qualified_id"] as? String }, ["std/mse", "std/mae", "std/huber"])
        let mse = entries[0], mae = entries[1], huber = entries[2]
        XCTAssertEqual(try XCTUnwrap(mse["value"] as? Double), 240.0 / 42, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(mse["top_share"] as? Double), 200.0 / 240, accuracy: 1e-12)
        let top = try XCTUnwrap(mse["top"] as? [[String: Any]])
        XCTAssertEqual(Set(top.compactMap { $0["row"] as? Int }), [11, 31])
        XCTAssertEqual(try XCTUnwrap(top[0]["share"] as? Double), 100.0 / 240, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(mae["value"] as? Double), 60.0 / 42, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(mae["top_share"] as? Double), 20.0 / 60, accuracy: 1e-12)
        // huber(1): 0.5 per ordinary row, 9.5 per outlier.
        XCTAssertEqual(try XCTUnwrap(huber["top_share"] as? Double), 19.0 / 39, accuracy: 1e-12)
        XCTAssertEqual(huber["params"] as? [String: Double], ["delta": 1])
    }

    func testTextShowsSharesAndRows() throws {
        let (pred, target) = files()
        let run = try CLI.run(["compare", "mse", "mae", "--pred", pred, "--target", target, "--top", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("83.3% in 2 rows"), run.stdout)
        XCTAssertTrue(run.stdout.contains("33.3% in 2 rows"), run.stdout)
        XCTAssertTrue(run.stdout.contains("41.7%"), run.stdout)
    }

    func testPluginLossesAndErrors() throws {
        let pred = CLI.file("compare/logits.csv", "0\n2\n-3\n")
        let target = CLI.file("compare/labels.csv", "1\n1\n1\n")
        let run = try CLI.run(["compare", "bce_with_logits", "csample/cost_sensitive_logistic:fn_cost=1,fp_cost=1",
                               "--pred", pred, "--target", target, "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let entries = try XCTUnwrap(CLI.json(run.stdout) as? [[String: Any]])
        let a = try XCTUnwrap(entries[0]["value"] as? Double), b = try XCTUnwrap(entries[1]["value"] as? Double)
        XCTAssertEqual(a, b, accuracy: 1e-15)
        XCTAssertEqual(a, (log(2) + log(1 + exp(-2)) + log(1 + exp(3))) / 3, accuracy: 1e-14)

        let bad = try CLI.run(["compare", "no_such_loss", "--pred", pred, "--target", target])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("unknown loss 'no_such_loss'"), bad.stderr)
    }
}
