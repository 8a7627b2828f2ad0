import Foundation
import XCTest

/// `eval`, `info`, `compare`, `fit` and `plot` dlopen in their own process only
/// the plugin file that serves the loss they were asked for; the others are
/// known from their cached scan. `Tests/Fixtures/lazy/marker.c` records each
/// process that loads it and crashes on load when LOSSHOST_TEST_CRASH is set.
final class LazyLoadingTests: XCTestCase {
    static let sources = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/lazy")

    /// A folder with the hostile `good` plugin (good/sq) and the marker plugin (marker/sq, marker/msq).
    static func folder(_ label: String) throws -> URL {
        let dir = CLI.folder(label)
        try CLI.compile([sources.appendingPathComponent("marker.c").path], to: dir.appendingPathComponent("libmarker.so").path,
                        extraFlags: ["-I", Hostile.sources.path])
        try FileManager.default.copyItem(atPath: Hostile.path("good"), toPath: dir.appendingPathComponent("libgood.so").path)
        return dir
    }

    static let pred = CLI.file("lazy/pred.csv", "1\n2\n3\n")
    static let target = CLI.file("lazy/target.csv", "1\n2\n5\n")

    func eval(_ loss: String, _ dir: URL, _ environment: [String: String], _ extra: [String] = []) throws -> CLI.Run {
        try CLI.run(["eval", loss, "--pred", Self.pred, "--target", Self.target, "--reduction", "sum",
                     "--plugin-dir", dir.path] + extra, environment: environment)
    }

    /// The pids the marker plugin recorded (empty when it was never loaded).
    func loads(_ marker: String) -> [String] {
        ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func testEvalOfAnotherPluginsLossNeverLoadsTheMarkerPlugin() throws {
        let dir = try Self.folder("lazy-eval")
        let cache = CLI.folder("lazy-eval-cache").path
        let markers = CLI.folder("lazy-eval-markers")
        // list scans (in a worker) and shows what the scan found: no plugin code runs in list itself.
        let listMarker = markers.appendingPathComponent("list").path
        let list = try CLI.run(["list", "--plugin-dir", dir.path], environment: ["XDG_CACHE_HOME": cache, "LOSSHOST_TEST_MARKER": listMarker])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("marker/msq") && list.stdout.contains("good/sq"), list.stdout)
        XCTAssertEqual(loads(listMarker).count, 1, "only the scan worker loads it")
        let written = try String(contentsOfFile: cache + "/losshost/scan-cache.json", encoding: .utf8)
        XCTAssertTrue(written.contains("\"metadata\""), written)

        // With the scan cached, eval of good/sq must not dlopen libmarker.so: it would crash.
        let marker = markers.appendingPathComponent("eval").path
        let hostile = ["XDG_CACHE_HOME": cache, "LOSSHOST_TEST_MARKER": marker, "LOSSHOST_TEST_CRASH": "1"]
        for loss in ["good/sq", "mse", "std/mse"] {
            let run = try eval(loss, dir, hostile)
            XCTAssertEqual(run.status, 0, "\(loss): \(run.stderr)")
            XCTAssertTrue(run.stdout.contains("4"), "\(loss): \(run.stdout)")
        }
        let info = try CLI.run(["info", "good/sq", "--plugin-dir", dir.path], environment: hostile)
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("good 1.0.0 (\(dir.path)/libgood.so"), info.stdout)
        XCTAssertEqual(loads(marker), [], "a command that does not use the marker plugin loaded it")

        // Ambiguity and unknown ids are decided from the cached ids, still without loading it.
        let ambiguous = try eval("sq", dir, hostile)
        XCTAssertNotEqual(ambiguous.status, 0)
        XCTAssertTrue(ambiguous.stderr.contains("ambiguous loss 'sq': good/sq, marker/sq; name one with its plugin"), ambiguous.stderr)
        let unknown = try eval("msqq", dir, hostile)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("unknown loss 'msqq'; did you mean "), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("msq"), unknown.stderr)
        let unknownQualified = try eval("good/msq", dir, hostile)
        XCTAssertTrue(unknownQualified.stderr.contains("unknown loss 'good/msq'; did you mean "), unknownQualified.stderr)
        XCTAssertEqual(loads(marker), [], "resolving ids loaded the marker plugin")

        // Asking for its loss loads it, once, in the eval process (the scan is cached: no worker).
        let own = try eval("msq", dir, ["XDG_CACHE_HOME": cache, "LOSSHOST_TEST_MARKER": marker])
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertTrue(own.stdout.contains("4"), own.stdout)
        XCTAssertEqual(loads(marker).count, 1, "eval of marker/msq should load it exactly once")
    }

    func testFirstEvalScansInAWorkerAndLoadsOnlyTheLossesPlugin() throws {
        let dir = try Self.folder("lazy-first")
        let cache = CLI.folder("lazy-first-cache").path
        let marker = CLI.folder("lazy-first-markers").appendingPathComponent("eval").path
        let run = try eval("good/sq", dir, ["XDG_CACHE_HOME": cache, "LOSSHOST_TEST_MARKER": marker])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(loads(marker).count, 1, "only the scan worker may load the marker plugin")
        // The same eval again: cached, so nothing loads it at all.
        let again = try eval("good/sq", dir, ["XDG_CACHE_HOME": cache, "LOSSHOST_TEST_MARKER": marker])
        XCTAssertEqual(again.stdout, run.stdout)
        XCTAssertEqual(loads(marker).count, 1)
    }

    func testTheFirstPluginWithAnIdWinsAndOnlyItIsLoaded() throws {
        let first = try Self.folder("lazy-dup-a")
        let second = CLI.folder("lazy-dup-b")
        try FileManager.default.copyItem(atPath: first.appendingPathComponent("libmarker.so").path,
                                         toPath: second.appendingPathComponent("libmarker2.so").path)
        let cache = CLI.folder("lazy-dup-cache").path
        let marker = CLI.folder("lazy-dup-markers").appendingPathComponent("eval").path
        let environment = ["XDG_CACHE_HOME": cache]
        let list = try CLI.run(["list", "--plugin-dir", first.path, "--plugin-dir", second.path], environment: environment)
        XCTAssertTrue(list.stdout.contains("\(second.path)/libmarker2.so: plugin id 'marker' is already provided by \(first.path)/libmarker.so"),
                      list.stdout)
        let run = try eval("marker/msq", first, ["XDG_CACHE_HOME": cache, "LOSSHOST_TEST_MARKER": marker],
                           ["--plugin-dir", second.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(loads(marker).count, 1, "only the first marker plugin is loaded")
        let info = try CLI.run(["info", "marker/msq", "--plugin-dir", first.path, "--plugin-dir", second.path, "--format", "json"],
                               environment: environment)
        XCTAssertTrue(info.stdout.contains("\(first.path)/libmarker.so"), info.stdout)
    }
}
