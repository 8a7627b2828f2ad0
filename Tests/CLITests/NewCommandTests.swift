import Foundation
import XCTest

/// `losshost new`: the generated C and Swift projects build as their READMEs say,
/// pass `check` as generated, and evaluate the example loss to the right numbers.
final class NewCommandTests: XCTestCase {
    /// Runs a build tool (make, swift) and returns its status and output.
    private func tool(_ arguments: [String], in directory: URL) throws -> CLI.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Run(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    /// `eval NAME/logcosh` at scale 2 on pred (0.5, 2, -1), target 0: value and gradient
    /// of the sum against log(cosh(2r))/4 and tanh(2r)/2.
    private func assertExampleLoss(_ name: String, pluginDir: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let p = CLI.file("new-\(name)/p.csv", "0.5\n2.0\n-1.0\n"), y = CLI.file("new-\(name)/y.csv", "0\n0\n0\n")
        let run = try CLI.run(["eval", "\(name)/logcosh", "--plugin-dir", pluginDir, "--pred", p, "--target", y,
                               "--param", "scale=2", "--reduction", "sum", "--grad", "--hessian", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        let json = try XCTUnwrap(try CLI.json(run.stdout) as? [String: Any], file: file, line: line)
        let r = [0.5, 2.0, -1.0]
        let value = r.map { log(cosh(2 * $0)) / 4 }.reduce(0, +)
        XCTAssertEqual(try XCTUnwrap(json["value"] as? Double), value, accuracy: 1e-13, file: file, line: line)
        let gradient = try XCTUnwrap(json["gradient"] as? [Double], file: file, line: line)
        let hessian = try XCTUnwrap(json["hessian"] as? [Double], file: file, line: line)
        for i in 0..<3 {
            XCTAssertEqual(gradient[i], tanh(2 * r[i]) / 2, accuracy: 1e-14, file: file, line: line)
            XCTAssertEqual(hessian[i], 1 - tanh(2 * r[i]) * tanh(2 * r[i]), accuracy: 1e-14, file: file, line: line)
        }
    }

    /// The project's files exist and name neither this checkout nor this machine's losshost.
    private func assertNamesNoPathOfThisMachine(_ folder: URL, _ files: [String], line: UInt = #line) throws {
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            XCTAssertFalse(text.contains(CLI.packageRoot.path), "\(file) names the checkout", line: line)
            XCTAssertFalse(text.contains(CLI.productsFolder.path), "\(file) names the build", line: line)
        }
    }

    func testCProjectBuildsWithMakeAndPassesCheck() throws {
        let folder = CLI.folder("new-c").appendingPathComponent("team_c")
        let made = try CLI.run(["new", "team_c", "--output", folder.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(made.stdout.hasPrefix("wrote \(folder.path): plugin 'team_c' in C"), made.stdout)
        try assertNamesNoPathOfThisMachine(folder, ["team_c.c", "Makefile", "README.md"])
        // Without the Python package or LOSSHOST_INCLUDE, make says where the header comes from.
        let headerless = try tool(["make", "PYTHON=false"], in: folder)
        XCTAssertNotEqual(headerless.status, 0)
        XCTAssertTrue(headerless.stdout.contains("losshost.h not found: pip install losshost, or make LOSSHOST_INCLUDE=DIR"),
                      headerless.stdout)
        let include = "LOSSHOST_INCLUDE=" + CLI.packageRoot.appendingPathComponent("include").path
        let build = try tool(["make", include], in: folder)
        XCTAssertEqual(build.status, 0, build.stdout)
        XCTAssertFalse(build.stdout.contains("warning"), build.stdout)
        let check = try tool(["make", "check", include, "LOSSHOST=" + CLI.executable], in: folder)
        XCTAssertEqual(check.status, 0, check.stdout)
        XCTAssertTrue(check.stdout.contains(" 0 failed"), check.stdout)
        XCTAssertTrue(check.stdout.contains("logcosh.gradient     PASS"), check.stdout)
        XCTAssertTrue(check.stdout.contains("plugin 'team_c' 0.1.0: 1 loss, 1 param, ids unique"), check.stdout)
        try assertExampleLoss("team_c", pluginDir: folder.path)
    }

    /// The Swift project is a package outside this one, on LossKit as a local path
    /// dependency: built from a temporary folder, its plugin loads and passes check.
    func testSwiftProjectBuildsOutsideThePackageAndPassesCheck() throws {
        let folder = CLI.folder("new-swift").appendingPathComponent("team_swift")
        let made = try CLI.run(["new", "team_swift", "--lang", "swift", "--output", folder.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        // `import LossKit` is the only import the sources need.
        for file in ["LogCosh.swift", "Plugin.swift"] {
            let text = try String(contentsOf: folder.appendingPathComponent("Sources/team_swift/\(file)"), encoding: .utf8)
            XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix("import ") }, ["import LossKit"], file)
        }
        try assertNamesNoPathOfThisMachine(folder, ["Package.swift", "Sources/team_swift/Plugin.swift", "README.md"])
        let build = try tool(["LOSSHOST_PACKAGE=" + CLI.packageRoot.path, "swift", "build", "--package-path", folder.path,
                              "--scratch-path", folder.appendingPathComponent(".build").path], in: folder)
        XCTAssertEqual(build.status, 0, build.stdout)
        let library = folder.appendingPathComponent(".build/debug/libteam_swift.so")
        XCTAssertEqual(try ExportedSymbols.of(library.path), ["losshost_plugin_entry"])
        let check = try CLI.run(["check", library.path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains(" 0 failed, 0 skipped"), check.stdout)
        let plugins = CLI.folder("new-swift-plugins")
        try FileManager.default.copyItem(at: library, to: plugins.appendingPathComponent("libteam_swift.so"))
        try assertExampleLoss("team_swift", pluginDir: plugins.path)
    }

    func testNameAndOptionsAreValidated() throws {
        let bad = try CLI.run(["new", "Team-Losses", "--output", CLI.folder("new-bad").appendingPathComponent("x").path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "losshost: error: 'Team-Losses' is not a plugin id: use a lowercase letter, then lowercase letters, digits or _ (at most 63 bytes), e.g. my_losses\n")
        let long = try CLI.run(["new", String(repeating: "a", count: 64)])
        XCTAssertEqual(long.status, 1)
        XCTAssertTrue(long.stderr.contains("is not a plugin id"), long.stderr)
        let std = try CLI.run(["new", "std"])
        XCTAssertEqual(std.stderr, "losshost: error: 'std' is taken by losshost itself; pick another plugin id\n")
        let lang = try CLI.run(["new", "ok", "--lang", "rust"])
        XCTAssertEqual(lang.stderr, "losshost: error: unknown --lang 'rust' (expected c or swift)\n")
        let full = CLI.folder("new-full")
        _ = CLI.file("new-full/keep.txt", "mine\n")
        let taken = try CLI.run(["new", "ok", "--output", full.path])
        XCTAssertEqual(taken.status, 1)
        XCTAssertEqual(taken.stderr, "losshost: error: \(full.path): is not empty; pick a new folder with --output\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: full.appendingPathComponent("Makefile").path))
        for run in [bad, long, std, lang, taken] { XCTAssertEqual(run.stderr.split(separator: "\n").count, 1) }
    }
}
