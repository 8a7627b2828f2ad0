import Foundation
import XCTest

/// The README's examples work as printed: its `sh` blocks (all but the ones that
/// build the package or run the test suite and the benchmarks) run in order in one
/// shell from the package folder, with `.build/release` standing for this build's
/// products folder and a scratch HOME.
final class ReadmeExamplesTests: XCTestCase {
    /// The ```sh blocks of README.md, in order.
    static func shellBlocks() throws -> [String] {
        let text = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [String] = [], current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" { current = [] }
            else if current != nil, line == "```" { blocks.append(current!.joined(separator: "\n")); current = nil }
            else if current != nil { current!.append(String(line)) }
        }
        return blocks
    }

    func testReadmeCommandsWorkAsPrinted() throws {
        let blocks = try Self.shellBlocks()
        let runnable = blocks.filter { block in
            let first = block.split(separator: "\n").first.map(String.init) ?? ""
            return !(first.hasPrefix("swift ") || first.hasPrefix("python3 ") || first.hasPrefix("scripts/test-all"))
        }
        XCTAssertGreaterThanOrEqual(runnable.count, 4, "the tour, two C blocks and the scalar block")
        XCTAssertTrue(runnable[0].contains("T=$(mktemp -d)"), "the tour works in a temporary folder")
        let script = "set -ex\n" + runnable.joined(separator: "\n")
            .replacingOccurrences(of: "$PWD/.build/release", with: CLI.productsFolder.path)
            .replacingOccurrences(of: ".build/release", with: CLI.productsFolder.path)
        let home = CLI.folder("readme-home")
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = CLI.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["XDG_DATA_HOME"] = home.appendingPathComponent("data").path
        env["XDG_CACHE_HOME"] = home.appendingPathComponent("cache").path
        env["LOSSHOST_PLUGIN_PATH"] = nil
        env["TMPDIR"] = CLI.folder("readme-tmp").path
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        group.wait()
        process.waitUntilExit()
        let trace = String(decoding: errBox.data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "a README command failed:\n" + trace.split(separator: "\n").suffix(6).joined(separator: "\n"))
        XCTAssertFalse(trace.contains("losshost: error"), trace)
        // Spot checks of what the tour prints.
        XCTAssertTrue(stdout.contains("std/huber"), stdout)
        XCTAssertTrue(stdout.contains("0 failed"), stdout)                     // check csample, make check
        XCTAssertTrue(stdout.contains("minimal/squared_log_error"), stdout)
        XCTAssertTrue(stdout.contains("predictions written to "), stdout)
        // Nothing was written into the package folder.
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.path)), before)
    }
}

private final class Box: @unchecked Sendable {
    var data = Data()
}
