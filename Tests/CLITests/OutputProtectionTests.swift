import Foundation
import XCTest

/// A plugin that closes or writes to standard output cannot break the host's output.
final class OutputProtectionTests: XCTestCase {
    func testAPluginThatClosesStdoutDoesNotBreakEval() throws {
        let dir = CLI.folder("close-stdout")
        let hostile = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/hostile")
        try CLI.compile([hostile.appendingPathComponent("close_stdout.c").path], to: dir.appendingPathComponent("libcs.so").path,
                        extraFlags: ["-I", hostile.path])
        let pred = CLI.file("close-stdout/p.csv", "1\n3\n"), target = CLI.file("close-stdout/y.csv", "0\n0\n")
        let run = try CLI.run(["eval", "close_stdout/sq", "--pred", pred, "--target", target, "--reduction", "sum",
                               "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try (CLI.json(run.stdout) as? [String: Any])?["value"] as? Double, 10)
    }

    func testAPluginThatPrintsCannotCorruptJSONOutput() throws {
        let dir = CLI.folder("noise")
        let hostile = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/hostile")
        try CLI.compile([hostile.appendingPathComponent("stdout_noise.c").path], to: dir.appendingPathComponent("libnoise.so").path,
                        extraFlags: ["-I", hostile.path])
        let list = try CLI.run(["list", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertNotNil((try CLI.json(list.stdout) as? [String: Any])?["losses"] as? [[String: Any]], "stdout is exactly one JSON document: \(list.stdout)")
    }

    func testOutputsAPluginLeavesUnwrittenAreAnErrorNotStaleMemory() throws {
        let dir = CLI.folder("skips")
        try CLI.compile([CLI.packageRoot.appendingPathComponent("Tests/Fixtures/plugins/skips_outputs.c").path],
                        to: dir.appendingPathComponent("libskips.so").path)
        let pred = CLI.file("skips/p.csv", "1\n2\n3\n4\n"), target = CLI.file("skips/y.csv", "0\n0\n0\n0\n")
        let run = try CLI.run(["eval", "skips/sq", "--pred", pred, "--target", target, "--reduction", "sum", "--grad",
                               "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(run.stderr, "losshost: error: plugin 'skips' loss 'sq' returned LH_OK but left gradient[1] (row 2) unwritten\n")
        XCTAssertEqual(run.stdout, "")
    }
}
