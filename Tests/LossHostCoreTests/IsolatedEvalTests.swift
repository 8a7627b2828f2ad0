import Foundation
import XCTest
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostIsolation
import LossHostScalar

/// The typed evaluate request, run in `losshost-worker`: the worker evaluates
/// with the whole configuration it was sent (its folders only, its cache), and
/// answers with a result or a one-line error and its kind.
final class IsolatedEvalTests: XCTestCase {
    /// The built `losshost-worker`, in the folder of the test products.
    private static let worker: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("losshost-worker").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("losshost-worker").path
    }()

    /// A host that searches only `folder` and keeps its cache in `cache`, with the built worker.
    private func configuration(_ folder: URL, cache: URL) -> HostConfiguration {
        HostConfiguration(searchPath: .standard(optionFolders: [folder.path], environment: [:], executablePath: nil),
                          formats: PluginFormats([ScalarManifestFormat()]), workerExecutable: Self.worker,
                          cacheDirectory: cache.path, callTimeout: 10, evalTimeout: 60)
    }

    private func request(_ configuration: HostConfiguration, _ loss: String, pred: String, target: String,
                         reduction: Reduction = .sum, allowNonFinite: Bool = false) -> EvaluateRequest {
        EvaluateRequest(configuration: configuration, loss: loss, parameters: [],
                        inputs: EvaluationInputs(pred: pred, target: target, data: nil, targetColumn: nil), reduction: reduction,
                        gradient: true, hessian: false, dtype: nil, allowNonFinite: allowNonFinite, out: nil, optimalConstant: nil)
    }

    private func scanned(_ cache: URL) throws -> [String] {
        let data = try Data(contentsOf: cache.appendingPathComponent("scan-cache.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(root["entries"] as? [String: Any]).keys.sorted()
    }

    func testEachConfigurationsWorkerEvaluatesWithItsOwnFoldersAndCache() throws {
        let root = ScalarCallPathTests.packageRoot
        let a = try ScalarCallPathTests.folder("isolated-a"), b = try ScalarCallPathTests.folder("isolated-b")
        let cacheA = try ScalarCallPathTests.folder("isolated-cache-a"), cacheB = try ScalarCallPathTests.folder("isolated-cache-b")
        try ScalarCallPathTests.cc([root.appendingPathComponent("Tests/Fixtures/plugins/other_mse.c").path,
                                    "-I", root.appendingPathComponent("include").path], to: a.appendingPathComponent("libother.so").path)
        let inputs = try ScalarCallPathTests.folder("isolated-inputs")
        let pred = inputs.appendingPathComponent("p.csv").path, target = inputs.appendingPathComponent("y.csv").path
        try Data("1\n3\n".utf8).write(to: URL(fileURLWithPath: pred))
        try Data("0\n1\n".utf8).write(to: URL(fileURLWithPath: target))
        let first = configuration(a, cache: cacheA), second = configuration(b, cache: cacheB)
        // The parent scans (as `eval` does before it isolates); the worker finds the loss on the same path.
        _ = LossRegistry.discover(first, lazily: true)
        _ = LossRegistry.discover(second, lazily: true)

        guard case .answered(.success(let result), _, nil) = IsolatedEval.run(request(first, "other/mse", pred: pred, target: target))
        else { return XCTFail("\(IsolatedEval.run(request(first, "other/mse", pred: pred, target: target)))") }
        XCTAssertEqual(result.qualifiedID, "other/mse")
        XCTAssertEqual(result.value, 5)
        XCTAssertEqual(result.gradient, [2, 4], "the arrays come back from the worker's files")
        XCTAssertNil(result.values)
        XCTAssertEqual(result.identity.text, #"{"loss": "mse", "plugin": "other", "qualified_id": "other/mse", "params": {}, "dtype": "f64"}"#)
        XCTAssertEqual(try scanned(cacheA), [a.path + "/libother.so"])

        // The other host's worker does not see the first host's folder.
        guard case .answered(.failure(let failure), _, _) = IsolatedEval.run(request(second, "other/mse", pred: pred, target: target))
        else { return XCTFail("the second host's worker found other/mse") }
        XCTAssertEqual(failure.message, "unknown loss 'other/mse'; did you mean std/mse?")
        let scannedByB = FileManager.default.fileExists(atPath: cacheB.appendingPathComponent("scan-cache.json").path) ? try scanned(cacheB) : []
        XCTAssertFalse(scannedByB.contains { $0.hasPrefix(a.path) }, "the second host scanned the first one's folder: \(scannedByB)")
    }

    func testAnErrorComesBackWithItsKindAndANonFiniteValueWhole() throws {
        let folder = try ScalarCallPathTests.folder("isolated-kinds")
        let cache = try ScalarCallPathTests.folder("isolated-kinds-cache")
        let pred = folder.appendingPathComponent("p.csv").path, target = folder.appendingPathComponent("y.csv").path
        try Data("nan\n3\n".utf8).write(to: URL(fileURLWithPath: pred))
        try Data("0\n1\n".utf8).write(to: URL(fileURLWithPath: target))
        let configuration = configuration(folder, cache: cache)
        guard case .answered(.failure(let failure), _, _) = IsolatedEval.run(request(configuration, "std/mse", pred: pred, target: target))
        else { return XCTFail("a NaN was accepted") }
        XCTAssertEqual(failure.message, "\(pred): row 1, column 1: non-finite value 'nan'")
        XCTAssertEqual(failure.kind, .nonFiniteInput)
        let allowed = IsolatedEval.run(request(configuration, "std/mse", pred: pred, target: target, reduction: .none, allowNonFinite: true))
        guard case .answered(.success(let result), _, _) = allowed else { return XCTFail("allowNonFinite was not honoured: \(allowed)") }
        XCTAssertTrue(result.sum.isNaN)
        XCTAssertEqual(result.values?.count, 2)
        XCTAssertTrue(result.values?[0].isNaN == true)
        XCTAssertEqual(result.values?[1], 4)
    }
}
