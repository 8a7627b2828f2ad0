import Foundation
import XCTest

/// `losshost eval` against the contract of LOSSES.md: output shapes and every bad-input case.
final class EvalContractTests: XCTestCase {
    // huber_01 of the reference vectors.
    let pred = ["-0.3959679927131713", "1.0007891979551506", "5.574521502599608"]
    let target = ["-0.30194864450325515", "1.414940213401337", "5.247607191962417"]

    private func files(_ name: String) -> (String, String) {
        (CLI.file("\(name)/p.csv", pred.joined(separator: "\n") + "\n"),
         CLI.file("\(name)/y.csv", target.joined(separator: "\n") + "\n"))
    }

    private func eval(_ arguments: [String], input: String? = nil) throws -> CLI.Run {
        try CLI.run(["eval"] + arguments, input: input)
    }

    func testJSONOutputMatchesTheReference() throws {
        let (p, y) = files("json")
        let run = try eval(["huber", "--pred", p, "--target", y, "--grad", "--hessian", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        XCTAssertEqual(object["loss"] as? String, "huber")
        XCTAssertEqual(object["reduction"] as? String, "mean")
        XCTAssertEqual(object["shape"] as? [Int], [3, 1])
        XCTAssertEqual(object["value"] as? Double ?? 0, 0.04787227798871909, accuracy: 1e-16)
        let gradient = try XCTUnwrap(object["gradient"] as? [Double])
        for (got, want) in zip(gradient, [-0.03133978273663871, -0.13805033848206208, 0.10897143687906366]) {
            XCTAssertEqual(got, want, accuracy: 1e-15)
        }
        XCTAssertEqual(object["hessian"] as? [Double], [1.0 / 3, 1.0 / 3, 1.0 / 3])
    }

    func testNoneGivesTheValuesAndSumTheirTotal() throws {
        let (p, y) = files("none")
        let none = try eval(["huber", "--pred", p, "--target", y, "--reduction", "none", "--format", "json"])
        XCTAssertEqual(none.status, 0, none.stderr)
        let values = try XCTUnwrap((CLI.json(none.stdout) as? [String: Any])?["value"] as? [Double])
        for (got, want) in zip(values, [0.004419818918908731, 0.08576053179755361, 0.05343648324969491]) {
            XCTAssertEqual(got, want, accuracy: 1e-16)
        }
        XCTAssertNil(try (CLI.json(none.stdout) as? [String: Any])?["gradient"], "gradient only when asked")
        let sum = try eval(["huber", "--pred", p, "--target", y, "--reduction", "sum", "--format", "json"])
        XCTAssertEqual(try (CLI.json(sum.stdout) as? [String: Any])?["value"] as? Double ?? 0, 0.14361683396615726, accuracy: 1e-15)
    }

    func testParamsWeightsAndStandardInput() throws {
        let (p, y) = files("params")
        let w = CLI.file("params/w.csv", "1\n0\n2\n")
        let run = try eval(["huber", "--pred", "-", "--target", y, "--weight", w, "--param", "delta=0.1",
                            "--reduction", "sum", "--format", "json"], input: pred.joined(separator: "\n"))
        XCTAssertEqual(run.status, 0, run.stderr)
        // δ = 0.1: row 1 |r| = 0.094 is quadratic, row 3 |r| = 0.327 linear, row 2 has weight 0.
        let r1 = -0.3959679927131713 + 0.30194864450325515, r3 = 5.574521502599608 - 5.247607191962417
        let expected = 0.5 * r1 * r1 + 2 * 0.1 * (abs(r3) - 0.05)
        XCTAssertEqual(try (CLI.json(run.stdout) as? [String: Any])?["value"] as? Double ?? 0, expected, accuracy: 1e-15)
        _ = p
    }

    func testClassIndexTargetsAndListParams() throws {
        let logits = CLI.file("ce/x.csv", "2,0,-1\n0.5,0.5,3\n")
        let labels = CLI.file("ce/y.csv", "0\n2\n")
        let run = try eval(["cross_entropy", "--pred", logits, "--target", labels, "--param", "weight=1,1,3",
                            "--reduction", "sum", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        func nll(_ x: [Double], _ y: Int) -> Double { log(x.map { exp($0) }.reduce(0, +)) - x[y] }
        let expected = nll([2, 0, -1], 0) + 3 * nll([0.5, 0.5, 3], 2)
        XCTAssertEqual(try (CLI.json(run.stdout) as? [String: Any])?["value"] as? Double ?? 0, expected, accuracy: 1e-12)
    }

    /// Each bad-input case of LOSSES.md: exit status 1 and exactly one line on standard error.
    func testBadInputGivesOneLineErrors() throws {
        let (p, y) = files("bad")
        let two = CLI.file("bad/two.csv", "1\n2\n")
        let ragged = CLI.file("bad/ragged.csv", "1,2\n3\n")
        let empty = CLI.file("bad/empty.csv", "")
        let word = CLI.file("bad/word.csv", "1\n2\nabc\n")
        let rate = CLI.file("bad/rate.csv", "1\n-2\n3\n")
        let nan = CLI.file("bad/nan.csv", "1\nnan\n3\n")
        let corrupt = CLI.file("bad/corrupt.npy", "\u{93}NUMPY garbage")
        let prob = CLI.file("bad/prob.csv", "0.5\n1.5\n0.2\n")
        let labels = CLI.file("bad/labels.csv", "0\n1\n1\n")
        let logits = CLI.file("bad/logits.csv", "1,2\n3,4\n5,6\n")
        let badIndex = CLI.file("bad/index.csv", "0\n2\n1\n")
        let halfIndex = CLI.file("bad/half.csv", "0\n0.5\n1\n")
        let negative = CLI.file("bad/negw.csv", "1\n-1\n1\n")
        let nanWeight = CLI.file("bad/nanw.csv", "1\nnan\n1\n")
        let zeroWeights = CLI.file("bad/zerow.csv", "0\n0\n0\n")
        let cases: [(String, [String], String)] = [
            ("unknown loss", ["nope", "--pred", p, "--target", y], "unknown loss 'nope'"),
            ("unknown reduction", ["mse", "--pred", p, "--target", y, "--reduction", "median"], "The value 'median' is invalid for '--reduction <reduction>'. Please provide one of 'mean', 'sum' or 'none'."),
            ("unknown param", ["huber", "--pred", p, "--target", y, "--param", "beta=1"], "unknown param 'beta' for loss 'huber' (its parameters: delta)"),
            ("param out of range", ["huber", "--pred", p, "--target", y, "--param", "delta=-1"], "param 'delta' = -1 is out of range: expected (0, 1000000]"),
            ("param not a number", ["huber", "--pred", p, "--target", y, "--param", "delta=abc"], "param 'delta': 'abc' is not a number"),
            ("missing file", ["mse", "--pred", CLI.scratch.path + "/bad/missing.csv", "--target", y], "missing.csv"),
            ("empty file", ["mse", "--pred", empty, "--target", y], "empty.csv"),
            ("ragged file", ["mse", "--pred", ragged, "--target", y], "ragged.csv: row 2 has 1 column, expected 2"),
            ("corrupt npy", ["mse", "--pred", corrupt, "--target", y], "corrupt.npy"),
            ("rows differ", ["mse", "--pred", two, "--target", y], "pred has 2 rows but target has 3"),
            ("non-numeric cell", ["mse", "--pred", word, "--target", y], "word.csv: row 3, column 1: 'abc' is not a number"),
            ("nan", ["mse", "--pred", nan, "--target", y], "nan.csv: row 2, column 1: non-finite value 'nan'"),
            ("probability outside [0,1]", ["bce", "--pred", prob, "--target", labels], "prob.csv: row 2, column 1: pred value 1.5 is outside the loss's domain"),
            ("class index out of range", ["cross_entropy", "--pred", logits, "--target", badIndex], "index.csv: row 2"),
            ("class index not whole", ["cross_entropy", "--pred", logits, "--target", halfIndex], "half.csv: row 2"),
            ("negative weight", ["mse", "--pred", p, "--target", y, "--weight", negative], "negw.csv: row 2, column 1: weight -1 must be a finite number >= 0"),
            // A NaN weight is a bad weight (as in the C API and Python): --allow-nonfinite cannot fix it, so it is not offered.
            ("nan weight", ["mse", "--pred", p, "--target", y, "--weight", nanWeight, "--allow-nonfinite"], "nanw.csv: row 2, column 1: weight nan must be a finite number >= 0\n"),
            ("zero weights", ["mse", "--pred", p, "--target", y, "--weight", zeroWeights], "the weights sum to 0; mean is undefined (use --reduction sum)\n"),
            ("nan fix", ["mse", "--pred", nan, "--target", y], "nan.csv: row 2, column 1: non-finite value 'nan' (use --allow-nonfinite to accept it)\n"),
            ("shape", ["gaussian_nll", "--pred", p, "--target", y], "needs pred with 2 columns"),
            ("negative Poisson rate", ["poisson_nll", "--pred", rate, "--target", labels,
                                       "--param", "log_input=0"], "rate.csv: row 2, column 1: pred value -2 is outside the loss's domain (a number >= 0)"),
            ("negative thread count", ["mse", "--pred", p, "--target", y, "--threads=-1"], "--threads must be >= 0"),
        ]
        for (name, arguments, expected) in cases {
            let run = try eval(arguments)
            XCTAssertNotEqual(run.status, 0, "\(name): exit status 0")
            XCTAssertTrue(run.stdout.isEmpty, "\(name): printed to stdout: \(run.stdout)")
            let lines = run.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(name): not one line: \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix("losshost: error: "), "\(name): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(expected), "\(name): expected '\(expected)' in '\(run.stderr)'")
        }
    }

    func testAllowNonFiniteLetsNaNThrough() throws {
        let nan = CLI.file("nonfinite/p.csv", "1\nnan\n")
        let y = CLI.file("nonfinite/y.csv", "0\n0\n")
        let run = try eval(["mse", "--pred", nan, "--target", y, "--reduction", "none", "--format", "json", "--allow-nonfinite"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\"value\": [1.0, null]"), run.stdout)
    }

    func testHelpExistsForEveryCommand() throws {
        for command in ["list", "info", "eval", "check", "compare", "plot", "fit", "demo", "bench", "new"] {
            let run = try CLI.run([command, "--help"])
            XCTAssertEqual(run.status, 0)
            XCTAssertTrue(run.stdout.contains("USAGE: losshost \(command)"), run.stdout)
            XCTAssertFalse(run.stdout.lowercased().contains("the issue"), "\(command) --help: \(run.stdout)")
        }
        // --threads states its default once.
        for command in ["eval", "bench"] {
            let help = try CLI.run([command, "--help"]).stdout
            let option = help.components(separatedBy: "--threads <threads>").dropFirst().first?.components(separatedBy: "\n  --").first ?? ""
            XCTAssertEqual(option.components(separatedBy: "default").count - 1, 1, "\(command): \(option)")
        }
    }

    /// Help and docs speak for themselves: no "the issue's" wording.
    func testDocsHaveNoIssueWording() throws {
        let root = CLI.packageRoot
        var files = ["README.md", "benchmarks/README.md", "benchmarks/RESULTS.md"]
        files += try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            XCTAssertFalse(text.contains("the issue's"), file)
        }
    }

    func testErrorsNameTheLineAPersonSeesWhenTheFileHasAHeader() throws {
        let pred = CLI.file("header/p.csv", "prob\n0.5\n1.5\n")
        let target = CLI.file("header/y.csv", "label\n0\n1\n")
        let run = try eval(["bce", "--pred", pred, "--target", target])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("p.csv: row 3, column 1: pred value 1.5 is outside"), run.stderr)
    }
}
