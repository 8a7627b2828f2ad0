import Foundation
import XCTest

/// `losshost check` on the bundled plugins, and its options.
final class CheckCommandTests: XCTestCase {
    private func check(_ arguments: [String]) throws -> (object: [String: Any], run: CLI.Run) {
        let run = try CLI.run(["check"] + arguments + ["--format", "json"], environment: Hostile.environment)
        return (try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout + run.stderr), run)
    }

    private func failures(_ object: [String: Any]) -> [String] {
        (object["checks"] as? [[String: Any]] ?? []).filter { $0["result"] as? String == "fail" }
            .map { "\($0["check"]!): \($0["detail"]!)" }
    }

    /// Every standard loss passes, including out-of-range and NaN params
    /// (LossKit's create answers them with LH_ERR_INVALID_ARGUMENT).
    func testStandardLossesPassEveryCheck() throws {
        let (object, run) = try check(["std", "--seed", "1"])
        XCTAssertEqual(failures(object), [])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual((object["checks"] as? [Any])?.count, 2 + 25 * 12)
    }

    /// A seed above Int.max is written exactly, so the report repeats its run.
    func testTheLargestSeedIsReportedExactly() throws {
        let seed = "18446744073709551615"
        let run = try CLI.run(["check", "csample/cauchy", "--seed", seed, "--only", "cauchy.gradient", "--format", "json"],
                              environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\"seed\": \(seed),"), run.stdout)
    }

    /// `check --cached` reuses the verdict of an unchanged file with the same seed and
    /// options, says so, and runs again for another seed or a changed file.
    func testCachedReusesTheVerdictOfAnUnchangedFile() throws {
        let dir = CLI.folder("check-cached")
        let plugin = dir.appendingPathComponent("libminimal.so").path
        let source = CLI.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path
        try CLI.compile([source], to: plugin)
        let environment = ["XDG_CACHE_HOME": CLI.folder("check-cached-cache").path]
        func run(_ extra: [String]) throws -> (object: [String: Any], run: CLI.Run) {
            let run = try CLI.run(["check", plugin, "--only", "*.gradient", "--cached", "--format", "json"] + extra,
                                  environment: environment)
            return (try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout + run.stderr), run)
        }
        let (first, firstRun) = try run(["--seed", "5"])
        XCTAssertEqual(firstRun.status, 0, firstRun.stderr)
        XCTAssertEqual(first["cached"] as? Bool, false)
        XCTAssertEqual((first["fingerprint"] as? [String: Any])?["path"] as? String, plugin)
        let (second, _) = try run(["--seed", "5"])
        XCTAssertEqual(second["cached"] as? Bool, true)
        XCTAssertEqual(second["checks"] as? [[String: String]], first["checks"] as? [[String: String]])
        XCTAssertEqual((second["checks"] as? [[String: String]])?.last?["check"], "squared_log_error.gradient")
        let text = try CLI.run(["check", plugin, "--only", "*.gradient", "--cached", "--seed", "5"], environment: environment)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("(seed 5; repeat with --seed 5; cached: the verdict of an earlier run on the unchanged file)"),
                      text.stdout)
        XCTAssertEqual(try run(["--seed", "6"]).object["cached"] as? Bool, false)
        try CLI.compile([source], to: plugin, extraFlags: ["-DUNUSED_MARKER=1", "-g"])
        XCTAssertEqual(try run(["--seed", "5"]).object["cached"] as? Bool, false)
        let noSeed = try CLI.run(["check", plugin, "--cached"], environment: environment)
        XCTAssertEqual(noSeed.status, 1)
        XCTAssertEqual(noSeed.stderr, "losshost: error: --cached needs --seed N: a verdict is reused only for the same seed\n")
    }

    func testCSamplePassesEveryCheck() throws {
        let (object, run) = try check(["csample", "--seed", "2"])
        XCTAssertEqual(failures(object), [])
        XCTAssertEqual(run.status, 0)
    }

    func testSwiftSamplePassesEveryCheck() throws {
        let (object, run) = try check(["swiftsample", "--seed", "3"])
        XCTAssertEqual(failures(object), [])
        XCTAssertEqual(run.status, 0)
    }

    /// csample's losses are float64 only; swiftsample's (LossKit) have evaluate_f32 and pass.
    func testFloat32SkipsWithoutTheEntryPointAndPassesWithIt() throws {
        let (c, _) = try check(["csample", "--seed", "2", "--only", "*.float32"])
        let cResults = (c["checks"] as? [[String: Any]] ?? []).filter { ($0["check"] as? String)?.hasSuffix(".float32") == true }
        XCTAssertEqual(cResults.count, 3)
        for item in cResults {
            XCTAssertEqual(item["result"] as? String, "skip")
            XCTAssertEqual(item["detail"] as? String, "no float32 entry point (float64 only; the host converts)")
        }
        let (s, run) = try check(["swiftsample", "--seed", "3", "--only", "*.float32"])
        XCTAssertEqual(run.status, 0, run.stdout)
        let sResults = (s["checks"] as? [[String: Any]] ?? []).filter { ($0["check"] as? String)?.hasSuffix(".float32") == true }
        XCTAssertEqual(sResults.count, 3)
        XCTAssertEqual(sResults.filter { $0["result"] as? String != "pass" }.count, 0, "\(sResults)")
    }

    func testALossIdChecksThatLossOnly() throws {
        let (object, run) = try check(["std/huber", "--seed", "4"])
        XCTAssertEqual(run.status, 0, run.stdout)
        let names = (object["checks"] as? [[String: Any]] ?? []).compactMap { $0["check"] as? String }
        XCTAssertEqual(names, ["plugin.load", "plugin.metadata"] + ["lifecycle", "gradient", "hessian", "boosting", "fused", "composition",
                                                                    "determinism", "threads", "robustness", "memory", "params", "float32"].map { "huber.\($0)" })
        XCTAssertEqual(object["seed"] as? Int, 4)
    }

    func testTextTableAndSeedLine() throws {
        let run = try CLI.run(["check", "std/mse", "--seed", "5", "--only", "mse.gradient"], environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stdout)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("CHECK"), run.stdout)
        XCTAssertTrue(lines[0].contains("RESULT") && lines[0].contains("DETAIL"), run.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("mse.gradient") && $0.contains("PASS") }, run.stdout)
        XCTAssertEqual(lines.last, "2 passed, 0 failed, 0 skipped (seed 5; repeat with --seed 5)")
    }

    func testSameSeedSameReport() throws {
        let a = try CLI.run(["check", "csample", "--seed", "9", "--format", "json"], environment: Hostile.environment)
        let b = try CLI.run(["check", "csample", "--seed", "9", "--format", "json"], environment: Hostile.environment)
        XCTAssertEqual(a.stdout, b.stdout)
    }

    func testInProcessGivesTheSameResults() throws {
        let isolated = try CLI.run(["check", "std/huber", "--seed", "6", "--format", "json"], environment: Hostile.environment)
        let inProcess = try CLI.run(["check", "std/huber", "--seed", "6", "--format", "json", "--in-process"], environment: Hostile.environment)
        XCTAssertEqual(isolated.stdout, inProcess.stdout)
    }

    func testUnknownTargetIsAOneLineError() throws {
        let run = try CLI.run(["check", "no_such_loss"], environment: Hostile.environment)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasPrefix("losshost: error: unknown loss or plugin 'no_such_loss'"), run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1)
    }
}
