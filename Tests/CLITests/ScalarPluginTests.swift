import Foundation
import XCTest

/// Scalar plugins: a plain C library that never includes losshost.h, plus a
/// JSON manifest, used through libffi by list, info and eval.
final class ScalarPluginTests: XCTestCase {
    static let example = CLI.packageRoot.appendingPathComponent("Plugins/ScalarExample")

    /// Builds the example library with plain `cc` (no -I include, default
    /// visibility) into `folder`, and copies the manifest next to it.
    static func installExample(in name: String) throws -> URL {
        let dir = CLI.folder(name)
        try plainCC([example.appendingPathComponent("pinball.c").path], to: dir.appendingPathComponent("libpinball.so").path)
        try FileManager.default.copyItem(at: example.appendingPathComponent("pinball.losshost.json"),
                                         to: dir.appendingPathComponent("pinball.losshost.json"))
        return dir
    }

    static func plainCC(_ sources: [String], to output: String) throws {
        try CLI.compile(sources, to: output, againstHeader: false)
    }

    func testExampleSourceKnowsNothingOfLosshost() throws {
        for name in ["pinball.c", "pinball.h"] {
            let text = try String(contentsOf: Self.example.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(text.contains("losshost.h"), name)
            XCTAssertFalse(text.contains("lh_"), name)
        }
    }

    func testExampleIsListedWithNumericDerivativesFlagged() throws {
        let dir = try Self.installExample(in: "scalar-list")
        let run = try CLI.run(["list", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        func row(_ id: String) -> [String] {
            (lines.first { $0.hasPrefix(id + " ") } ?? "").split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        XCTAssertEqual(Array(row("pinball/pinball").prefix(3)), ["pinball/pinball", "regression", "exact"], run.stdout)
        XCTAssertEqual(Array(row("pinball/logcosh_scaled").prefix(3)), ["pinball/logcosh_scaled", "regression", "numeric"], run.stdout)
        XCTAssertEqual(Array(row("pinball/scaled_square").prefix(3)), ["pinball/scaled_square", "regression", "numeric"], run.stdout)
        XCTAssertTrue(run.stdout.contains("log(cosh(s*(pred - target)))/s [numeric gradient and hessian]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Squared error times 2^shift [numeric hessian]"), run.stdout)
        // The C library next to the manifest is not a plugin and is not reported as a broken one.
        XCTAssertFalse(run.stdout.contains("Failed to load"), run.stdout)
    }

    func testListAndInfoJSONShowProvenance() throws {
        let dir = try Self.installExample(in: "scalar-json")
        let list = try CLI.run(["list", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertEqual(list.stderr, "")
        let losses = try XCTUnwrap((CLI.json(list.stdout) as? [String: Any])?["losses"] as? [[String: Any]]).filter { $0["plugin"] as? String == "pinball" }
        XCTAssertEqual(losses.map { $0["id"] as? String }, ["pinball", "logcosh_scaled", "scaled_square"])
        XCTAssertEqual(losses.map { $0["hessian"] as? String }, ["exact", "numeric", "numeric"])
        XCTAssertEqual(losses.map { $0["gradient"] as? String }, [nil, "numeric", nil])
        let tau = try XCTUnwrap((losses[0]["params"] as? [[String: Any]])?.first)
        XCTAssertEqual(tau["name"] as? String, "tau")
        XCTAssertEqual(tau["default"] as? Double, 0.5)
        XCTAssertEqual(tau["min_exclusive"] as? Bool, true)
        let shift = try XCTUnwrap((losses[2]["params"] as? [[String: Any]])?.first)
        XCTAssertEqual(shift["type"] as? String, "integer")

        let info = try CLI.run(["info", "pinball/logcosh_scaled", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        let object = try XCTUnwrap(CLI.json(info.stdout) as? [String: Any])
        XCTAssertEqual(object["gradient"] as? String, "numeric")
        XCTAssertEqual(object["hessian"] as? String, "numeric")
        XCTAssertEqual(object["file"] as? String, dir.appendingPathComponent("pinball.losshost.json").path)
    }

    func testInfoTextSaysNumeric() throws {
        let dir = try Self.installExample(in: "scalar-info")
        let numeric = try CLI.run(["info", "logcosh_scaled", "--plugin-dir", dir.path])
        XCTAssertEqual(numeric.status, 0, numeric.stderr)
        XCTAssertTrue(numeric.stdout.contains("gradient       numeric (central differences of the value, computed by the host)"), numeric.stdout)
        XCTAssertTrue(numeric.stdout.contains("hessian        numeric (central differences, computed by the host)"), numeric.stdout)
        XCTAssertTrue(numeric.stdout.contains("s      real  1        (0, 1000]  scale, > 0"), numeric.stdout)
        let exact = try CLI.run(["info", "pinball/pinball", "--plugin-dir", dir.path])
        XCTAssertEqual(exact.status, 0, exact.stderr)
        XCTAssertFalse(exact.stdout.contains("numeric"), exact.stdout)
        XCTAssertTrue(exact.stdout.contains("hessian        exact"), exact.stdout)
    }

    func testPinballValuesGradientAndHessianWithWeights() throws {
        let dir = try Self.installExample(in: "scalar-eval")
        let pred = CLI.file("scalar-eval/p.csv", "1\n2\n3\n0\n"), target = CLI.file("scalar-eval/y.csv", "1.5\n2\n2\n4\n")
        let weight = CLI.file("scalar-eval/w.csv", "1\n2\n1\n0.5\n")
        let run = try CLI.run(["eval", "pinball/pinball", "--pred", pred, "--target", target, "--weight", weight,
                               "--param", "tau=0.3", "--reduction", "none", "--grad", "--hessian", "--format", "json",
                               "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        // r = target - pred = 0.5, 0, -1, 4: tau r = 0.15; 0; (tau - 1) r = 0.7; 1.2 (times weights 1, 2, 1, 0.5).
        let values = try XCTUnwrap(object["value"] as? [Double])
        for (got, want) in zip(values, [0.15, 0.0, 0.7, 0.6]) { XCTAssertEqual(got, want, accuracy: 1e-15) }
        let gradient = try XCTUnwrap(object["gradient"] as? [Double])
        XCTAssertEqual(gradient.count, 4)
        for (got, want) in zip(gradient, [-0.3, 2 * 0.2, 0.7, 0.5 * -0.3]) { XCTAssertEqual(got, want, accuracy: 1e-15) }
        XCTAssertEqual(object["hessian"] as? [Double], [0, 0, 0, 0])

        let mean = try CLI.run(["eval", "pinball", "--pred", pred, "--target", target, "--weight", weight, "--param", "tau=0.3",
                                "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(mean.status, 0, mean.stderr)
        let value = try XCTUnwrap((CLI.json(mean.stdout) as? [String: Any])?["value"] as? Double)
        XCTAssertEqual(value, (0.15 + 0.7 + 0.6) / 4.5, accuracy: 1e-15)
    }

    func testNumericDerivativesAreAccurate() throws {
        let dir = try Self.installExample(in: "scalar-numeric")
        let preds = [-3.0, -0.7, 0, 0.25, 1, 2.5, 10]
        let targets = [0.0, 0.2, 0, -1, 1, 0.5, 9]
        let pred = CLI.file("scalar-numeric/p.csv", preds.map { "\($0)" }.joined(separator: "\n") + "\n")
        let target = CLI.file("scalar-numeric/y.csv", targets.map { "\($0)" }.joined(separator: "\n") + "\n")
        let s = 1.5
        let run = try CLI.run(["eval", "pinball/logcosh_scaled", "--pred", pred, "--target", target, "--param", "s=1.5",
                               "--reduction", "sum", "--grad", "--hessian", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        let gradient = try XCTUnwrap(object["gradient"] as? [Double])
        let hessian = try XCTUnwrap(object["hessian"] as? [Double])
        var sum = 0.0
        for i in preds.indices {
            let r = preds[i] - targets[i]
            sum += log(cosh(s * r)) / s
            // d/dp log(cosh(s r))/s = tanh(s r); d2/dp2 = s sech^2(s r).
            XCTAssertEqual(gradient[i], tanh(s * r), accuracy: 1e-6, "gradient at \(i)")
            XCTAssertEqual(hessian[i], s / (cosh(s * r) * cosh(s * r)), accuracy: 1e-6, "hessian at \(i)")
        }
        XCTAssertEqual(try XCTUnwrap(object["value"] as? Double), sum, accuracy: 1e-12)
    }

    func testInt32Parameter() throws {
        let dir = try Self.installExample(in: "scalar-int")
        let pred = CLI.file("scalar-int/p.csv", "1.5\n-2\n"), target = CLI.file("scalar-int/y.csv", "0.5\n1\n")
        let run = try CLI.run(["eval", "scaled_square", "--pred", pred, "--target", target, "--param", "shift=2",
                               "--reduction", "none", "--grad", "--hessian", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        // 4 (p - t)^2: 4 and 36; gradient 8 (p - t): 8 and -24; hessian 8 (differences of the gradient).
        XCTAssertEqual(object["value"] as? [Double], [4, 36])
        XCTAssertEqual(object["gradient"] as? [Double], [8, -24])
        let hessian = try XCTUnwrap(object["hessian"] as? [Double])
        XCTAssertEqual(hessian.count, 2)
        for h in hessian { XCTAssertEqual(h, 8, accuracy: 1e-6) }
        let fraction = try CLI.run(["eval", "scaled_square", "--pred", pred, "--target", target, "--param", "shift=0.5",
                                    "--plugin-dir", dir.path])
        XCTAssertEqual(fraction.status, 1)
        XCTAssertTrue(fraction.stderr.contains("shift"), fraction.stderr)
    }

    func testFloatFunctionsThroughLibffi() throws {
        let dir = CLI.folder("scalar-float")
        let source = CLI.file("scalar-float-src/sq.c", """
            float sq_f(float k, float t, float p) { return k * (p - t) * (p - t); }
            """)
        try Self.plainCC([source], to: dir.appendingPathComponent("libsq.so").path)
        try Data("""
            {"manifest_version": 1, "plugin": "sqf", "summary": "float", "library": "libsq.so",
             "losses": [{"id": "sq", "summary": "k (p - t)^2 in float", "returns": "float",
                         "args": ["float k", "float target", "float pred"], "value": "sq_f",
                         "params": {"k": {"default": 1, "doc": "scale"}}}]}
            """.utf8).write(to: dir.appendingPathComponent("sq.losshost.json"))
        let pred = CLI.file("scalar-float/p.csv", "1.5\n"), target = CLI.file("scalar-float/y.csv", "0.5\n")
        let run = try CLI.run(["eval", "sqf/sq", "--pred", pred, "--target", target, "--param", "k=2", "--reduction", "sum",
                               "--grad", "--hessian", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        // Arguments in the library's own order (k, target, pred); f = 2, f' = 4, f'' = 4, differences in float.
        XCTAssertEqual(object["value"] as? Double, 2)
        XCTAssertEqual(try XCTUnwrap((object["gradient"] as? [Double])?.first), 4, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap((object["hessian"] as? [Double])?.first), 4, accuracy: 5e-2)
    }

    func testExamplePassesCheck() throws {
        let dir = try Self.installExample(in: "scalar-check")
        let run = try CLI.run(["check", "pinball", "--seed", "7", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasSuffix("35 passed, 0 failed, 3 skipped (seed 7; repeat with --seed 7)\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("pinball.hessian"), run.stdout)
    }

    /// Numeric derivatives are compared, not skipped, and the details say they are numeric.
    func testCheckComparesNumericDerivativesAndSaysSo() throws {
        let dir = try Self.installExample(in: "scalar-check-numeric")
        let run = try CLI.run(["check", "pinball", "--seed", "11", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        var details: [String: (String, String)] = [:]
        for item in object["checks"] as? [[String: Any]] ?? [] {
            details[item["check"] as? String ?? ""] = (item["result"] as? String ?? "", item["detail"] as? String ?? "")
        }
        XCTAssertEqual(details.count, 2 + 3 * 12)
        // Scalar losses are float64 only: `float32` is skipped.
        XCTAssertEqual(details.values.filter { $0.0 != "pass" }.map(\.1),
                       Array(repeating: "no float32 entry point (float64 only; the host converts)", count: 3))
        // logcosh_scaled: no derivative symbols; scaled_square: a gradient symbol, no Hessian; pinball: all three.
        // Each at 6 param points: the defaults, both ends of the range, 3 random values.
        // All three are smooth: a steep bend is not a kink (one numeric-gradient point still looks like one).
        XCTAssertEqual(details["logcosh_scaled.hessian"]?.1,
                       "numeric (host finite differences): 287 elements agree with differences of the gradient to 0.001; 1 next to a kink skipped; at 6 param points")
        XCTAssertEqual(details["scaled_square.hessian"]?.1,
                       "numeric (host finite differences): 288 elements agree with differences of the gradient to 0.001; at 6 param points")
        XCTAssertEqual(details["logcosh_scaled.gradient"]?.1,
                       "numeric gradient (host finite differences): 432 elements agree with central differences to 1e-05; at 6 param points")
        XCTAssertEqual(details["scaled_square.gradient"]?.1, "432 elements agree with central differences to 1e-05; at 6 param points")
        XCTAssertFalse(details["pinball.hessian"]?.1.contains("numeric") ?? true)
        XCTAssertFalse(details["pinball.gradient"]?.1.contains("numeric") ?? true)
    }

    /// float32 losses are differentiated with float-sized steps and
    /// tolerances: a right one passes, a gradient off by 1.5 still fails.
    func testFloatLossesAreCheckedWithFloatTolerances() throws {
        let dir = CLI.folder("scalar-check-float")
        let source = CLI.file("scalar-check-float-src/f.c", """
            #include <math.h>
            float lc_f(float p, float t) { return logf(coshf(p - t)); }
            float sq_f(float p, float t) { return (p - t) * (p - t); }
            float sq_bad_grad(float p, float t) { return 3 * (p - t); }
            """)
        try Self.plainCC([source], to: dir.appendingPathComponent("libf.so").path)
        try Data("""
            {"manifest_version": 1, "plugin": "flt", "summary": "float32 losses", "library": "libf.so", "losses": [
              {"id": "lc", "summary": "log cosh in float", "returns": "float", "args": ["float pred", "float target"], "value": "lc_f"},
              {"id": "bad", "summary": "a wrong gradient", "returns": "float", "args": ["float pred", "float target"],
               "value": "sq_f", "gradient": "sq_bad_grad"}]}
            """.utf8).write(to: dir.appendingPathComponent("f.losshost.json"))
        let run = try CLI.run(["check", "flt", "--seed", "5", "--only", "*.gradient", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        var details: [String: (String, String)] = [:]
        for item in object["checks"] as? [[String: Any]] ?? [] {
            details[item["check"] as? String ?? ""] = (item["result"] as? String ?? "", item["detail"] as? String ?? "")
        }
        XCTAssertEqual(details["lc.gradient"]?.0, "pass")
        XCTAssertEqual(details["lc.gradient"]?.1,
                       "numeric gradient (host finite differences): float32: 72 elements agree with central differences to 0.001")
        XCTAssertEqual(details["bad.gradient"]?.0, "fail")
        let detail = try XCTUnwrap(details["bad.gradient"]?.1)
        XCTAssertTrue(detail.hasPrefix("float32: pred[0] at pred ["), detail)
        let numbers = detail.components(separatedBy: "expected ")[1].components(separatedBy: " (central difference), got ")
        let expected = try XCTUnwrap(Double(numbers[0])), got = try XCTUnwrap(Double(numbers[1].components(separatedBy: " ")[0]))
        XCTAssertEqual(got / expected, 1.5, accuracy: 1e-2, detail)
        XCTAssertTrue(detail.hasSuffix("(tolerance 0.001 relative)"), detail)

        let hessian = try CLI.run(["check", "flt/lc", "--seed", "5", "--only", "*.hessian", "--plugin-dir", dir.path])
        XCTAssertEqual(hessian.status, 0, hessian.stdout + hessian.stderr)
        XCTAssertTrue(hessian.stdout.contains("numeric (host finite differences): float32: 48 elements agree with differences of the gradient to 0.02"), hessian.stdout)
    }

    /// A manifest beside the working example, and the exact error it must give.
    struct BadCase {
        let file: String
        let text: String
        let error: String
    }

    static let header = """
        {
          "manifest_version": 1,
          "plugin": "%@",
          "summary": "broken on purpose",
          "library": "libpinball.so",
          "losses": [

        """

    static func manifest(_ plugin: String, _ loss: String) -> String {
        header.replacingOccurrences(of: "%@", with: plugin) + loss + "\n  ]\n}\n"
    }

    static let badCases: [BadCase] = [
        BadCase(file: "pointer.losshost.json", text: manifest("pointer", """
                {
                  "id": "pointer",
                  "summary": "takes a pointer",
                  "args": ["double pred", "double target",
                           "double* tau"],
                  "value": "pinball",
                  "params": {"tau": {"default": 0.5}}
                }
            """), error: "pointer.losshost.json:11: unknown C type 'double*' (use double, float, int32 or int64)"),
        BadCase(file: "nosymbol.losshost.json", text: manifest("nosymbol", """
                {
                  "id": "nosymbol",
                  "summary": "gradient symbol misspelt",
                  "args": ["double pred", "double target", "double tau"],
                  "value": "pinball",
                  "gradient": "pinball_gradient",
                  "params": {"tau": {"default": 0.5}}
                }
            """), error: "nosymbol.losshost.json:12: symbol 'pinball_gradient' (\"gradient\") is not in libpinball.so"),
        BadCase(file: "count.losshost.json", text: manifest("count", """
                {
                  "id": "count",
                  "summary": "tau missing from args",
                  "args": ["double pred", "double target"],
                  "value": "pinball",
                  "params": {
                    "tau": {"default": 0.5}
                  }
                }
            """), error: "count.losshost.json:12: argument count mismatch: \"args\" has 2 arguments, so pred, target and 0 parameters, but \"params\" declares 1"),
        BadCase(file: "nodefault.losshost.json", text: manifest("nodefault", """
                {
                  "id": "nodefault",
                  "summary": "tau without a default",
                  "args": ["double pred", "double target", "double tau"],
                  "value": "pinball",
                  "params": {
                    "tau": {"min": 0, "max": 1}
                  }
                }
            """), error: "nodefault.losshost.json:13: param 'tau' has no default"),
        BadCase(file: "nolib.losshost.json", text: manifest("nolib", """
                {
                  "id": "nolib",
                  "summary": "library not there",
                  "library": "libmissing.so",
                  "args": ["double pred", "double target"],
                  "value": "pinball"
                }
            """), error: "nolib.losshost.json:10: library 'libmissing.so' does not load: cannot read the file:"),
        BadCase(file: "syntax.losshost.json", text: "{\n  \"manifest_version\": 1,\n  \"plugin\": \"syntax\",\n  \"losses\": [,]\n}\n",
                error: "syntax.losshost.json:4: invalid JSON: unexpected character ','"),
        BadCase(file: "typo.losshost.json", text: manifest("typo", """
                {
                  "id": "typo",
                  "summary": "misspelt key",
                  "args": ["double pred", "double target"],
                  "value": "pinball",
                  "gradiant": "pinball_grad"
                }
            """), error: "typo.losshost.json:12: unknown key 'gradiant' in a loss"),
    ]

    func testEachBadManifestGivesItsErrorWithFileAndLineAndTheGoodPluginsStillLoad() throws {
        let dir = try Self.installExample(in: "scalar-bad")
        for bad in Self.badCases { try Data(bad.text.utf8).write(to: dir.appendingPathComponent(bad.file)) }
        let run = try CLI.run(["list", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        for bad in Self.badCases {
            XCTAssertTrue(run.stdout.contains("  \(dir.path)/\(bad.error)"), "missing '\(bad.error)' in:\n\(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("Failed to load (\(Self.badCases.count))"), run.stdout)
        for id in ["pinball/pinball", "pinball/logcosh_scaled", "std/mse", "csample/cauchy"] {
            XCTAssertTrue(run.stdout.contains(id), "\(id) missing:\n\(run.stdout)")
        }
        let pred = CLI.file("scalar-bad/p.csv", "1\n"), target = CLI.file("scalar-bad/y.csv", "3\n")
        let eval = try CLI.run(["eval", "pinball/pinball", "--pred", pred, "--target", target, "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertEqual(try (CLI.json(eval.stdout) as? [String: Any])?["value"] as? Double, 1.0)
    }

    func testNonFiniteResultIsADomainErrorNamingTheCell() throws {
        let dir = try Self.installExample(in: "scalar-domain")
        // logcosh_scaled overflows to inf for a huge residual.
        let pred = CLI.file("scalar-domain/p.csv", "0\n1e308\n"), target = CLI.file("scalar-domain/y.csv", "0\n-1e308\n")
        let run = try CLI.run(["eval", "logcosh_scaled", "--pred", pred, "--target", target, "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("logcosh_scaled(pred 1e+308, target -1e+308) returned inf"), run.stderr)
    }
}
