import Foundation
import XCTest

/// `losshost eval LOSS --target FILE --optimal-constant`.
final class OptimalConstantCLITests: XCTestCase {
    func testPrintsTheConstantInTextAndJSON() throws {
        let labels = CLI.file("optimal/y.csv", "1\n0\n0\n1\n1\n"), weight = CLI.file("optimal/w.csv", "1\n2\n1\n3\n1\n")
        let json = try CLI.run(["eval", "bce_with_logits", "--target", labels, "--weight", weight, "--optimal-constant", "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(CLI.json(json.stdout) as? [String: Any])
        XCTAssertEqual(object["loss"] as? String, "bce_with_logits")
        XCTAssertEqual(object["rows"] as? Int, 5)
        let p = 5.0 / 8
        XCTAssertEqual(try XCTUnwrap((object["optimal_constant"] as? [Double])?.first), log(p / (1 - p)), accuracy: 1e-8)
        let text = try CLI.run(["eval", "mae", "--target", CLI.file("optimal/t.csv", "1\n2\n7\n4\n0.5\n"), "--optimal-constant"])
        XCTAssertEqual(text.status, 0, text.stderr)
        let line = try XCTUnwrap(text.stdout.split(separator: "\n").first { $0.hasPrefix("optimal constant") })
        XCTAssertEqual(try XCTUnwrap(Double(line.split(separator: " ").last ?? "")), 2, accuracy: 1e-10)
        // Classes from the largest index, or as given.
        let classes = CLI.file("optimal/c.csv", "0\n2\n1\n2\n2\n0\n")
        let ce = try CLI.run(["eval", "cross_entropy", "--target", classes, "--optimal-constant", "--format", "json"])
        let c = try XCTUnwrap((CLI.json(ce.stdout) as? [String: Any])?["optimal_constant"] as? [Double])
        XCTAssertEqual(c.count, 3)
        for (k, n) in [2.0, 1, 3].enumerated() { XCTAssertEqual(c[k], log(n / 6), accuracy: 1e-8) }
        let four = try CLI.run(["eval", "cross_entropy", "--target", classes, "--optimal-constant", "--pred-columns", "4", "--format", "json"])
        XCTAssertEqual(((try CLI.json(four.stdout) as? [String: Any])?["optimal_constant"] as? [Double])?.count, 4)
    }

    func testBadUsesAreOneLineErrors() throws {
        let y = CLI.file("optimal/y2.csv", "1\n0\n")
        let cases: [([String], String)] = [
            (["eval", "mse", "--target", y, "--pred", y, "--optimal-constant"],
             "losshost: error: --optimal-constant takes no --pred (it finds the best constant prediction)\n"),
            (["eval", "mse", "--target", y, "--optimal-constant", "--grad"],
             "losshost: error: --optimal-constant prints one constant: it takes no --grad, --hessian, --out or --reduction\n"),
            (["eval", "mse", "--target", y],
             "losshost: error: missing --pred FILE (only --optimal-constant needs no predictions)\n"),
            (["eval", "bce", "--target", CLI.file("optimal/bad.csv", "0\n2\n"), "--optimal-constant"],
             "losshost: error: \(CLI.scratch.path)/optimal/bad.csv: row 2, column 1: target value 2 is outside the loss's domain (a probability in [0, 1])\n"),
        ]
        for (arguments, message) in cases {
            let run = try CLI.run(arguments)
            XCTAssertEqual(run.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(run.stderr, message)
        }
    }
}
