import Foundation
import XCTest

/// One reference case of Fixtures/reference (a copy of the shared reference vectors).
struct ReferenceCase: Decodable {
    struct Expected: Decodable {
        var value: Value
        var gradient: [Double]
        var hessian: [Double]
    }

    /// A number (mean, sum) or a list (none).
    enum Value: Decodable {
        case number(Double)
        case list([Double])
        init(from decoder: Decoder) throws {
            let single = try decoder.singleValueContainer()
            if let x = try? single.decode(Double.self) { self = .number(x) } else { self = .list(try single.decode([Double].self)) }
        }
    }

    struct Param: Decodable {
        var value: ParamValue
        init(from decoder: Decoder) throws {
            let single = try decoder.singleValueContainer()
            if let x = try? single.decode(Double.self) { value = .scalar(x) } else { value = .list(try single.decode([Double].self)) }
        }
    }

    var loss: String
    var params: [String: Param]
    var pred: [[Double]]
    var target: [[Double]]
    var weight: [Double]?
    var expected: [String: Expected]

    /// Every fixture file, by file name.
    static func all() throws -> [(name: String, case: ReferenceCase)] {
        guard let folder = Bundle.module.url(forResource: "reference", withExtension: nil, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "Fixtures/reference is not in the test bundle"])
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { url in
            (url.lastPathComponent, try JSONDecoder().decode(ReferenceCase.self, from: Data(contentsOf: url)))
        }
    }
}

/// Compares a list against its expected values: relative tolerance `rtol`, and for
/// entries far below the largest one an absolute tolerance `atol` times that largest
/// entry (the reference's tiny entries are accurate in absolute terms only).
/// Reports at most a few failing indices, each named by `label` and index.
func assertClose(_ actual: [Double], _ expected: [Double], _ label: String,
                 rtol: Double = 1e-9, atol: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(label): \(actual.count) entries, expected \(expected.count)", file: file, line: line)
        return
    }
    let scale = expected.reduce(0) { max($0, abs($1)) }
    var failures = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= rtol * abs(e) + atol * scale) {
        failures += 1
        if failures <= 3 {
            XCTFail("\(label)[\(i)]: got \(a), expected \(e) (error \(abs(a - e)))", file: file, line: line)
        }
    }
    if failures > 3 { XCTFail("\(label): \(failures) entries differ in all", file: file, line: line) }
}

/// A scalar with relative tolerance.
func assertClose(_ actual: Double, _ expected: Double, _ label: String, rtol: Double = 1e-9,
                 file: StaticString = #filePath, line: UInt = #line) {
    if !(abs(actual - expected) <= rtol * abs(expected)) {
        XCTFail("\(label): got \(actual), expected \(expected) (error \(abs(actual - expected)))", file: file, line: line)
    }
}

final class ReferenceTests: XCTestCase {
    /// Every reference case, through the C table, for none / sum / mean.
    func testReferenceVectors() throws {
        let cases = try ReferenceCase.all()
        XCTAssertEqual(cases.count, 75, "reference fixtures found")
        XCTAssertEqual(Set(cases.map(\.case.loss)), Set(CLoss.ids), "every loss has reference cases and every case a loss")

        for (name, c) in cases {
            let loss = CLoss(c.loss)
            let params = c.params.mapValues(\.value)
            for reduction in ["none", "sum", "mean"] {
                guard let expected = c.expected[reduction] else {
                    XCTFail("\(name): no \(reduction) in expected")
                    continue
                }
                let wanted: Wanted = switch reduction {
                case "none": [.values, .gradient, .hessian]
                case "sum": [.sum, .gradient, .hessian]
                default: [.sum, .normalizer, .gradient, .hessian]
                }
                let label = "\(name) \(reduction)"
                let result: CResult
                switch loss.evaluate(params: params, pred: c.pred, target: c.target, weight: c.weight, wanted: wanted) {
                case .success(let r): result = r
                case .failure(let failure):
                    XCTFail("\(label): evaluate failed: \(failure)")
                    continue
                }
                // `mean` is the host's scaling of the sum: sum / normalizer, derivatives likewise.
                let scale = reduction == "mean" ? 1 / result.normalizer : 1
                switch (reduction, expected.value) {
                case ("none", .list(let values)): assertClose(result.values, values, "\(label) value")
                case (_, .number(let value)) where reduction != "none": assertClose(result.sum * scale, value, "\(label) value")
                default: XCTFail("\(label): unexpected shape of expected value")
                }
                assertClose(result.gradient.map { $0 * scale }, expected.gradient, "\(label) gradient")
                assertClose(result.hessian.map { $0 * scale }, expected.hessian, "\(label) hessian")

                // The value-only path (no derivatives asked) gives the same values.
                if case .success(let plain) = loss.evaluate(params: params, pred: c.pred, target: c.target, weight: c.weight,
                                                            wanted: [.values, .sum, .normalizer]) {
                    XCTAssertEqual(plain.normalizer, result.normalizer.isNaN ? plain.normalizer : result.normalizer,
                                   "\(label): normalizer without derivatives")
                    switch (reduction, expected.value) {
                    case ("none", .list(let values)): assertClose(plain.values, values, "\(label) value (no derivatives)")
                    case (_, .number(let value)):
                        assertClose(plain.sum * (reduction == "mean" ? 1 / plain.normalizer : 1), value,
                                    "\(label) value (no derivatives)")
                    default: break
                    }
                } else {
                    XCTFail("\(label): value-only evaluate failed")
                }
            }
        }
    }
}
