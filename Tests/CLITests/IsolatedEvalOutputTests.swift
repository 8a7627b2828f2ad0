import Foundation
import XCTest

/// `eval --isolate` prints exactly what `eval` prints in its own process: the
/// worker answers a typed result, which the CLI formats the same way.
final class IsolatedEvalOutputTests: XCTestCase {
    func testAnIsolatedEvalPrintsWhatAnInProcessEvalPrints() throws {
        let p = CLI.file("isolated-output/p.csv", "pred\n0.5\n1.5\nnan\n4\n")
        let y = CLI.file("isolated-output/y.csv", "y\n1\n1\n0\n2\n")
        let logits = CLI.file("isolated-output/logits.csv", "0.1,0.2,3\n1,-1,0\n")
        let classes = CLI.file("isolated-output/classes.csv", "2\n0\n")
        let table = CLI.file("isolated-output/table.csv", "a,b,y\n0.2,0.3,1\n0.9,0.1,0\n")
        let out = CLI.scratch.appendingPathComponent("isolated-output/o.npy").path
        let cases: [[String]] = [
            ["huber", "--pred", p, "--target", y, "--grad", "--hessian", "--param", "delta=0.5", "--allow-nonfinite"],
            ["huber", "--pred", p, "--target", y, "--reduction", "none", "--allow-nonfinite", "--format", "json"],
            ["cross_entropy", "--pred", logits, "--target", classes, "--reduction", "none", "--grad", "--dtype", "f32"],
            ["cross_entropy", "--pred", logits, "--target", classes, "--format", "json", "--grad"],
            ["mse", "--data", table, "--target-col", "y", "--grad", "--out", out, "--format", "json"],
            ["huber", "--target", y, "--optimal-constant", "--weight", y],
            // Errors: the same line, with eval's own fix, and the same status.
            ["huber", "--pred", p, "--target", y],
            ["huber", "--pred", p, "--target", y, "--param", "delta=-1"],
        ]
        for arguments in cases {
            let inProcess = try CLI.run(["eval"] + arguments)
            XCTAssertFalse(inProcess.stdout.isEmpty && inProcess.stderr.isEmpty, "\(arguments) printed nothing")
            let isolated = try CLI.run(["eval"] + arguments + ["--isolate"])
            XCTAssertEqual(isolated.status, inProcess.status, "\(arguments): \(isolated.stderr)")
            XCTAssertEqual(isolated.stdout, inProcess.stdout, "\(arguments)")
            XCTAssertEqual(isolated.stderr, inProcess.stderr, "\(arguments)")
        }
        // Standard input (`-`) reaches the worker: it is the caller's.
        for arguments in [["huber", "--pred", "-", "--target", y, "--grad"], ["huber", "--pred", p, "--target", "-", "--allow-nonfinite"]] {
            let inProcess = try CLI.run(["eval"] + arguments, input: "0.5\n1.5\n2\n4\n")
            let isolated = try CLI.run(["eval"] + arguments + ["--isolate"], input: "0.5\n1.5\n2\n4\n")
            XCTAssertEqual(inProcess.status, 0, inProcess.stderr)
            XCTAssertEqual(isolated.status, 0, isolated.stderr)
            XCTAssertEqual(isolated.stdout, inProcess.stdout, "\(arguments)")
        }
        let refused = try CLI.run(["eval", "huber", "--pred", p, "--target", y, "--isolate"])
        XCTAssertEqual(refused.stderr, "losshost: error: \(p): row 4, column 1: non-finite value 'nan' (use --allow-nonfinite to accept it)\n")
    }
}
