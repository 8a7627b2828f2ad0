import Foundation
import XCTest

/// Plugins that fight the host (forks, signals, hangs, crashes in their own threads,
/// changed process state, forged or unwritten outputs): each fixture's exact
/// diagnosis, and a host that survives it.
final class PluginContainmentTests: XCTestCase {
    /// Inputs for eval: 3 rows, non-trivial means.
    static let pred = CLI.file("containment/p.csv", "1\n2\n3\n")
    static let target = CLI.file("containment/y.csv", "0.5\n2\n2.1\n")

    /// A folder with only `names` and a cache of its own.
    private func setting(_ names: [String], _ label: String) -> (dir: URL, env: [String: String]) {
        let dir = Hostile.folder(with: names, "containment-\(label)")
        return (dir, ["XDG_CACHE_HOME": CLI.folder("containment-\(label)-cache").path, "SWIFT_BACKTRACE": "enable=no"])
    }

    private func eval(_ loss: String, _ dir: URL, _ env: [String: String], _ extra: [String] = [], directory: URL? = nil) throws -> CLI.Run {
        try CLI.run(["eval", loss, "--pred", Self.pred, "--target", Self.target, "--plugin-dir", dir.path] + extra,
                    environment: env, directory: directory)
    }

    // MARK: 1. Code that behaves only in the scan worker

    func testListAndInfoShowTheScanAndACrashInEvalIsolatesTheNextRun() throws {
        let (dir, env) = setting(["crash_outside_scan"], "outside-scan")
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("crash_outside_scan/sq  "), list.stdout)
        XCTAssertFalse(list.stdout.contains("Failed to load"), list.stdout)
        let info = try CLI.run(["info", "crash_outside_scan/sq", "--plugin-dir", dir.path], environment: env)
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.hasPrefix("crash_outside_scan/sq: squared error\n"), info.stdout)
        XCTAssertTrue(info.stdout.contains("crash_outside_scan 1.0.0 (\(dir.path)/libcrash_outside_scan.so, ABI 1.2)"), info.stdout)

        let first = try eval("crash_outside_scan/sq", dir, env)
        XCTAssertEqual(first.status, 128 + SIGSEGV, "the in-process eval runs its entry point and crashes: \(first.stderr)")
        XCTAssertEqual(first.stderr, "losshost: error: 'crash_outside_scan/sq' crashed with SIGSEGV in its entry point; the next runs evaluate it in a separate worker process\n")
        let second = try eval("crash_outside_scan/sq", dir, env)
        XCTAssertEqual(second.status, 1, second.stderr)
        XCTAssertEqual(second.stderr, """
            losshost: warning: evaluating 'crash_outside_scan/sq' in a separate process: an earlier run did not finish
            losshost: error: 'crash_outside_scan/sq' crashed with SIGSEGV while evaluating (in a separate worker process; losshost is unharmed)

            """)
    }

    func testAPluginThatDescribesItselfDifferentlyOutsideItsScanIsNamedNotRetried() throws {
        let (dir, env) = setting(["scan_differs"], "differs")
        let run = try eval("scan_differs/sq", dir, env)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: cannot load plugin 'scan_differs': \(dir.path)/libscan_differs.so declares 'scan_differs' with losses sq when scanned in a worker but 'elsewhere' with losses sq when loaded in losshost; a plugin must describe itself the same way in every process\n")
    }

    // MARK: 2. Hangs

    func testAFIFONamedLikeAPluginIsNeverOpened() throws {
        let (dir, env) = setting(["good"], "fifo")
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("libfifo.so").path, 0o600), 0)
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("  \(dir.path)/libfifo.so: cannot read the file: not a regular file (a FIFO)\n"), list.stdout)
        let run = try eval("good/sq", dir, env, ["--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\"plugin\": \"good\""), run.stdout)
    }

    func testAChildForkedInTheEntryPointIsKilledWithTheScanWorkerAndReported() throws {
        let (dir, env) = setting(["fork_in_entry", "good"], "fork-entry")
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("  \(dir.path)/libfork_in_entry.so: left a process running (killed it) after loading (in its constructor or entry point)\n"), list.stdout)
        XCTAssertTrue(list.stdout.contains("good/sq"), list.stdout)
        let (checks, run) = try Hostile.check("fork_in_entry")
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(checks["plugin.leftover"]?.detail, "the worker left a process running (killed it); plugin code must not leave processes behind")
    }

    func testADetachedGrandchildHoldingTheWorkersPipesFailsPluginLeftover() throws {
        let (checks, run) = try Hostile.check("fork_detached")
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(checks["plugin.leftover"]?.result, "fail", "\(checks)")
        XCTAssertEqual(checks["plugin.leftover"]?.detail, "the worker left a process holding its output after it exited (one that left the worker's process group); plugin code must not leave processes behind")
        XCTAssertEqual(checks["sq.gradient"]?.result, "pass", "\(checks)")
        let (dir, env) = setting(["fork_detached"], "fork-detached")
        let eval = try eval("fork_detached/sq", dir, env, ["--isolate", "--format", "json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("\"value\": 0.3533333333333333"), eval.stdout)
        XCTAssertEqual(eval.stderr, "losshost: warning: 'fork_detached/sq' left a process holding its output after it exited (one that left the worker's process group) while evaluating (in a separate worker process)\n")
    }

    func testAnIsolatedEvalThatIgnoresSignalsIsKilledAtItsTimeout() throws {
        let (dir, env) = setting(["ignore_signals"], "signals")
        let run = try eval("ignore_signals/sq", dir, env, ["--isolate", "--timeout", "1"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: 'ignore_signals/sq' timed out after 1 s while evaluating (in a separate worker process; losshost is unharmed)\n")
        let zero = try eval("ignore_signals/sq", dir, env, ["--isolate", "--timeout", "0"])
        XCTAssertEqual(zero.stderr, "losshost: error: --timeout must be > 0\n")
    }

    /// A plugin that ignores its own segfault (a handler that returns: the write faults
    /// forever) or blocks every signal and spins is killed once one evaluate call made no
    /// progress for the call limit, and the line names the call; `--timeout` stays the
    /// limit of the whole run.
    func testAnIsolatedCallWithoutProgressIsKilledAtTheCallLimitAndNamed() throws {
        let (dir, env) = setting(["ignore_segv", "ignore_signals", "good"], "call-limit")
        for name in ["ignore_segv", "ignore_signals"] {
            let started = Date()
            let run = try eval("\(name)/sq", dir, env, ["--isolate", "--call-timeout", "2"])
            XCTAssertEqual(run.status, 1, name)
            XCTAssertEqual(run.stderr, "losshost: error: '\(name)/sq' hung in evaluate call 1: no progress for 2 s, so losshost killed its worker (SIGKILL to the process group; in a separate worker process; losshost is unharmed)\n")
            XCTAssertLessThan(Date().timeIntervalSince(started), 30, "killed at the call limit, not at --timeout (600 s)")
        }
        let byDefault = try eval("ignore_signals/sq", dir, env, ["--isolate"])
        XCTAssertEqual(byDefault.stderr, "losshost: error: 'ignore_signals/sq' hung in evaluate call 1: no progress for 10 s, so losshost killed its worker (SIGKILL to the process group; in a separate worker process; losshost is unharmed)\n")
        // The next run is isolated automatically, under the same call limit.
        let again = try eval("ignore_segv/sq", dir, env, ["--call-timeout", "1"])
        XCTAssertEqual(again.stderr, """
            losshost: warning: evaluating 'ignore_segv/sq' in a separate process: its last run hung in evaluate call 1
            losshost: error: 'ignore_segv/sq' hung in evaluate call 1: no progress for 1 s, so losshost killed its worker (SIGKILL to the process group; in a separate worker process; losshost is unharmed)

            """)
        let good = try eval("good/sq", dir, env, ["--isolate", "--call-timeout", "1", "--format", "json"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual((try CLI.json(good.stdout) as? [String: Any])?["value"] as? Double, 0.3533333333333333, good.stdout)
        XCTAssertEqual(try eval("good/sq", dir, env, ["--call-timeout", "0"]).stderr, "losshost: error: --call-timeout must be > 0\n")
    }

    // MARK: 3. Process state

    func testARoundingModeLeftUpwardIsRestoredForEvalAndFailsCheck() throws {
        let (dir, env) = setting(["round_upward", "good"], "upward")
        let upward = try eval("round_upward/sq", dir, env, ["--grad", "--hessian", "--format", "json"])
        let good = try eval("good/sq", dir, env, ["--grad", "--hessian", "--format", "json"])
        XCTAssertEqual(upward.status, 0, upward.stderr)
        XCTAssertEqual(upward.stdout.replacingOccurrences(of: "round_upward", with: "good"), good.stdout, "the host's numbers must not change")
        XCTAssertEqual(upward.stderr, "losshost: warning: 'round_upward/sq' left the rounding mode FE_UPWARD in evaluate; losshost restored it after every call\n")
        let (checks, run) = try Hostile.check("round_upward", ["--only", "*.lifecycle"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(checks["sq.lifecycle"]?.detail, "left the rounding mode FE_UPWARD in evaluate (losshost restored it; a plugin must leave the floating-point environment as it found it)")
    }

    func testFlushToZeroLeftOnFailsCheckNamingMXCSR() throws {
        let (checks, run) = try Hostile.check("flush_to_zero", ["--only", "*.lifecycle"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(checks["sq.lifecycle"]?.detail, "left MXCSR flush-to-zero on in create (losshost restored it; a plugin must leave the floating-point environment as it found it)")
    }

    func testOutputPathsAndModeAreFixedBeforeAPluginChangesDirectoryOrUmask() throws {
        let (dir, env) = setting(["chdir_umask"], "chdir")
        let work = CLI.folder("containment-chdir-work")
        let run = try eval("chdir_umask/sq", dir, env, ["--grad", "--out", "out.npy"], directory: work)
        XCTAssertEqual(run.status, 0, run.stderr)
        let file = work.appendingPathComponent("out-gradient.npy").path
        XCTAssertTrue(run.stdout.contains("wrote      \(file) (gradient)"), run.stdout)
        let mask = umask(0)
        umask(mask)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode_t(mode.intValue), 0o666 & ~mask)
    }

    // MARK: 4. Strings that could forge output

    func testControlCharactersInADescriptorAreRefused() throws {
        let (dir, env) = setting(["control_chars"], "control")
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("  \(dir.path)/libcontrol_chars.so: invalid descriptor: loss 'sq' summary contains the control character U+001B at byte 7\n"), list.stdout)
        XCTAssertFalse(list.stdout.contains("\u{1B}"), list.stdout)
        XCTAssertEqual(list.stdout.components(separatedBy: "\nstd/mse ").count, 2, "one std/mse line, not a forged second one")
    }

    // MARK: 5. Unwritten outputs

    func testOutputsAPluginNeverWroteAreAnErrorForEveryReduction() throws {
        let (dir, env) = setting(["writes_nothing", "skips_gradient"], "unwritten")
        for reduction in ["sum", "mean", "none"] {
            let run = try eval("writes_nothing/sq", dir, env, ["--reduction", reduction])
            XCTAssertEqual(run.status, 1, reduction)
            XCTAssertEqual(run.stderr, "losshost: error: plugin 'writes_nothing' loss 'sq' returned LH_OK but left sum unwritten\n", reduction)
        }
        let gradient = try eval("skips_gradient/sq", dir, env, ["--grad"])
        XCTAssertEqual(gradient.status, 1)
        XCTAssertEqual(gradient.stderr, "losshost: error: plugin 'skips_gradient' loss 'sq' returned LH_OK but left gradient[0] (row 1) unwritten\n")
        let f32 = try eval("skips_gradient/sq", dir, env, ["--grad", "--dtype", "f32"])
        XCTAssertEqual(f32.stderr, "losshost: error: plugin 'skips_gradient' loss 'sq' returned LH_OK but left gradient[0] (row 1) unwritten\n")
    }

    // MARK: 6. Precise diagnoses

    func testAnUnknownStatusIsNamedWithThePluginsText() throws {
        let (dir, env) = setting(["unknown_status"], "status")
        let run = try eval("unknown_status/sq", dir, env)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: the plugin returned an unknown status 99 from evaluate: status of my own\\u{1B}[2K\n")
    }

    func testATableOfGarbageIsAnInvalidTableNotAnABIVersion() throws {
        let (dir, env) = setting(["garbage_table"], "garbage")
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertTrue(list.stdout.contains("  \(dir.path)/libgarbage_table.so: invalid descriptor: the entry point returned an invalid table (ABI version 796029813.794978668 is implausible; a pointer to freed or stack memory?)\n"), list.stdout)
    }

    func testAnErrorMessageThatOverrunsItsBufferIsNamed() throws {
        let (dir, env) = setting(["error_overflow"], "overflow")
        let run = try eval("error_overflow/sq", dir, env)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: the plugin wrote past the end of the error message buffer in evaluate (1977 bytes beyond its capacity of 1024)\n")
    }

    func testACrashInAThreadThePluginStartedIsNotBlamedOnTheRunningCall() throws {
        let (checks, run) = try Hostile.check("thread_crash")
        XCTAssertEqual(run.status, 1)
        let failed = checks.filter { $0.value.result == "fail" }
        XCTAssertEqual(failed.count, 1, "\(checks)")
        XCTAssertTrue(failed.first!.value.detail.hasPrefix("crashed with SIGSEGV outside any plugin call (in a thread the plugin started; the host was "), "\(failed)")
    }

    /// A thread that crashes 200 ms after create, when a short run's checks are over: the
    /// worker waits for it and `plugin.threads` fails (without the wait, every check passed).
    func testACrashInAPluginThreadAfterTheLastCheckFailsPluginThreads() throws {
        let (checks, run) = try Hostile.check("late_thread_crash", ["--only", "*.lifecycle"])
        XCTAssertEqual(run.status, 1, "\(checks)")
        XCTAssertEqual(checks["sq.lifecycle"]?.result, "pass", "\(checks)")
        XCTAssertEqual(checks["plugin.threads"]?.result, "fail", "\(checks)")
        XCTAssertEqual(checks["plugin.threads"]?.detail,
                       "the worker crashed with SIGSEGV outside any plugin call, in a thread the plugin started, after the last check (it waits 0.5 s for such crashes)")
    }

    // MARK: 7. Resources

    func testAPluginThatAllocatesWithoutBoundExceedsTheWorkerMemoryLimit() throws {
        let (checks, run) = try Hostile.check("allocate_forever", ["--only", "*.lifecycle", "--memory-limit", "1024"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(checks["sq.lifecycle"]?.detail, "exceeded the memory limit of 1024 MiB in create")
    }

    func testAPluginThatClosesStandardErrorCannotSilenceOrKillTheHost() throws {
        let (dir, env) = setting(["close_stderr"], "stderr")
        let run = try eval("close_stderr/sq", dir, env)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: stderr is gone\n")
        // Started with standard error closed, losshost still ends with its status, not a trap.
        let closed = Process()
        closed.executableURL = URL(fileURLWithPath: "/bin/sh")
        closed.arguments = ["-c", "exec 2>&-; '\(CLI.executable)' eval close_stderr/sq --pred '\(Self.pred)' --target '\(Self.target)' --plugin-dir '\(dir.path)'"]
        closed.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        try closed.run()
        closed.waitUntilExit()
        XCTAssertEqual(closed.terminationReason, .exit)
        XCTAssertEqual(closed.terminationStatus, 1)
    }

    func testAFolderWhoseParentEveryoneCanWriteToIsRefused() throws {
        let parent = CLI.folder("containment-open-parent")
        let dir = parent.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Hostile.path("good"), toPath: dir.appendingPathComponent("libgood.so").path)
        chmod(dir.path, 0o755)
        chmod(parent.path, 0o777)
        let env = ["XDG_CACHE_HOME": CLI.folder("containment-open-parent-cache").path]
        let refused = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertTrue(refused.stdout.contains("  \(dir.path)/libgood.so: refused: the folder \(parent.path), above the folder \(dir.path), is writable by every user (mode 777); run chmod o-w on it, or pass --allow-unsafe-plugins\n"), refused.stdout)
        chmod(parent.path, 0o1777)  // sticky: others cannot rename what they do not own, as in /tmp
        let sticky = try CLI.run(["list", "--plugin-dir", dir.path], environment: env).stdout
        XCTAssertEqual(sticky.contains("good/sq"), getuid() == 0, "allowed only when root owns the sticky folder: \(sticky)")
        chmod(parent.path, 0o755)
        let allowed = try CLI.run(["list", "--plugin-dir", dir.path], environment: env)
        XCTAssertTrue(allowed.stdout.contains("good/sq"), allowed.stdout)
    }
}
