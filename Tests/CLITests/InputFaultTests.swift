import Foundation
import XCTest

/// Bad input files and faults around them (devices, ragged rows, zero weights,
/// interrupted outputs): each case's exact one-line error and exit status, and
/// outputs that are all or nothing.
final class InputFaultTests: XCTestCase {
    static let pred = CLI.file("input-faults/p.csv", "1\n2\n3\n")
    static let target = CLI.file("input-faults/y.csv", "0.5\n2\n2.1\n")

    private func assertError(_ arguments: [String], _ message: String, input: String? = nil,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try CLI.run(arguments, input: input)
        XCTAssertEqual(run.status, 1, run.stderr, file: file, line: line)
        XCTAssertEqual(run.stderr, "losshost: error: \(message)\n", file: file, line: line)
        XCTAssertEqual(run.stdout, "", file: file, line: line)
    }

    // MARK: 8. Unbounded reads

    func testARaggedFileWhoseFirstRowIsHugeFailsOnItsSecondRowWithoutReserving() throws {
        let ragged = CLI.file("input-faults/ragged.csv", Array(repeating: "1", count: 100_000).joined(separator: ",") + "\n"
                                  + String(repeating: "1\n", count: 200_000))
        try assertError(["eval", "mse", "--pred", ragged, "--target", Self.target], "\(ragged): row 2 has 1 column, expected 100000")
    }

    func testDevicesAreRefusedForEveryInput() throws {
        let refused = "is a character device, not a file or a pipe (it may never end); refusing to read it"
        try assertError(["eval", "mse", "--pred", "/dev/zero", "--target", Self.target], "/dev/zero: \(refused)")
        try assertError(["eval", "mse", "--pred", Self.pred, "--target", "/dev/urandom"], "/dev/urandom: \(refused)")
        try assertError(["eval", "mse", "--pred", Self.pred, "--target", Self.target, "--weight", "/dev/zero"], "/dev/zero: \(refused)")
        try assertError(["fit", "--data", "/dev/zero", "--loss", "mse"], "/dev/zero: \(refused)")
    }

    // MARK: 9. Undefined means

    func testZeroWeightsMakeTheMeanAnErrorNotNaN() throws {
        let zeros = CLI.file("input-faults/w0.csv", "0\n0\n0\n")
        try assertError(["eval", "mse", "--pred", Self.pred, "--target", Self.target, "--weight", zeros],
                        "\(zeros): the weights sum to 0; mean is undefined (use --reduction sum)")
        try assertError(["compare", "mse", "mae", "--pred", Self.pred, "--target", Self.target, "--weight", zeros],
                        "std/mse: the weights sum to 0; mean is undefined")  // compare has no --reduction to suggest
        let sum = try CLI.run(["eval", "mse", "--pred", Self.pred, "--target", Self.target, "--weight", zeros, "--reduction", "sum", "--format", "json"])
        XCTAssertEqual(sum.status, 0, sum.stderr)
        XCTAssertTrue(sum.stdout.contains("\"value\": 0"), sum.stdout)
    }

    /// A plugin folder the user named must exist; default folders that do not are only listed.
    func testANamedPluginFolderThatDoesNotExistIsAnError() throws {
        let scratch = CLI.folder("input-faults-folders")
        let missing = scratch.appendingPathComponent("no-such-plugins").path
        let run = try CLI.run(["list", "--plugin-dir", missing])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.stderr, "losshost: error: --plugin-dir \(missing): no such folder\n")
        XCTAssertEqual(run.stdout, "")
        let file = CLI.file("input-faults-folders/plugins.txt", "not a folder\n")
        XCTAssertEqual(try CLI.run(["eval", "mse", "--pred", Self.pred, "--target", Self.target, "--plugin-dir", file]).stderr,
                       "losshost: error: --plugin-dir \(file): not a folder\n")
        let defaults = try CLI.run(["list"], environment: ["XDG_DATA_HOME": missing])
        XCTAssertEqual(defaults.status, 0, defaults.stderr)
        XCTAssertTrue(defaults.stdout.contains("\(missing)/losshost/plugins (not found)\n"), defaults.stdout)
    }

    func testAllZeroClassWeightsMakeTheMeanAnError() throws {
        let logits = CLI.file("input-faults/logits.csv", "1,2,0\n0,1,3\n")
        let labels = CLI.file("input-faults/labels.csv", "0\n2\n")
        try assertError(["eval", "cross_entropy", "--pred", logits, "--target", labels, "--param", "weight=0,0,0"],
                        "the normalizer is 0 (every row's weight, class weights included, is 0); mean is undefined (use --reduction sum)")
    }

    func testPlotRefusesANaNTargetAndARangeThatOverflows() throws {
        try assertError(["plot", "mse", "--target", "nan"], "--target nan must be a finite number")
        try assertError(["plot", "mse", "--range", "-1e308:1e308"], "--range '-1e308:1e308' is too wide: B - A overflows a float64")
    }

    // MARK: 10. All-or-nothing outputs

    func testOutIsRefusedWithNothingToWriteOrNoFileName() throws {
        let base = ["eval", "mse", "--pred", Self.pred, "--target", Self.target]
        try assertError(base + ["--out", CLI.scratch.path + "/x.npy"], "--out \(CLI.scratch.path)/x.npy: nothing to write (add --grad or --hessian, or use --reduction none)")
        try assertError(base + ["--grad", "--out", ""], "--out '': give a file name such as out.npy")
        let folder = CLI.folder("input-faults-out-folder").path
        try assertError(base + ["--grad", "--out", folder + "/"], "--out \(folder)/: is a folder; give a file name such as \(folder)/out.npy")
        try assertError(base + ["--grad", "--out", folder], "--out \(folder): is a folder; give a file name such as \(folder)/out.npy")
    }

    func testAFailureOnTheSecondFileChangesNoDestination() throws {
        let folder = CLI.folder("input-faults-out-atomic")
        let out = folder.appendingPathComponent("run.npy").path
        let gradient = folder.appendingPathComponent("run-gradient.npy").path
        try Data("old gradient".utf8).write(to: URL(fileURLWithPath: gradient))
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("run-hessian.npy").path, withIntermediateDirectories: true)
        let run = try CLI.run(["eval", "mse", "--pred", Self.pred, "--target", Self.target, "--grad", "--hessian", "--out", out])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "losshost: error: \(folder.path)/run-hessian.npy: cannot write (a folder is in the way)\n")
        XCTAssertEqual(try String(contentsOfFile: gradient, encoding: .utf8), "old gradient")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["run-gradient.npy", "run-hessian.npy"])
    }

    func testTemporariesADeadRunLeftAreRemovedByTheNextRun() throws {
        let folder = CLI.folder("input-faults-out-stale")
        let stale = folder.appendingPathComponent(".run-gradient.npy.losshost-tmp-999999999-42").path
        try Data("half".utf8).write(to: URL(fileURLWithPath: stale))
        let run = try CLI.run(["eval", "mse", "--pred", Self.pred, "--target", Self.target, "--grad",
                               "--out", folder.appendingPathComponent("run.npy").path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["run-gradient.npy"])
    }

    // MARK: 11. Signals

    func testEvalIntoHeadExitsQuietlyAndLeavesNoUnfinishedMark() throws {
        let dir = Hostile.folder(with: ["good"], "input-faults-head")
        let cache = CLI.folder("input-faults-head-cache").path
        let many = CLI.file("input-faults/many.csv", String(repeating: "1\n", count: 50_000))
        let command = "'\(CLI.executable)' eval good/sq --pred '\(many)' --target '\(many)' --reduction none --format json --plugin-dir '\(dir.path)' | head -c 10; echo \" status=${PIPESTATUS[0]}\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CACHE_HOME": cache]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertTrue(text.hasSuffix(" status=0\n"), text)
        XCTAssertEqual(errors, "")
        let cached = try String(contentsOfFile: cache + "/losshost/scan-cache.json", encoding: .utf8)
        XCTAssertFalse(cached.contains("did not finish"), cached)
        let next = try CLI.run(["eval", "good/sq", "--pred", Self.pred, "--target", Self.target, "--plugin-dir", dir.path],
                               environment: ["XDG_CACHE_HOME": cache])
        XCTAssertEqual(next.stderr, "", "the next run is not isolated")
    }

    // MARK: 12. Clear input errors

    func testStandardInputForTwoInputsIsRefused() throws {
        try assertError(["eval", "mse", "--pred", "-", "--target", "-"],
                        "--pred and --target are both -: standard input can be read only once; save all but one to a file", input: "1\n")
    }

    func testCROnlyLineEndsAreNamed() throws {
        let cr = CLI.file("input-faults/cr.csv", "1\r2\r3\r")
        try assertError(["eval", "mse", "--pred", cr, "--target", Self.target], "\(cr): its lines end in CR only (old Mac style); convert them to LF or CR LF")
    }

    func testAFileWhoseOnlyRowDoesNotParseNamesRowAndColumn() throws {
        let one = CLI.file("input-faults/one.csv", "0.5x\n")
        try assertError(["eval", "mse", "--pred", one, "--target", Self.target],
                        "\(one): row 1, column 1: '0.5x' is not a number (the file's only row, so it is data, not a header)")
    }

    func testFitErrorsNameTheFileAndCountAHeaderAsALine() throws {
        let train = CLI.file("input-faults/train.csv", "x,y\n0.1,0\n0.2,1\n0.3,2\n")
        try assertError(["fit", "--data", train, "--loss", "bce_with_logits"],
                        "\(train): row 4: label 2 is not 0 or 1 (a logistic model needs binary labels)")
        let soft = CLI.file("input-faults/soft.csv", "x,y\n0.1,0\n0.2,1.5\n")
        try assertError(["fit", "--data", soft, "--loss", "cross_entropy"],
                        "\(soft): row 3: label 1.5 is not a class index 0, 1, 2, ...")
    }

    func testFitTestLabelsTheModelCannotHaveAreRefused() throws {
        let train = CLI.file("input-faults/bin-train.csv", "x,y\n0.1,0\n0.2,1\n0.3,0\n0.9,1\n")
        let test = CLI.file("input-faults/bin-test.csv", "x,y\n0.1,0\n0.2,2\n")
        try assertError(["fit", "--data", train, "--test", test, "--loss", "bce_with_logits"],
                        "\(test): row 3: label 2 is not 0 or 1 (a logistic model needs binary labels)")
        let classes = CLI.file("input-faults/three.csv", "x,y\n0.1,0\n0.2,1\n0.3,2\n")
        let bad = CLI.file("input-faults/three-test.csv", "x,y\n0.1,2.5\n")
        try assertError(["fit", "--data", classes, "--test", bad, "--loss", "cross_entropy"],
                        "\(bad): row 2: label 2.5 is not a class index 0, 1, 2, ...")
    }
}
