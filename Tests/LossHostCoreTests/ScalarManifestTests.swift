import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools
import LossKit

/// The pieces of scalar plugins that need no compiler: the line-aware JSON
/// reader, C declarations, and the libffi path against direct calls.
final class ScalarManifestTests: XCTestCase {
    func testJSONReaderKeepsTheLineOfEveryKeyAndValue() throws {
        let text = "{\n  \"a\": 1,\n  \"b\": [\n    \"x\\n\\u00e9\\ud83d\\ude00\",\n    {\"c\": true}\n  ],\n  \"d\": null\n}\n"
        let root = try ManifestJSON.parse(Array(text.utf8))
        guard case .object(let members) = root.value else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["a", "b", "d"])
        XCTAssertEqual(members.map(\.keyLine), [2, 3, 7])
        guard case .array(let items) = members[1].value.value else { return XCTFail("b is not a list") }
        XCTAssertEqual(items.map(\.line), [4, 5])
        guard case .string(let s) = items[0].value else { return XCTFail("not a string") }
        XCTAssertEqual(s, "x\né😀")
    }

    func testJSONReaderErrorsNameTheLine() {
        func error(_ text: String) -> String {
            do {
                _ = try ManifestJSON.parse(Array(text.utf8))
                return "no error"
            } catch {
                return "\(error.line): \(error.message)"
            }
        }
        XCTAssertEqual(error("{\n\"a\": 1,\n\"a\": 2\n}"), "3: key 'a' is given twice")
        XCTAssertEqual(error("{\n\"a\": [1,\n2,]\n}"), "3: unexpected character ']'")
        XCTAssertEqual(error("{\n\"a\": \"open\n}"), "2: control character in a string (a line break must be written \\n)")
        XCTAssertEqual(error("{\"a\": 01}"), "1: a number must not start with 0")
        XCTAssertEqual(error("{} x"), "1: unexpected text after the end of the JSON document")
        XCTAssertEqual(error("{\n\"a\" 1}"), "2: expected ':' after \"a\"")
    }

    func testCDeclarationsSplitIntoTypeAndName() {
        let cases: [(String, String, String)] = [
            ("double pred", "double", "pred"), ("  const double   tau ", "double", "tau"),
            ("double *x", "double*", "x"), ("double* x", "double*", "x"), ("int32_t n", "int32_t", "n"),
            ("unsigned long k", "unsigned long", "k"), ("pred", "", "pred"),
        ]
        for (text, type, name) in cases {
            let split = ScalarManifest.splitDeclaration(text)
            XCTAssertEqual(split.type, type, text)
            XCTAssertEqual(split.name, name, text)
        }
        XCTAssertEqual(ScalarCType(spelling: "int64_t"), .int64)
        XCTAssertNil(ScalarCType(spelling: "double*"))
    }

    func testLibffiPathMatchesDirectCallsAndItsFiniteDifferences() throws {
        // pinball through a prepared ffi_cif, with and without the gradient symbol.
        let value = unsafeBitCast(ScalarBenchmark.pinball, to: UnsafeRawPointer.self)
        let gradient = unsafeBitCast(ScalarBenchmark.pinballGradient, to: UnsafeRawPointer.self)
        // Each on both call paths: libffi (forced) and direct (chosen for three doubles).
        var functions: [(ScalarFunction, Double)] = []
        for allowDirect in [false, true] {
            let exact = try ScalarFunction(name: "pinball", returns: .double, argTypes: [.double, .double, .double],
                                           roles: [.pred, .target, .parameter(0)], value: value, gradient: gradient, hessian: nil,
                                           allowDirect: allowDirect)
            // The same function with no gradient symbol: central differences.
            let numeric = try ScalarFunction(name: "pinball", returns: .double, argTypes: [.double, .double, .double],
                                             roles: [.pred, .target, .parameter(0)], value: value, gradient: nil, hessian: nil,
                                             allowDirect: allowDirect)
            XCTAssertEqual(exact.callPath, allowDirect ? .direct : .libffi)
            XCTAssertEqual(numeric.callPath, allowDirect ? .direct : .libffi)
            functions += [(exact, 0.0), (numeric, 1e-9)]
        }
        let pred: [Double] = [1, 2, 3, -4], target: [Double] = [1.5, 2.5, 2, 0]
        let tau = 0.25
        for (function, tolerance) in functions {
            var values = [Double](repeating: 0, count: 4), grads = values
            let totals = try pred.withUnsafeBufferPointer { p in
                try target.withUnsafeBufferPointer { t in
                    try values.withUnsafeMutableBufferPointer { v in
                        try grads.withUnsafeMutableBufferPointer { g in
                            try function.evaluate(Batch(rows: 2, predColumns: 2, targetColumns: 2, pred: p.baseAddress, target: t.baseAddress,
                                                        weight: nil, values: v.baseAddress, gradient: g.baseAddress, hessian: nil, wantsSum: true),
                                                  parameters: [tau.bitPattern])
                        }
                    }
                }
            }
            for i in 0..<4 {
                XCTAssertEqual(values[i], ScalarBenchmark.pinball(pred[i], target[i], tau))
                XCTAssertEqual(grads[i], ScalarBenchmark.pinballGradient(pred[i], target[i], tau), accuracy: tolerance)
            }
            XCTAssertEqual(totals.sum, values.reduce(0, +))
            XCTAssertEqual(totals.normalizer, 4)
        }
    }

    func testBenchmarkReturnsFiguresForBothPaths() throws {
        let result = try ScalarBenchmark.run(elements: 1 << 12, repeats: 2)
        for x in [result.ffiValue, result.ffiValueGradient, result.directValue, result.directValueGradient,
                  result.nativeValue, result.nativeValueGradient] {
            XCTAssertTrue(x > 0 && x.isFinite, "\(result)")
        }
        for path in ["libffi", "direct", "native"] { XCTAssertTrue(result.text.contains("\n  \(path) "), result.text) }
    }
}
