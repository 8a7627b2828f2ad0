import LossKit
import XCTest

/// An element-wise kit loss refuses single elements with LH_ERR_DOMAIN naming the row
/// (`ElementwiseLoss.refusal`); one that refuses nothing never asks.
final class ElementRefusalTests: XCTestCase {
    /// LINEX, refusing where exp(a r) overflows, as the C sample does.
    struct Linex: ElementwiseLoss {
        static let info = LossInfo(id: "linex", summary: "(exp(a r) - a r - 1) / a^2", kind: .regression,
                                   predDoc: "prediction", targetDoc: "observed value",
                                   parameters: [ParameterInfo("a", "asymmetry", default: 1, min: -10, max: 10)])
        let a: Double
        init(_ p: ParameterValues) { a = p["a"] }
        func derivatives(pred: Double, target: Double) -> Derivatives {
            let x = a * (pred - target), e = exp(x)
            return Derivatives(value: (e - x - 1) / (a * a), gradient: (e - 1) / a, hessian: e)
        }
        static let refusesElements = true
        func refusal(pred: Double, target: Double) -> String? {
            exp(a * (pred - target)).isFinite ? nil : "a * (pred - target) = \(a * (pred - target)) overflows exp"
        }
    }

    private func evaluate(_ pred: [Double], _ target: [Double], columns: Int = 1) throws(LossFailure) -> BatchTotals {
        let evaluator = try LossExport.elementwise(Linex.self).make(ParameterValues(scalars: ["a": 2]))
        var values = [Double](repeating: 0, count: pred.count)
        return try pred.withUnsafeBufferPointer { p throws(LossFailure) in
            try target.withUnsafeBufferPointer { t throws(LossFailure) in
                try values.withUnsafeMutableBufferPointer { v throws(LossFailure) in
                    try evaluator(Batch(rows: pred.count / columns, predColumns: columns, targetColumns: columns, pred: p.baseAddress,
                                        target: t.baseAddress, weight: nil, values: v.baseAddress, gradient: nil, hessian: nil, wantsSum: true))
                }
            }
        }
    }

    func testARefusedElementIsADomainErrorNamingItsRowAndColumn() throws {
        XCTAssertEqual(try evaluate([0.5, 1], [0, 0]).sum, (exp(1.0) - 2) / 4 + (exp(2.0) - 3) / 4, accuracy: 1e-12)
        do {
            _ = try evaluate([0, 1, 2, 400, 1, 0], [0, 0, 0, 0, 0, 0], columns: 2)
            XCTFail("exp(800) overflows")
        } catch {
            XCTAssertEqual(error.status, .domain)
            XCTAssertEqual(error.input, .pred)
            XCTAssertEqual(error.row, 1)
            XCTAssertEqual(error.column, 1)
            XCTAssertEqual(error.message, "linex: a * (pred - target) = 800.0 overflows exp (pred 400, target 0)")
        }
    }
}
