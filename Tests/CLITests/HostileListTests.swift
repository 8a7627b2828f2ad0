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
    ]

    /// Plugins that load: their trouble starts only when they run.
    static let loading = ["good", "newer_minor", "segv_create", "segv_evaluate", "abort", "exit3", "infinite_loop",
                          "nan_outputs", "gradient_factor", "write_past_output", "write_input"]

    func testListSurvivesEveryHostilePluginAndNamesEachReason() throws {
        let run = try CLI.run(["list", "--plugin-dir", Hostile.folder.path], environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        for (name, reason) in Self.expectedFailures {
            XCTAssertTrue(run.stdout.contains("\(Hostile.path(name)): \(reason)"), "no '\(name): \(reason)' in:\n\(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("Failed to load (\(Self.expectedFailures.count))"), run.stdout)
        for id in ["std/mse", "csample/cauchy", "swiftsample/tukey", "good/sq", "newer_minor/sq", "segv_evaluate/sq", "hangs/sq"] {
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
}
