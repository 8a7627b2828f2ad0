import Foundation
import XCTest

/// `losshost demo` prints the three lessons with numbers.
final class DemoCLITests: XCTestCase {
    func testDemoPrintsTheThreeLessons() throws {
        let run = try CLI.run(["demo"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let out = run.stdout
        for heading in ["1. OUTLIERS", "2. IMBALANCE", "3. A PLUGIN LOSS"] {
            XCTAssertTrue(out.contains(heading), "missing \(heading):\n\(out)")
        }
        for row in ["std/mse", "std/huber (delta=1)", "std/mae", "bce_with_logits (pos_weight=99)",
                    "csample/cost_sensitive_logistic"] {
            XCTAssertTrue(out.contains(row), "missing \(row):\n\(out)")
        }
    }

    func testDemoFindsItsDataFromAnyDirectoryOrWithDataDir() throws {
        let elsewhere = CLI.folder("demo-cwd")
        let run = try CLI.run(["demo"], directory: elsewhere)
        XCTAssertEqual(run.status, 0, run.stderr)
        let missing = try CLI.run(["demo", "--data-dir", elsewhere.path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("regression_train.csv"), missing.stderr)
    }

    func testDemoJSONHasEveryLessonsNumbers() throws {
        let run = try CLI.run(["demo", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(try CLI.json(run.stdout) as? [String: Any])
        let lessons = try XCTUnwrap(json["lessons"] as? [[String: Any]])
        XCTAssertEqual(lessons.map { $0["lesson"] as? String }, ["outliers", "imbalance", "plugin_loss"])
        let fits = try XCTUnwrap(lessons[0]["fits"] as? [[String: Any]])
        XCTAssertEqual(fits.map { $0["loss"] as? String }, ["std/mse", "std/huber", "std/mae", "csample/cauchy"])
        // The robust fits beat mse on the clean test set, as the text says.
        let mae = fits.map { $0["test_mae"] as? Double ?? .nan }
        XCTAssertLessThan(mae[1], mae[0])
        XCTAssertLessThan(mae[2], mae[0])
        let gap = try XCTUnwrap(lessons[2]["largest_coefficient_difference"] as? Double)
        XCTAssertLessThan(gap, 1e-6)
        XCTAssertEqual((json["try"] as? [String])?.count, 4)
    }

    /// The "Try it yourself" lines run as printed (with losshost on PATH), in a fresh folder.
    func testDemoTryItYourselfLinesWorkAsPrinted() throws {
        let run = try CLI.run(["demo"])
        let lines = run.stdout.components(separatedBy: "Try it yourself:\n").last?
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("losshost ") } ?? []
        XCTAssertEqual(lines.count, 4, run.stdout)
        let folder = CLI.folder("demo-try")
        for line in lines {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", line]
            process.currentDirectoryURL = folder
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = CLI.productsFolder.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            env["XDG_DATA_HOME"] = CLI.scratch.appendingPathComponent("xdg-empty").path
            process.environment = env
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(line): \(message)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("regression.svg").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("pred.csv").path))
    }

    /// Without the bundled plugins (the executable alone in another folder) the
    /// lessons describe only the rows they show.
    func testDemoWithoutThePluginDoesNotDescribeIt() throws {
        let alone = CLI.folder("demo-alone")
        let copy = alone.appendingPathComponent("losshost")
        try FileManager.default.copyItem(atPath: CLI.executable, toPath: copy.path)
        let process = Process()
        process.executableURL = copy
        process.arguments = ["demo", "--data-dir", CLI.packageRoot.appendingPathComponent("data").path]
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = CLI.scratch.appendingPathComponent("xdg-empty").path
        env["LOSSHOST_PLUGIN_PATH"] = nil
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(text.contains("3. A PLUGIN LOSS: skipped (the csample plugin is not installed next to losshost)"), text)
        XCTAssertFalse(text.contains("cauchy"), text)
        XCTAssertFalse(text.contains("fn_cost"), text)
        XCTAssertFalse(text.contains("csample/"), text)
        XCTAssertTrue(text.contains("pos_weight and focal's alpha put a price"), text)
    }
}
