import Foundation
import XCTest

/// `losshost check` on each hostile plugin: the exact diagnosis, a failing
/// exit status, and a host that survives (the report is complete JSON).
final class HostileCheckTests: XCTestCase {
    /// Runs `check` on a fixture and asserts one check's result and detail; the
    /// run must end with `status` (1 when any check fails), not a crash.
    private func assertCheck(_ fixture: String, _ check: String, _ result: String, _ detail: String, prefix: Bool = false,
                             extra: [String] = [], status: Int32 = 1, file: StaticString = #filePath, line: UInt = #line) throws {
        let (checks, run) = try Hostile.check(fixture, extra)
        XCTAssertEqual(run.status, status, run.stderr, file: file, line: line)
        let found = try XCTUnwrap(checks[check], "no \(check) in \(checks.keys.sorted())", file: file, line: line)
        XCTAssertEqual(found.result, result, found.detail, file: file, line: line)
        if prefix {
            XCTAssertTrue(found.detail.hasPrefix(detail), "'\(found.detail)' does not start with '\(detail)'", file: file, line: line)
        } else {
            XCTAssertEqual(found.detail, detail, file: file, line: line)
        }
    }

    func testSegfaultInTheEntryPoint() throws {
        try assertCheck("segv_entry", "plugin.load", "fail", "crashed with SIGSEGV in load")
    }

    func testConstructorThatCrashes() throws {
        try assertCheck("constructor_crash", "plugin.load", "fail", "crashed with SIGSEGV in load")
    }

    func testSegfaultInCreateFailsTheRunningCheckAndSkipsTheRestOfThatLoss() throws {
        try assertCheck("segv_create", "sq.lifecycle", "fail", "crashed with SIGSEGV in create")
        try assertCheck("segv_create", "sq.gradient", "skip", "not run: an earlier check of 'sq' crashed")
        try assertCheck("segv_create", "plugin.metadata", "pass", "plugin 'segv_create' 1.0.0: 1 loss, 0 params, ids unique, summaries and docs present, kinds and shapes consistent", prefix: true)
    }

    func testSegfaultInEvaluate() throws {
        try assertCheck("segv_evaluate", "sq.lifecycle", "fail", "crashed with SIGSEGV in evaluate")
    }

    func testAbort() throws {
        try assertCheck("abort", "sq.lifecycle", "fail", "crashed with SIGABRT in evaluate")
    }

    func testExit3() throws {
        try assertCheck("exit3", "sq.lifecycle", "fail", "exited with status 3 in evaluate")
    }

    func testInfiniteLoopTimesOut() throws {
        try assertCheck("infinite_loop", "sq.lifecycle", "fail", "timed out after 1 s in evaluate", extra: ["--timeout", "1"])
    }

    func testNaNOutputs() throws {
        try assertCheck("nan_outputs", "sq.robustness", "fail", "normal inputs gave values[0] = nan with LH_OK, at pred [", prefix: true)
    }

    func testGradientOffByAFactorNamesTheInputWithExpectedAndGot() throws {
        let (checks, run) = try Hostile.check("gradient_factor", ["--only", "*.gradient"])
        XCTAssertEqual(run.status, 1)
        let detail = try XCTUnwrap(checks["sq.gradient"]).detail
        XCTAssertTrue(detail.hasPrefix("pred[0] at pred ["), detail)
        let numbers = detail.components(separatedBy: "expected ")[1].components(separatedBy: " (central difference), got ")
        let expected = try XCTUnwrap(Double(numbers[0])), got = try XCTUnwrap(Double(numbers[1].components(separatedBy: " ")[0]))
        XCTAssertEqual(got / expected, 1.5, accuracy: 1e-6, detail)
        XCTAssertEqual(checks.count, 2, "--only keeps plugin.load and the gradient check: \(checks.keys.sorted())")
    }

    /// evaluate_f32 gives twice the gradient evaluate does: only `float32` fails, naming the element.
    func testFloat32GradientOffByAFactorOfTwoFailsFloat32() throws {
        try assertCheck("float32_gradient_factor", "sq.float32", "fail",
                        "gradient[0] at pred [-1.6908594369888306, 0.05510624498128891, 0.5178371071815491], target [1.0049549341201782, -0.05754063278436661, 1.6014437675476074]: expected -5.391628742218018 (evaluate on the float-rounded inputs), got -10.783257484436035 (evaluate_f32; tolerance 1e-05 relative)")
        let (checks, _) = try Hostile.check("float32_gradient_factor")
        XCTAssertEqual(checks.count, 14, "\(checks.keys.sorted())")
        XCTAssertEqual(checks.filter { $0.value.result == "fail" }.map(\.key), ["sq.float32"], "\(checks)")
    }

    func testLossWithoutFloat32EntryPointSkipsFloat32() throws {
        try assertCheck("good", "sq.float32", "skip", "no float32 entry point (float64 only; the host converts)",
                        extra: ["--only", "*.float32"], status: 0)
    }

    func testWritesPastItsOutputBuffer() throws {
        try assertCheck("write_past_output", "sq.memory", "fail",
                        "wrote past the end of values: element [24] of a 24-element buffer = 42", prefix: true, extra: ["--only", "*.memory"])
    }

    func testWritesIntoItsInput() throws {
        try assertCheck("write_input", "sq.memory", "fail", "wrote into its input: pred[0] changed from ", prefix: true,
                        extra: ["--only", "*.memory"])
    }

    func testNewerMinorLoadsAndPasses() throws {
        try assertCheck("newer_minor", "plugin.load", "pass", "'newer_minor' 1.0.0, ABI 1.99 (a newer minor; the host reads the fields it knows), from \(Hostile.path("newer_minor"))", status: 0)
    }

    func testGoodFixturePassesEveryCheck() throws {
        let (checks, run) = try Hostile.check("good")
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertEqual(checks.count, 14)
        XCTAssertEqual(checks.values.filter { $0.result == "fail" }.count, 0, "\(checks)")
    }

    func testManifestWhoseLibraryCrashesInItsConstructor() throws {
        let (checks, run) = try Hostile.check("scalar_ctor_crash", file: Hostile.manifest("scalar_ctor_crash"))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(checks.count, 1, "\(checks)")
        XCTAssertEqual(checks["plugin.load"]?.result, "fail")
        XCTAssertEqual(checks["plugin.load"]?.detail, "crashed with SIGSEGV in load")
    }

    /// The plugin prints forged reports (and a start with index 1e300, which
    /// once could trap the host) to stdout: none of it is read as a report.
    func testPrintingToStdoutCannotForgeOrCorruptTheReports() throws {
        let (checks, run) = try Hostile.check("stdout_noise")
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertFalse(run.stdout.contains("forged"), run.stdout)
        XCTAssertEqual(checks.count, 14, "\(checks.keys.sorted())")
        XCTAssertEqual(checks.values.filter { $0.result == "fail" }.count, 0, "\(checks)")
        XCTAssertEqual(checks["sq.determinism"]?.detail, "5 runs on 2 instances are bitwise equal")
        XCTAssertEqual(checks["plugin.load"]?.detail, "'stdout_noise' 1.0.0, ABI 1.2, from \(Hostile.path("stdout_noise"))")
    }

    /// Closing descriptor 1 in create fails each check that creates an
    /// instance, by name, and the worker survives to report every check.
    func testClosingStdoutFailsTheChecksThatDoIt() throws {
        let (checks, run) = try Hostile.check("close_stdout")
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(checks.count, 14, "\(checks.keys.sorted())")
        for name in ["lifecycle", "gradient", "threads", "memory"] {
            XCTAssertEqual(checks["sq.\(name)"]?.result, "fail", name)
            XCTAssertEqual(checks["sq.\(name)"]?.detail, "closed or replaced standard output (descriptor 1) in create", name)
        }
        XCTAssertEqual(checks["plugin.metadata"]?.result, "pass")
        XCTAssertEqual(checks.values.filter { $0.detail.contains("crashed") || $0.detail.contains("not run") }.count, 0, "\(checks)")
    }

    func testClosingStdoutWhileLoadingFailsTheLoadCheck() throws {
        try assertCheck("close_stdout_on_load", "plugin.load", "fail",
                        "closed or replaced standard output (descriptor 1) while loading (in its constructor or entry point)")
    }

    /// 32 MiB to stdout and 32 MiB to stderr in one evaluate: the report is whole and every check passes.
    func testMegabytesOfOutputNeitherCorruptTheReportNorFillTheHost() throws {
        let (checks, run) = try Hostile.check("flood_output")
        XCTAssertEqual(run.status, 0, String(run.stdout.prefix(2000)))
        XCTAssertEqual(checks.count, 14, "\(checks.keys.sorted())")
        XCTAssertEqual(checks.values.filter { $0.result == "fail" }.count, 0, "\(checks)")
        XCTAssertEqual(checks["sq.memory"]?.detail, "50 calls: guard bands intact, every output written, inputs unchanged")
    }

    /// Printing forever is not progress: the worker times out instead of hanging the host.
    func testPrintingForeverTimesOut() throws {
        try assertCheck("flood_forever", "sq.lifecycle", "fail", "timed out after 1 s in evaluate", extra: ["--timeout", "1"])
        try assertCheck("flood_forever", "sq.gradient", "skip", "not run: an earlier check of 'sq' crashed", extra: ["--timeout", "1"])
    }

    /// kill(0, SIGKILL) reaches only the worker's own process group.
    func testKillingItsProcessGroupKillsOnlyTheWorker() throws {
        try assertCheck("kill_group", "sq.lifecycle", "fail", "crashed with SIGKILL in evaluate")
        try assertCheck("kill_group", "plugin.metadata", "pass", "plugin 'kill_group' 1.0.0: 1 loss,", prefix: true)
    }

    /// A worker whose host is killed ends too, instead of spinning on as an orphan.
    func testAWorkerEndsWhenItsHostIsKilled() throws {
        let host = Process()
        host.executableURL = URL(fileURLWithPath: CLI.executable)
        host.arguments = ["check", Hostile.path("infinite_loop"), "--timeout", "600", "--only", "*.lifecycle"]
        host.environment = ProcessInfo.processInfo.environment.merging(Hostile.environment) { $1 }
        host.standardOutput = FileHandle.nullDevice
        host.standardError = FileHandle.nullDevice
        try host.run()
        defer { if host.isRunning { kill(host.processIdentifier, SIGKILL) } }
        var worker: Int32? = nil
        for _ in 0..<100 where worker == nil {
            usleep(100_000)
            worker = Self.children(of: host.processIdentifier).first
        }
        let pid = try XCTUnwrap(worker, "no worker started")
        kill(host.processIdentifier, SIGKILL)
        host.waitUntilExit()
        var gone = false
        for _ in 0..<50 where !gone {
            usleep(100_000)
            gone = kill(pid, 0) != 0
        }
        if !gone { kill(pid, SIGKILL) }
        XCTAssertTrue(gone, "worker \(pid) outlived its host")
    }

    /// The child processes of `pid`, from /proc.
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task -> [Int32] in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
            return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// A plugin that hangs while loading, in the folder of the one checked, with
    /// a cold cache: the check still passes (its worker does not wait on that scan).
    func testAHangingNeighbourDoesNotTimeOutTheCheck() throws {
        let dir = Hostile.folder(with: ["good", "constructor_hang"], "hostile-hanging-neighbour")
        let cache = CLI.folder("hostile-hanging-neighbour-cache").path
        let run = try CLI.run(["check", "good", "--seed", "7", "--format", "json", "--plugin-dir", dir.path],
                              environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout)
        let checks = object["checks"] as? [[String: Any]] ?? []
        XCTAssertEqual(checks.count, 14)
        XCTAssertEqual(checks.first?["detail"] as? String, "'good' 1.0.0, ABI 1.2, from \(dir.path)/libgood.so")
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertTrue(list.stdout.contains("libconstructor_hang.so: timed out after 10 s while loading (in its constructor or entry point)"), list.stdout)
    }

    /// --timeout limits one call into the plugin, not a slow plugin's whole check.
    func testASlowPluginIsNotAHungOne() throws {
        let started = Date()
        try assertCheck("slow_evaluate", "sq.fused", "pass", "value-only, gradient-only and fused calls agree; sum = sum of values",
                        extra: ["--timeout", "1", "--only", "*.fused"], status: 0)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 1.5, "the check ran no longer than its --timeout, so it shows nothing")
    }

    func testADestructorThatCrashesAtExitFailsPluginExit() throws {
        let (checks, run) = try Hostile.check("destructor_crash")
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(checks["plugin.exit"]?.result, "fail")
        XCTAssertEqual(checks["plugin.exit"]?.detail, "the worker crashed with SIGSEGV after the checks finished (in a destructor, at exit)")
        XCTAssertEqual(checks["sq.gradient"]?.result, "pass")
        XCTAssertEqual(checks.count, 15, "\(checks.keys.sorted())")
    }

    func testFilesThatDoNotLoadFailTheLoadCheck() throws {
        // A child left by the entry point is found when the check worker exits: plugin.leftover (PluginContainmentTests).
        for (name, reason) in HostileListTests.expectedFailures where !reason.hasPrefix("crashed") && !reason.hasPrefix("timed out")
            && !reason.hasPrefix("left a process") {
            let (checks, run) = try Hostile.check(name)
            XCTAssertEqual(run.status, 1, name)
            let load = try XCTUnwrap(checks["plugin.load"], name)
            XCTAssertEqual(load.result, "fail", name)
            XCTAssertTrue(load.detail.hasPrefix(reason), "\(name): '\(load.detail)' does not start with '\(reason)'")
            XCTAssertEqual(checks.count, 1, name)
        }
    }
}

/// `eval` on plugins that crash: `--isolate` turns a crash into one line, and
/// a plugin that crashed once is isolated automatically afterwards.
final class HostileEvalTests: XCTestCase {
    private func inputs(_ label: String) -> (String, String) {
        (CLI.file("\(label)/p.csv", "1\n2\n"), CLI.file("\(label)/y.csv", "0\n0\n"))
    }

    func testIsolatedEvalTurnsASegfaultIntoOneLine() throws {
        let dir = Hostile.folder(with: ["segv_evaluate", "good"], "hostile-eval")
        let cache = CLI.folder("hostile-eval-cache").path
        let (p, y) = inputs("hostile-eval")
        let run = try CLI.run(["eval", "segv_evaluate/sq", "--pred", p, "--target", y, "--isolate", "--plugin-dir", dir.path],
                              environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: 'segv_evaluate/sq' crashed with SIGSEGV while evaluating (in a separate worker process; losshost is unharmed)\n")
        let again = try CLI.run(["eval", "segv_evaluate/sq", "--pred", p, "--target", y, "--plugin-dir", dir.path],
                                environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, """
            losshost: warning: evaluating 'segv_evaluate/sq' in a separate process: its last run crashed with SIGSEGV
            losshost: error: 'segv_evaluate/sq' crashed with SIGSEGV while evaluating (in a separate worker process; losshost is unharmed)

            """)
        let good = try CLI.run(["eval", "good/sq", "--pred", p, "--target", y, "--reduction", "sum", "--format", "json",
                                "--isolate", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual((try CLI.json(good.stdout) as? [String: Any])?["value"] as? Double, 5)
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(list.status, 0, list.stderr)
        for id in ["std/mse", "good/sq", "segv_evaluate/sq"] { XCTAssertTrue(list.stdout.contains(id), list.stdout) }
    }

    /// A stack overflow in evaluate, in-process: one line (no runtime backtrace), status 128 + SIGSEGV.
    func testAStackOverflowInProcessIsOneLine() throws {
        let dir = Hostile.folder(with: ["stack_overflow"], "hostile-eval-stack")
        let cache = CLI.folder("hostile-eval-stack-cache").path
        let (p, y) = inputs("hostile-eval-stack")
        let first = try CLI.run(["eval", "stack_overflow/sq", "--pred", p, "--target", y, "--plugin-dir", dir.path],
                                environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(first.status, 128 + SIGSEGV)
        XCTAssertEqual(first.stderr, "losshost: error: 'stack_overflow/sq' crashed with SIGSEGV in evaluate; the next runs evaluate it in a separate worker process\n")
        XCTAssertEqual(first.stdout, "")
        let second = try CLI.run(["eval", "stack_overflow/sq", "--pred", p, "--target", y, "--plugin-dir", dir.path],
                                 environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(second.stderr, """
            losshost: warning: evaluating 'stack_overflow/sq' in a separate process: an earlier run did not finish
            losshost: error: 'stack_overflow/sq' crashed with SIGSEGV while evaluating (in a separate worker process; losshost is unharmed)

            """)
    }

    /// compare, plot, fit and bench run the plugin in-process too: a crash in one of its
    /// calls is one line naming the loss and `check`, status 128 + SIGSEGV, and a crash in
    /// the next loss a command moves on to names that loss.
    func testOtherInProcessCommandsTurnACrashIntoOneLine() throws {
        let dir = Hostile.folder(with: ["segv_evaluate", "good"], "hostile-commands")
        let cache = CLI.folder("hostile-commands-cache").path
        let (p, y) = inputs("hostile-commands")
        let data = CLI.file("hostile-commands/data.csv", "x,y\n1,2\n2,4\n3,5\n")
        let line = "losshost: error: 'segv_evaluate/sq' crashed with SIGSEGV in evaluate; `losshost check segv_evaluate/sq` runs it in a separate worker process\n"
        let commands: [[String]] = [
            ["compare", "mse", "good/sq", "segv_evaluate/sq", "--pred", p, "--target", y],
            ["plot", "segv_evaluate/sq"],
            ["fit", "--data", data, "--target-col", "y", "--loss", "segv_evaluate/sq"],
            ["bench", "segv_evaluate/sq", "--n", "1000", "--repeats", "1"],
        ]
        for arguments in commands {
            let run = try CLI.run(arguments + ["--plugin-dir", dir.path],
                                  environment: ["XDG_CACHE_HOME": cache, "SWIFT_BACKTRACE": "enable=no"])
            XCTAssertEqual(run.status, 128 + SIGSEGV, arguments[0])
            XCTAssertEqual(run.stderr, line, arguments[0])
        }
    }

    func testAnInProcessCrashMakesTheNextRunIsolated() throws {
        let dir = Hostile.folder(with: ["abort"], "hostile-eval-auto")
        let cache = CLI.folder("hostile-eval-auto-cache").path
        let (p, y) = inputs("hostile-eval-auto")
        let first = try CLI.run(["eval", "aborts/sq", "--pred", p, "--target", y, "--plugin-dir", dir.path],
                                environment: ["XDG_CACHE_HOME": cache, "SWIFT_BACKTRACE": "enable=no"])
        XCTAssertEqual(first.status, 128 + SIGABRT)
        XCTAssertEqual(first.stderr, "losshost: error: 'aborts/sq' crashed with SIGABRT in evaluate; the next runs evaluate it in a separate worker process\n")
        let second = try CLI.run(["eval", "aborts/sq", "--pred", p, "--target", y, "--plugin-dir", dir.path],
                                 environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(second.status, 1)
        XCTAssertEqual(second.stderr, """
            losshost: warning: evaluating 'aborts/sq' in a separate process: an earlier run did not finish
            losshost: error: 'aborts/sq' crashed with SIGABRT while evaluating (in a separate worker process; losshost is unharmed)

            """)
    }
}
