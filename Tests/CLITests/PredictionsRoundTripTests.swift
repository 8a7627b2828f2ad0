import Foundation
import XCTest

/// From `fit` to `compare`: `fit --predictions-out` writes what the model
/// predicts, and `eval`/`compare --data FILE --target-col NAME` read it back;
/// `eval` and `compare` JSON name the loss, its parameters and the dtype alike.
final class PredictionsRoundTripTests: XCTestCase {
    let data = CLI.packageRoot.appendingPathComponent("data")

    func testFitPredictionsOutFeedsCompareAndEval() throws {
        let folder = CLI.folder("roundtrip")
        let csv = folder.appendingPathComponent("pred.csv").path
        let fit = try CLI.run(["fit", "--data", data.appendingPathComponent("regression_train.csv").path, "--target-col", "y",
                               "--test", data.appendingPathComponent("regression_test.csv").path, "--loss", "mse",
                               "--predictions-out", csv, "--format", "json"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        let report = try XCTUnwrap(try CLI.json(fit.stdout) as? [String: Any])
        XCTAssertEqual(report["predictions"] as? [String: String], ["file": csv, "on": "test"])
        // The file holds the test rows' predictions and targets: its mse is the fit's test RMSE squared.
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.first, "pred,y")
        XCTAssertEqual(lines.count, 201)
        let rmse = try XCTUnwrap(((report["metrics"] as? [String: Any])?["test"] as? [String: Any])?["rmse"] as? Double)
        let eval = try CLI.run(["eval", "mse", "--data", csv, "--target-col", "y", "--format", "json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let value = try XCTUnwrap((try CLI.json(eval.stdout) as? [String: Any])?["value"] as? Double)
        XCTAssertEqual(value, rmse * rmse, accuracy: 1e-9 * value)
        let compare = try CLI.run(["compare", "mse", "mae", "--data", csv, "--target-col", "y", "--format", "json"])
        XCTAssertEqual(compare.status, 0, compare.stderr)
        let entries = try XCTUnwrap(try CLI.json(compare.stdout) as? [[String: Any]])
        XCTAssertEqual(try XCTUnwrap(entries[0]["value"] as? Double), value, accuracy: 1e-12 * value)
        let mae = try XCTUnwrap(((report["metrics"] as? [String: Any])?["test"] as? [String: Any])?["mae"] as? Double)
        XCTAssertEqual(try XCTUnwrap(entries[1]["value"] as? Double), mae, accuracy: 1e-9 * mae)

        // On the training data, as .npy: the predictions alone, one per training row.
        let npy = folder.appendingPathComponent("train.npy").path
        let train = try CLI.run(["fit", "--data", data.appendingPathComponent("regression_train.csv").path, "--target-col", "y",
                                 "--loss", "mse", "--predictions-out", npy, "--predictions-on", "train"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("predictions written to \(npy) (200 rows of "), train.stdout)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: npy)[.size] as? Int)
        XCTAssertEqual(size, 128 + 200 * 8)  // one float64 per row after the 128-byte header
    }

    func testSoftmaxPredictionsHaveOneColumnPerClass() throws {
        let csv = CLI.folder("roundtrip-softmax").appendingPathComponent("p.csv").path
        let fit = try CLI.run(["fit", "--data", data.appendingPathComponent("three_class.csv").path, "--loss", "cross_entropy",
                               "--predictions-out", csv])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        let header = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").first
        XCTAssertEqual(header, "pred_0,pred_1,pred_2,label")
        let eval = try CLI.run(["eval", "cross_entropy", "--data", csv, "--target-col", "label"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("shape      300 x 3"), eval.stdout)
    }

    func testPredictionOptionsAreChecked() throws {
        let train = data.appendingPathComponent("regression_train.csv").path
        let noTest = try CLI.run(["fit", "--data", train, "--predictions-out", CLI.scratch.appendingPathComponent("x.csv").path,
                                  "--predictions-on", "test"])
        XCTAssertEqual(noTest.stderr, "losshost: error: --predictions-on test needs --test FILE\n")
        let alone = try CLI.run(["fit", "--data", train, "--predictions-on", "train"])
        XCTAssertEqual(alone.stderr, "losshost: error: --predictions-on goes with --predictions-out FILE\n")
        let p = CLI.file("roundtrip-opts/p.csv", "1\n"), y = CLI.file("roundtrip-opts/y.csv", "1\n")
        let both = try CLI.run(["eval", "mse", "--data", p, "--pred", p, "--target", y])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("give either --data or --pred and --target, not both"), both.stderr)
        let gaussian = try CLI.run(["fit", "--data", train, "--loss", "gaussian_nll"])
        XCTAssertEqual(gaussian.status, 1)
        XCTAssertFalse(gaussian.stderr.contains("--model"), gaussian.stderr)
        XCTAssertTrue(gaussian.stderr.contains("loss 'std/gaussian_nll' is probabilistic"), gaussian.stderr)
    }

    /// A bad cell of a --data table is named by its row and its column in that table.
    func testDataTableErrorsNameTheTableCell() throws {
        let table = CLI.file("roundtrip-cells/t.csv", "y,pred\n0,0.5\n2,0.25\n")
        let run = try CLI.run(["eval", "bce", "--data", table, "--target-col", "y"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: \(table): row 3, column 1: target value 2 is outside the loss's domain (a probability in [0, 1])\n")
        let missing = try CLI.run(["eval", "bce", "--data", table, "--target-col", "label"])
        XCTAssertEqual(missing.stderr, "losshost: error: \(table): no column named 'label' (columns: y, pred)\n")
    }

    /// eval and compare record the loss the same way: id, plugin, qualified id,
    /// every parameter with defaults filled in, and the dtype.
    func testEvalAndCompareJSONNameTheLossAlike() throws {
        let p = CLI.file("roundtrip-json/p.csv", "0.2\n0.9\n"), y = CLI.file("roundtrip-json/y.csv", "0\n1\n")
        let eval = try CLI.run(["eval", "focal", "--pred", p, "--target", y, "--param", "gamma=3", "--format", "json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let compare = try CLI.run(["compare", "focal:gamma=3", "--pred", p, "--target", y, "--format", "json"])
        XCTAssertEqual(compare.status, 0, compare.stderr)
        let e = try XCTUnwrap(try CLI.json(eval.stdout) as? [String: Any])
        let c = try XCTUnwrap((try CLI.json(compare.stdout) as? [[String: Any]])?.first)
        for key in ["loss", "plugin", "qualified_id", "dtype"] {
            XCTAssertEqual(e[key] as? String, c[key] as? String, key)
        }
        XCTAssertEqual(e["qualified_id"] as? String, "std/focal")
        XCTAssertEqual(e["dtype"] as? String, "f64")
        let params = try XCTUnwrap(e["params"] as? [String: Any])
        XCTAssertEqual(params["gamma"] as? Double, 3)
        XCTAssertNotNil(params["alpha"], "the default alpha is recorded too: \(params)")
        XCTAssertEqual(NSDictionary(dictionary: params), NSDictionary(dictionary: try XCTUnwrap(c["params"] as? [String: Any])))
        XCTAssertEqual(try XCTUnwrap(e["value"] as? Double), try XCTUnwrap(c["value"] as? Double), accuracy: 1e-15)
    }
}
