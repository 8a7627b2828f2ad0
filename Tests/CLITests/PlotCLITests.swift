import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `losshost plot` writes an SVG that parses, with one path per curve.
final class PlotCLITests: XCTestCase {
    final class Counter: NSObject, XMLParserDelegate {
        var paths = 0
        var texts: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "path" { paths += 1 }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
    }

    func parse(_ path: String) throws -> Counter {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let parser = XMLParser(data: data)
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        return counter
    }

    func testSVGHasOnePathPerCurveAndALegend() throws {
        let out = CLI.scratch.appendingPathComponent("plot/regression.svg").path
        try? FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let run = try CLI.run(["plot", "mse", "mae", "huber:delta=1", "csample/cauchy", "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        let svg = try parse(out)
        XCTAssertEqual(svg.paths, 8)   // 4 losses × (value, gradient)
        let text = svg.texts.joined(separator: "\n")
        for label in ["std/mse", "std/huber (delta=1)", "csample/cauchy (c=1) gradient", "residual (pred - target)"] {
            XCTAssertTrue(text.contains(label), "missing \(label)")
        }
    }

    func testClassificationPlotAndJSON() throws {
        let run = try CLI.run(["plot", "bce_with_logits", "hinge", "--range", "-2:2", "--points", "5", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let curves = try XCTUnwrap(CLI.json(run.stdout) as? [[String: Any]])
        XCTAssertEqual(curves.count, 2)
        XCTAssertEqual(curves[1]["x"] as? [Double], [-2, -1, 0, 1, 2])
        XCTAssertEqual(curves[1]["value"] as? [Double], [3, 2, 1, 0, 0])     // max(0, 1 - x), target 1
        XCTAssertEqual(curves[1]["gradient"] as? [Double], [-1, -1, -1, 0, 0])
    }

    func testASCIIChartAndBadRange() throws {
        let run = try CLI.run(["plot", "mse", "mae", "--ascii"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("* std/mse"), run.stdout)
        XCTAssertTrue(run.stdout.contains("o std/mae"), run.stdout)
        let bad = try CLI.run(["plot", "mse", "--range", "3:1"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("--range '3:1'"), bad.stderr)
    }

    /// Parameters the user did not give are named with their defaults; jumps are listed.
    func testLegendShowsDefaultParametersAndJSONListsJumps() throws {
        let run = try CLI.run(["plot", "huber", "focal", "mae", "--range", "-2:2", "--points", "5", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let curves = try XCTUnwrap(CLI.json(run.stdout) as? [[String: Any]])
        XCTAssertEqual(curves.map { $0["loss"] as? String }, ["std/huber (delta=1)", "std/focal (alpha=0.25, gamma=2)", "std/mae"])
        XCTAssertEqual(curves[2]["gradient_jumps"] as? [[Double]], [[-1, 0], [0, 1]])
        XCTAssertEqual(curves[0]["gradient_jumps"] as? [[Double]], [])
        let out = CLI.folder("plot-log").appendingPathComponent("log.svg").path
        let log = try CLI.run(["plot", "mse", "mae", "--range", "-20:20", "--log-y", "--out", out])
        XCTAssertEqual(log.status, 0, log.stderr)
        XCTAssertTrue(try parse(out).texts.contains("loss value (log scale)"))
    }
}
