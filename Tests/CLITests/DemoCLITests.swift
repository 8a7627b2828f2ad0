import Foundation
import XCTest

/// `losshost demo` prints the three lessons with numbers.
final class DemoCLITests: XCTestCase {
    func testDemoPrintsTheThreeLessons() throws {
        let run = try CLI.run(["demo"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let out = run.stdout
        for heading in ["1. OUTLIERS", "2. IMBALANCE", "3. A PLUGIN LOSS"] {
            XCTAssertTrue(out.contains(heading), "missing \(heading):\n\(out)")
        }
        for row in ["std/mse", "std/huber (delta=1)", "std/mae", "bce_with_logits (pos_weight=99)",
                    "csample/cost_sensitive_logistic"] {
            XCTAssertTrue(out.contains(row), "missing \(row):\n\(out)")
        }
    }

    func testDemoFindsItsDataFromAnyDirectoryOrWithDataDir() throws {
        let elsewhere = CLI.folder("demo-cwd")
        let run = try CLI.run(["demo"], directory: elsewhere)
        XCTAssertEqual(run.status, 0, run.stderr)
        let missing = try CLI.run(["demo", "--data-dir", elsewhere.path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("regression_train.csv"), missing.stderr)
    }
}
