import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

/// Metrics on small cases worked out by hand.
final class MetricsTests: XCTestCase {
    func testRegressionMetrics() {
        let m = Metrics.regression(pred: [1, 2, 3, 5], target: [1, 3, 3, 3])
        XCTAssertEqual(m.mae, 0.75, accuracy: 1e-15)          // (0 + 1 + 0 + 2) / 4
        XCTAssertEqual(m.rmse, (5.0 / 4).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(m.r2, 1 - 5 / 3, accuracy: 1e-15)      // SS_tot = 2.25+0.25+0.25+0.25 = 3
    }

    func testBinaryMetricsAndConfusionMatrix() {
        let p: [Double] = [0.9, 0.8, 0.3, 0.6, 0.2, 0.1]
        let y: [Double] = [1, 1, 1, 0, 0, 0]
        let m = Metrics.binary(probability: p, label: y)
        XCTAssertEqual(m.confusion, [[2, 1], [1, 2]])
        XCTAssertEqual(m.accuracy, 4.0 / 6, accuracy: 1e-15)
        XCTAssertEqual(m.precision, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(m.recall, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(m.f1, 2.0 / 3, accuracy: 1e-15)
        // Pairs (pos, neg) ranked right: 0.9 and 0.8 beat all 3; 0.3 beats 0.2 and 0.1: 8 of 9.
        XCTAssertEqual(m.rocAUC, 8.0 / 9, accuracy: 1e-15)
        let ll = -(log(0.9) + log(0.8) + log(0.3) + log(0.4) + log(0.8) + log(0.9)) / 6
        XCTAssertEqual(m.logLoss, ll, accuracy: 1e-14)
    }

    func testAUCCountsTiesAsHalf() {
        XCTAssertEqual(Metrics.rocAUC(score: [0.5, 0.5, 0.5, 0.5], label: [0, 1, 0, 1]), 0.5, accuracy: 1e-15)
        XCTAssertEqual(Metrics.rocAUC(score: [0.1, 0.4, 0.35, 0.8], label: [0, 0, 1, 1]), 0.75, accuracy: 1e-15)
        XCTAssertTrue(Metrics.rocAUC(score: [0.1, 0.2], label: [1, 1]).isNaN)
    }

    func testNoPredictedPositivesGivesZeroPrecisionNotNaN() {
        let m = Metrics.binary(probability: [0.1, 0.2, 0.3], label: [0, 0, 1])
        XCTAssertEqual(m.precision, 0)
        XCTAssertEqual(m.recall, 0)
        XCTAssertEqual(m.accuracy, 2.0 / 3, accuracy: 1e-15)
    }

    func testMulticlassMetrics() {
        // Rows: true 0 → pred 0, true 1 → pred 1, true 2 → pred 1, true 2 → pred 2.
        let p: [Double] = [0.7, 0.2, 0.1,  0.1, 0.8, 0.1,  0.2, 0.5, 0.3,  0.1, 0.1, 0.8]
        let m = Metrics.multiclass(probabilities: p, classes: 3, label: [0, 1, 2, 2])
        XCTAssertEqual(m.confusion, [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
        XCTAssertEqual(m.accuracy, 0.75, accuracy: 1e-15)
        XCTAssertEqual(m.precision, (1 + 0.5 + 1) / 3, accuracy: 1e-15)
        XCTAssertEqual(m.recall, (1 + 1 + 0.5) / 3, accuracy: 1e-15)
        XCTAssertEqual(m.logLoss, -(log(0.7) + log(0.8) + log(0.3) + log(0.8)) / 4, accuracy: 1e-14)
    }
}
