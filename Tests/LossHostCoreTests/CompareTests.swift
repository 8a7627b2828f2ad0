import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

/// `compare`'s analysis: the rows that drive each loss.
final class CompareTests: XCTestCase {
    func instance(_ id: String) throws -> LossInstance {
        var r = LossRegistry()
        r.addBuiltIns()
        let found = try r.resolve(id)
        return try LossInstance(found, parameters: .defaults(for: found.info))
    }

    /// 40 rows off by ±1 and two outliers (rows 11 and 31) off by 10.
    static let residuals: [Double] = (0..<42).map { i in i == 10 ? 10 : i == 30 ? -10 : (i % 2 == 0 ? 1 : -1) }

    func testMSEIsDrivenByTwoOutliersAndMAEIsNot() throws {
        let target = Matrix(rows: 42, columns: 1, values: (0..<42).map { Double($0) })
        let pred = Matrix(rows: 42, columns: 1, values: zip(target.values, Self.residuals).map { $0 + $1 })
        let mse = try Comparison.analyse(try instance("mse"), label: "mse", pred: pred, target: target, top: 2)
        XCTAssertEqual(mse.value, 240.0 / 42, accuracy: 1e-12)
        XCTAssertEqual(Set(mse.top.map(\.row)), [10, 30])
        XCTAssertEqual(mse.top[0].share, 100.0 / 240, accuracy: 1e-12)
        XCTAssertEqual(mse.topShare, 200.0 / 240, accuracy: 1e-12)

        let mae = try Comparison.analyse(try instance("mae"), label: "mae", pred: pred, target: target, top: 2)
        XCTAssertEqual(mae.value, 60.0 / 42, accuracy: 1e-12)
        XCTAssertEqual(mae.topShare, 20.0 / 60, accuracy: 1e-12)
        XCTAssertEqual(Comparison.share(of: [10, 30], in: mae), 1.0 / 3, accuracy: 1e-12)
    }

    func testRowLossesRankRows() throws {
        // cross_entropy, one value per row: the confidently wrong row leads.
        let pred = Matrix(rows: 3, columns: 2, values: [2, 0, 0, 2, 5, -5])
        let target = Matrix(rows: 3, columns: 1, values: [0, 1, 1])
        let e = try Comparison.analyse(try instance("cross_entropy"), label: "ce", pred: pred, target: target, top: 1)
        XCTAssertEqual(e.top.first?.row, 2)
        let expected: Double = 10 + Foundation.log(1 + Foundation.exp(-10.0))   // −log softmax(−5 vs 5)
        XCTAssertEqual(e.top[0].contribution, expected, accuracy: 1e-12)
    }
}
