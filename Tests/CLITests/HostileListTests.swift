import Foundation
import XCTest

/// `list` over a folder of hostile plugins: every bad file is listed with its
/// reason, the good ones and the built-ins still load, and the host survives.
final class HostileListTests: XCTestCase {
    static let expectedFailures: [String: String] = [
        "segv_entry": "crashed with SIGSEGV while loading (in its constructor or entry point)",
        "constructor_crash": "crashed with SIGSEGV while loading (in its constructor or entry point)",
        "wrong_abi_major": "built for ABI 2.0, newer than this host's 1.",
        "struct_too_small": "invalid descriptor: losses[0].struct_size 16 is smaller than ",
        "null_functions": "invalid descriptor: loss 'sq': evaluate is NULL",
        "duplicate_ids": "invalid descriptor: duplicate loss id 'sq'",
        "non_utf8_name": "invalid descriptor: losses[0].id is not valid UTF-8",
        "huge_name": "invalid descriptor: losses[0].id is longer than 63 bytes",
        "default_outside": "invalid descriptor: loss 'sq' param 'alpha': default 5 is outside [0, 1]",
        "missing_entry": "missing entry symbol 'losshost_plugin_entry'",
        "not_elf": "not a shared object (no ELF header)",
        "aarch64": "a shared object for another architecture (aarch64)",
        "close_stdout_on_load": "closed or replaced standard output (descriptor 1) while loading (in its constructor or entry point)",
        "destructor_crash": "crashed with SIGSEGV after loading (in a destructor, at exit)",
        "constructor_hang": "timed out after 10 s while loading (in its constructor or entry point)",
        "control_chars": "invalid descriptor: loss 'sq' summary contains the control character U+001B at byte 7",
        "garbage_table": "invalid descriptor: the entry point returned an invalid table (ABI version 796029813.794978668 is implausible; a pointer to freed or stack memory?)",
        "fork_in_entry": "left a process running (killed it) after loading (in its constructor or entry point)",
    ]

    /// Scalar manifests that fail, by manifest name.
    static let expectedManifestFailures: [String: String] = [
        "scalar_ctor_crash": "crashed with SIGSEGV while loading the libraries it names (in a constructor)",
    ]

    /// Plugins that load: their trouble starts only when they run.
    static let loading = ["good", "newer_minor", "segv_create", "segv_evaluate", "abort", "exit3", "infinite_loop",
                          "nan_outputs", "gradient_factor", "write_past_output", "write_input",
                          "stdout_noise", "close_stdout", "flood_output", "flood_forever", "kill_group", "slow_evaluate",
                          "float32_gradient_factor", "crash_outside_scan", "scan_differs", "fork_detached", "ignore_signals",
                          "round_upward", "flush_to_zero", "chdir_umask", "writes_nothing", "skips_gradient", "unknown_status",
                          "error_overflow", "thread_crash", "allocate_forever", "close_stderr"]

    func testListSurvivesEveryHostilePluginAndNamesEachReason() throws {
        let run = try CLI.run(["list", "--plugin-dir", Hostile.folder.path], environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        for (name, reason) in Self.expectedFailures {
            XCTAssertTrue(run.stdout.contains("\(Hostile.path(name)): \(reason)"), "no '\(name): \(reason)' in:\n\(run.stdout)")
        }
        for (name, reason) in Self.expectedManifestFailures {
            XCTAssertTrue(run.stdout.contains("\(Hostile.manifest(name)): \(reason)"), "no '\(name): \(reason)' in:\n\(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("Failed to load (\(Self.expectedFailures.count + Self.expectedManifestFailures.count))"), run.stdout)
        for id in ["std/mse", "csample/cauchy", "swiftsample/tukey", "good/sq", "newer_minor/sq", "segv_evaluate/sq", "hangs/sq",
                   "stdout_noise/sq", "close_stdout/sq", "flood_output/sq", "flood_forever/sq"] {
            XCTAssertTrue(run.stdout.contains(id), "\(id) missing:\n\(run.stdout)")
        }
    }

    func testSecondListUsesTheCacheAndGivesTheSameAnswer() throws {
        let dir = Hostile.folder(with: ["good", "segv_entry"], "hostile-cache-list")
        let cache = CLI.folder("hostile-cache-list-home").path
        let first = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        let cacheFile = cache + "/losshost/scan-cache.json"
        let written = try String(contentsOfFile: cacheFile, encoding: .utf8)
        XCTAssertTrue(written.contains("libsegv_entry.so"), written)
        XCTAssertTrue(written.contains("\"hash\""), written)
        let second = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(first.stdout, second.stdout)
        XCTAssertTrue(second.stdout.contains("libsegv_entry.so: crashed with SIGSEGV while loading"), second.stdout)
        XCTAssertTrue(second.stdout.contains("good/sq"), second.stdout)
    }

    func testAFolderOthersCanWriteToIsRefusedUnlessAllowed() throws {
        let dir = Hostile.folder(with: ["good"], "hostile-world-writable")
        chmod(dir.path, 0o777)
        let refused = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertEqual(refused.status, 0, refused.stderr)
        XCTAssertTrue(refused.stdout.contains("libgood.so: refused: the folder \(dir.path) is writable by every user (mode 777); run chmod o-w on it, or pass --allow-unsafe-plugins"), refused.stdout)
        XCTAssertFalse(refused.stdout.contains("good/sq"), refused.stdout)
        let allowed = try CLI.run(["list", "--plugin-dir", dir.path, "--allow-unsafe-plugins"], environment: Hostile.environment)
        XCTAssertTrue(allowed.stdout.contains("good/sq"), allowed.stdout)
    }

    func testAPluginOwnedByAnotherUserIsRefused() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to give a file to another user") }
        let dir = Hostile.folder(with: ["good"], "hostile-other-owner")
        let file = dir.appendingPathComponent("libgood.so").path
        chown(file, 65534, 65534)
        let run = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertTrue(run.stdout.contains("libgood.so: refused: the file \(file) is owned by user 65534, not by you or root; pass --allow-unsafe-plugins to load it anyway"), run.stdout)
    }

    /// A folder with the manifest fixture, its library and the good plugin.
    private func manifestFolder(_ label: String) throws -> URL {
        let dir = Hostile.folder(with: ["good", "scalar_ctor_crash"], label)
        try FileManager.default.copyItem(atPath: Hostile.manifest("scalar_ctor_crash"),
                                         toPath: dir.appendingPathComponent("scalar_ctor_crash.losshost.json").path)
        return dir
    }

    func testManifestWhoseLibraryCrashesInItsConstructorIsListedAsFailedAndCachedOnItsLibrary() throws {
        let dir = try manifestFolder("hostile-manifest-ctor")
        let manifest = dir.appendingPathComponent("scalar_ctor_crash.losshost.json").path
        let library = dir.appendingPathComponent("libscalar_ctor_crash.so").path
        let cache = CLI.folder("hostile-manifest-ctor-cache").path
        let first = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("Failed to load (1):\n  \(manifest): crashed with SIGSEGV while loading the libraries it names (in a constructor)\n"), first.stdout)
        XCTAssertTrue(first.stdout.contains("good/sq"), first.stdout)
        XCTAssertTrue(first.stdout.contains("std/mse"), first.stdout)

        // The cache entry is keyed on the manifest and on the library it names.
        let cacheFile = cache + "/losshost/scan-cache.json"
        let object = try XCTUnwrap(CLI.json(try String(contentsOfFile: cacheFile, encoding: .utf8)) as? [String: Any])
        let entry = try XCTUnwrap((object["entries"] as? [String: Any])?[manifest] as? [String: Any], "\(object)")
        XCTAssertEqual(entry["failure"] as? String, "crashed with SIGSEGV while loading the libraries it names (in a constructor)")
        let libraries = try XCTUnwrap(entry["libraries"] as? [String: Any])
        XCTAssertEqual(Array(libraries.keys), [library])
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: library)[.size] as? NSNumber)
        XCTAssertEqual((libraries[library] as? [String: Any])?["size"] as? Int, size.intValue)

        let second = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(first.stdout, second.stdout)

        // Rebuilding only the library (the manifest unchanged) invalidates the entry: it is scanned again, and loads.
        let fixed = CLI.file("hostile-manifest-ctor-src/fixed.c", "double sq_value(double p, double t) { return (p - t) * (p - t); }\n")
        try ScalarPluginTests.plainCC([fixed], to: library)
        let third = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("scalar_ctor_crash/sq"), third.stdout)
        XCTAssertFalse(third.stdout.contains("Failed to load"), third.stdout)
        let reread = try XCTUnwrap(CLI.json(try String(contentsOfFile: cacheFile, encoding: .utf8)) as? [String: Any])
        let updated = try XCTUnwrap((reread["entries"] as? [String: Any])?[manifest] as? [String: Any])
        XCTAssertTrue(updated["failure"] is NSNull, "\(updated)")
    }

    func testTheFolderRulesApplyToTheLibraryAManifestNames() throws {
        // The manifest sits in a safe folder; the library it names, by absolute path, does not.
        let dir = CLI.folder("hostile-manifest-unsafe")
        let libraries = CLI.folder("hostile-manifest-unsafe-libs")
        let library = libraries.appendingPathComponent("libsq.so").path
        let source = CLI.file("hostile-manifest-unsafe-src/sq.c", "double sq_value(double p, double t) { return (p - t) * (p - t); }\n")
        try ScalarPluginTests.plainCC([source], to: library)
        let manifest = dir.appendingPathComponent("far.losshost.json").path
        try Data("""
            {"manifest_version": 1, "plugin": "far", "summary": "a library elsewhere", "library": "\(library)",
             "losses": [{"id": "sq", "summary": "squared error", "args": ["double pred", "double target"], "value": "sq_value"}]}
            """.utf8).write(to: URL(fileURLWithPath: manifest))
        chmod(dir.path, 0o755)
        chmod(libraries.path, 0o777)
        chmod(library, 0o755)
        let refused = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertEqual(refused.status, 0, refused.stderr)
        XCTAssertTrue(refused.stdout.contains("\(manifest): refused: the folder \(libraries.path) of the library \(library) (named by the manifest) is writable by every user (mode 777); run chmod o-w on it, or pass --allow-unsafe-plugins"), refused.stdout)
        XCTAssertFalse(refused.stdout.contains("far/sq"), refused.stdout)

        chmod(libraries.path, 0o755)
        chmod(library, 0o666)
        let file = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertTrue(file.stdout.contains("\(manifest): refused: the library \(library) (named by the manifest) is writable by every user (mode 666); run chmod o-w on it, or pass --allow-unsafe-plugins"), file.stdout)

        let allowed = try CLI.run(["list", "--plugin-dir", dir.path, "--allow-unsafe-plugins"], environment: Hostile.environment)
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(allowed.stdout.contains("far/sq"), allowed.stdout)
        XCTAssertFalse(allowed.stdout.contains("Failed to load"), allowed.stdout)

        chmod(library, 0o755)
        let safe = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertTrue(safe.stdout.contains("far/sq"), safe.stdout)
    }

    func testAPluginThatClosesStdoutWhileLoadingIsRefusedSoListStillPrints() throws {
        let dir = Hostile.folder(with: ["close_stdout_on_load", "good"], "hostile-close-on-load")
        let run = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("libclose_stdout_on_load.so: closed or replaced standard output (descriptor 1) while loading (in its constructor or entry point)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("good/sq"), run.stdout)
    }

    func testAPluginWhoseDestructorCrashesIsRefusedSoListExitsCleanly() throws {
        let dir = Hostile.folder(with: ["destructor_crash", "good"], "hostile-destructor")
        let run = try CLI.run(["list", "--plugin-dir", dir.path], environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("libdestructor_crash.so: crashed with SIGSEGV after loading (in a destructor, at exit)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("good/sq"), run.stdout)
    }
}
