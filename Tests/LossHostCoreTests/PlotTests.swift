import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

/// The plot data come from the losses, and the SVG parses with one path per curve.
final class PlotTests: XCTestCase {
    func instance(_ id: String, _ params: [String] = []) throws -> LossInstance {
        var r = LossRegistry()
        r.addBuiltIns()
        let found = try r.resolve(id)
        return try LossInstance(found, parameters: BoundParameters.bind(params, to: found.info))
    }

    /// Counts elements by name, and collects text.
    final class Counter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string + "\n" }
    }

    static func parse(_ svg: String) -> Counter? {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = Counter()
        parser.delegate = counter
        return parser.parse() ? counter : nil
    }

    func testCurvesAreTheLossesValuesAndGradients() throws {
        let huber = try LossCurves.sample(try instance("huber", ["delta=1"]), label: "huber", range: -3...3, target: 0, points: 7)
        XCTAssertEqual(huber.x, [-3, -2, -1, 0, 1, 2, 3])
        XCTAssertEqual(huber.value, [2.5, 1.5, 0.5, 0, 0.5, 1.5, 2.5])
        XCTAssertEqual(huber.gradient, [-1, -1, -1, 0, 1, 1, 1])
        let mse = try LossCurves.sample(try instance("mse"), label: "mse", range: nil, target: 2, points: 3)
        XCTAssertEqual(mse.x, [-3, 0, 3])
        XCTAssertEqual(mse.value, [9, 0, 9])
        XCTAssertEqual(mse.gradient, [-6, 0, 6])
    }

    func testBinaryAndMulticlassAxes() throws {
        let bce = try LossCurves.sample(try instance("bce_with_logits"), label: "bce", range: -1...1, target: nil, points: 3)
        XCTAssertEqual(bce.axis, .logit)
        XCTAssertEqual(bce.value[1], log(2), accuracy: 1e-15)
        XCTAssertEqual(bce.gradient[1], -0.5, accuracy: 1e-15)
        // bce takes a probability: at logit 0 the chain rule gives the same gradient as the logit loss.
        let prob = try LossCurves.sample(try instance("bce"), label: "bce", range: -1...1, target: nil, points: 3)
        XCTAssertEqual(prob.value[1], log(2), accuracy: 1e-15)
        XCTAssertEqual(prob.gradient[1], -0.5, accuracy: 1e-15)
        let ce = try LossCurves.sample(try instance("cross_entropy"), label: "ce", range: 0...1, target: nil, points: 2)
        XCTAssertEqual(ce.axis, .trueClassLogit)
        XCTAssertEqual(ce.value[0], log(3), accuracy: 1e-14)          // logits 0, 0, 0
        XCTAssertEqual(ce.gradient[0], 1.0 / 3 - 1, accuracy: 1e-14)
        // A loss whose target is a distribution gets all the mass on the true class.
        let kl = try LossCurves.sample(try instance("kl_div"), label: "kl", range: 0...1, target: nil, points: 2)
        XCTAssertTrue(kl.value.allSatisfy(\.isFinite))
    }

    func testSVGParsesWithOnePathPerCurve() throws {
        let samples = try ["mse", "mae", "huber"].map { id in
            try LossCurves.sample(try instance(id), label: id, range: nil, target: nil)
        }
        let svg = SVGWriter.svg(LossCurves.figure(samples, target: nil))
        let counter = try XCTUnwrap(Self.parse(svg), "the SVG is not well-formed XML")
        XCTAssertEqual(counter.counts["svg"], 1)
        XCTAssertEqual(counter.counts["path"], 6)
        for word in ["mse", "mae gradient", "huber", "residual (pred - target)", "loss value"] {
            XCTAssertTrue(counter.text.contains(word), "missing '\(word)'")
        }
    }

    func testGapsForPointsOutsideTheDomain() throws {
        // poisson_nll with log_input = 0 refuses a negative rate: those points are left out.
        let s = try LossCurves.sample(try instance("poisson_nll", ["log_input=0"]), label: "p", range: -1...1, target: 0.5, points: 5)
        XCTAssertTrue(s.value[0].isNaN)
        XCTAssertTrue(s.value[4].isFinite)
        let svg = SVGWriter.svg(LossCurves.figure([s], target: 0.5))
        XCTAssertEqual(Self.parse(svg)?.counts["path"], 2)
    }

    func testTicksAreRound() {
        XCTAssertEqual(Figure.ticks(-3...3), [-3, -2, -1, 0, 1, 2, 3])
        XCTAssertEqual(Figure.ticks(0...10), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(Figure.label(0.25), "0.25")
        XCTAssertEqual(Figure.label(-2), "-2")
    }

    func testASCIIChartHasAMarkPerLoss() throws {
        let samples = try ["mse", "mae"].map { try LossCurves.sample(try instance($0), label: $0, range: nil, target: nil) }
        let text = ASCIIChart.render(LossCurves.figure(samples, target: nil))
        XCTAssertTrue(text.contains("* mse"))
        XCTAssertTrue(text.contains("o mae"))
        XCTAssertTrue(text.contains("loss value"))
    }

    /// A jump survives bisection; a steep but continuous step does not.
    func testJumpsAreFoundByBisection() {
        let xs = (0...10).map { -1 + 0.2 * Double($0) }      // 0 is sampled exactly
        let sign: (Double) -> Double = { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 }
        XCTAssertEqual(LossCurves.jumps(xs, xs.map(sign), at: sign), [4, 5])   // -1 → 0 → 1 at x = 0
        let shifted = xs.map { $0 + 0.1 }
        XCTAssertEqual(LossCurves.jumps(shifted, shifted.map(sign), at: sign), [4])
        let steep: (Double) -> Double = { tanh(50 * $0) }
        XCTAssertEqual(LossCurves.jumps(shifted, shifted.map(steep), at: steep), [])
        let flat: (Double) -> Double = { _ in 2 }
        XCTAssertEqual(LossCurves.jumps(xs, xs.map(flat), at: flat), [])
    }

    func testMAEGradientIsDrawnWithGapsAtItsJump() throws {
        let mae = try LossCurves.sample(try instance("mae"), label: "mae", range: -3...3, target: nil, points: 241)
        XCTAssertEqual(mae.gradientJumps, [119, 120])   // x[120] = 0, where the gradient is 0
        XCTAssertEqual(mae.valueJumps, [])
        let huber = try LossCurves.sample(try instance("huber"), label: "huber", range: -3...3, target: nil, points: 241)
        XCTAssertEqual(huber.gradientJumps, [])
        let svg = SVGWriter.svg(LossCurves.figure([mae], target: nil))
        let gradientPath = try XCTUnwrap(svg.split(separator: "\n").first { $0.contains("<title>mae gradient</title>") })
        XCTAssertEqual(gradientPath.components(separatedBy: " M").count - 1, 2, "two pen lifts: before and after x = 0")
        let valuePath = try XCTUnwrap(svg.split(separator: "\n").first { $0.contains("<title>mae</title>") })
        XCTAssertFalse(valuePath.contains(" M"))
    }

    func testLogYPlotsDecadesAndLeavesOutZero() throws {
        let samples = try ["mse", "mae"].map { try LossCurves.sample(try instance($0), label: $0, range: -20...20, target: nil, points: 81) }
        let figure = LossCurves.figure(samples, target: nil, logY: true)
        let panel = figure.panels[0]
        XCTAssertTrue(panel.logY)
        XCTAssertFalse(figure.panels[1].logY, "gradients stay linear")
        XCTAssertEqual(panel.plotted(100), 2, accuracy: 1e-15)
        XCTAssertTrue(panel.plotted(0).isNaN)
        // mse reaches 400 and mae's smallest sampled value is 0.5: the axis spans those decades.
        XCTAssertEqual(panel.bounds.y.upperBound, log10(400), accuracy: 1e-12)
        XCTAssertEqual(panel.bounds.y.lowerBound, log10(0.25), accuracy: 1e-12)
        XCTAssertEqual(panel.yTicks(panel.bounds.y).map(panel.tickLabel), ["1", "10", "100"])
        let svg = SVGWriter.svg(figure)
        XCTAssertNotNil(Self.parse(svg))
        XCTAssertTrue(svg.contains("loss value (log scale)"))
    }

    /// The legend sits right of the panels, level with the first one.
    func testLegendIsBesideThePanels() throws {
        let samples = try ["mse", "mae"].map { try LossCurves.sample(try instance($0), label: $0, range: nil, target: nil) }
        let svg = SVGWriter.svg(LossCurves.figure(samples, target: nil), width: 820, panelHeight: 300)
        let legend = try XCTUnwrap(svg.components(separatedBy: "<g class=\"legend\">").last)
        let xs = legend.split(separator: "\n").compactMap { line -> Double? in
            guard let r = line.range(of: "x1=\"") ?? line.range(of: "x=\"") else { return nil }
            return Double(line[r.upperBound...].prefix { $0 != "\"" })
        }
        XCTAssertFalse(xs.isEmpty)
        XCTAssertTrue(xs.allSatisfy { $0 > 820 - 24 }, "\(xs)")                  // right of the panels' frame
        let ys = legend.split(separator: "\n").compactMap { line -> Double? in
            guard let r = line.range(of: "y1=\"") else { return nil }
            return Double(line[r.upperBound...].prefix { $0 != "\"" })
        }
        XCTAssertTrue(ys.allSatisfy { $0 > 62 && $0 < 62 + 300 }, "\(ys)")     // level with the first panel
    }
}
