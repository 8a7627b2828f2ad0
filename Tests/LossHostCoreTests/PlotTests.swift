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
}
