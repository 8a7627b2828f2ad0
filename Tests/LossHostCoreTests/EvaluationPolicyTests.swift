import Foundation
import LossHostEngine
import LossHostIO
import LossHostTools
import XCTest

/// The engine owns what every client shares: reductions and the zero-normalizer
/// error, the non-finite policy, the unwritten-output policy, typed parameter
/// binding and the configuration defaults. Its messages name no client's
/// setting; the kind tells each client which of its own fixes applies.
final class EvaluationPolicyTests: XCTestCase {
    private func instance(_ id: String, _ params: [String] = []) throws -> LossInstance {
        let loss = try SpeedEngineTests.registry.resolve(id)
        return try LossInstance(loss, parameters: BoundParameters.bind(params, to: loss.info))
    }

    private func evaluate(_ instance: LossInstance, _ pred: [Double], _ target: [Double], weight: [Double]? = nil,
                          columns: Int = 1, reduction: Reduction = .mean, allowNonFinite: Bool = false) throws -> Evaluation {
        try Evaluator.evaluate(instance, pred: Matrix(rows: pred.count / columns, columns: columns, values: pred),
                               target: Matrix(rows: target.count, columns: 1, values: target), weight: weight,
                               options: EvaluationOptions(reduction: reduction, gradient: true, allowNonFinite: allowNonFinite))
    }

    private func failure(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> EvaluationError? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
        } catch let error as EvaluationError {
            return error
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    func testMeanOverAZeroNormalizerIsAnErrorOfItsOwnKind() throws {
        let mse = try instance("mse")
        let zero = failure { _ = try evaluate(mse, [1, 2, 3], [0, 0, 0], weight: [0, 0, 0]) }
        XCTAssertEqual(zero?.message, "the weights sum to 0; mean is undefined")
        XCTAssertEqual(zero?.kind, .undefinedMean)
        let classes = failure {
            _ = try evaluate(try instance("cross_entropy", ["weight=0,0,0"]), [1, 2, 0, 0, 1, 3], [0, 2], columns: 3)
        }
        XCTAssertEqual(classes?.message, "the normalizer is 0 (every row's weight, class weights included, is 0); mean is undefined")
        XCTAssertEqual(classes?.kind, .undefinedMean)
        let sum = try evaluate(mse, [1, 2, 3], [0, 0, 0], weight: [0, 0, 0], reduction: .sum)
        XCTAssertEqual(sum.value, 0)
        let none: UnsafePointer<Double>? = nil
        XCTAssertThrowsError(try Reduction.mean.value(sum: 0, normalizer: 0, rows: 0, weight: none)) {
            XCTAssertEqual(($0 as? EvaluationError)?.message, "there are no rows; mean is undefined")
        }
        XCTAssertEqual(try Reduction.mean.value(sum: 3, normalizer: 2, rows: 2, weight: none), 1.5)
        XCTAssertEqual(try Reduction.none.value(sum: 3, normalizer: 0, rows: 2, weight: none), 3)
    }

    func testNonFiniteInputsAreRefusedUnlessAllowedNamingTheCell() throws {
        let mse = try instance("mse")
        let pred = failure { _ = try evaluate(mse, [1, .nan, 3], [0, 0, 0]) }
        XCTAssertEqual(pred?.message, "non-finite value 'nan'")
        XCTAssertEqual(pred?.kind, .nonFiniteInput)
        XCTAssertEqual(pred?.input, .pred)
        XCTAssertEqual(pred?.row, 1)
        XCTAssertEqual(pred?.column, 0)
        let target = failure { _ = try evaluate(mse, [1, 2, 3], [0, 0, -.infinity]) }
        XCTAssertEqual(target?.message, "non-finite value '-inf'")
        XCTAssertEqual(target?.input, .target)
        XCTAssertEqual(target?.row, 2)
        let allowed = try evaluate(mse, [1, .nan, 3], [0, 0, 0], reduction: .sum, allowNonFinite: true)
        XCTAssertTrue(allowed.value.isNaN)
        // The readers' refusal is the same kind, in the same words, and names no flag.
        XCTAssertThrowsError(try MatrixReader.parseText(Array("1\nnan\n".utf8), name: "p.csv")) {
            XCTAssertEqual(($0 as? InputError)?.message, "p.csv: row 2, column 1: non-finite value 'nan'")
            XCTAssertEqual(($0 as? InputError)?.kind, .nonFiniteInput)
        }
    }

    /// Over many chunks and threads, the one fused pass names the cell separate
    /// whole-buffer passes would: pred's scan before target's, both before any
    /// plugin error (here bce_with_logits refusing a target of 3 in the first chunk).
    func testTheFusedPassReportsWhatSeparatePassesWould() throws {
        let bce = try instance("bce_with_logits")
        let rows = 200_000
        var pred = [Double](repeating: 0.5, count: rows), target = [Double](repeating: 1, count: rows)
        target[5] = 3
        target[20] = .nan
        pred[180_001] = .infinity
        var gradient = [Double](repeating: 0, count: rows)
        func run(threads: Int, allowNonFinite: Bool = false) -> EvaluationError? {
            failure {
                _ = try pred.withUnsafeBufferPointer { p in
                    try target.withUnsafeBufferPointer { t in
                        try gradient.withUnsafeMutableBufferPointer { g in
                            try Evaluator.evaluate(bce, rows: rows, predColumns: 1, targetColumns: 1, pred: p.baseAddress!,
                                                   target: t.baseAddress!, weight: nil, values: nil, gradient: g.baseAddress,
                                                   hessian: nil, reduction: .sum, threads: threads, allowNonFinite: allowNonFinite)
                        }
                    }
                }
            }
        }
        for threads in [1, 2, 3] {
            let error = run(threads: threads)
            XCTAssertEqual(error?.message, "non-finite value 'inf'")
            XCTAssertEqual(error?.input, .pred)
            XCTAssertEqual(error?.row, 180_001)
        }
        pred[180_001] = 0.5
        XCTAssertEqual(run(threads: 2)?.input, .target)
        XCTAssertEqual(run(threads: 2)?.row, 20)
        let domain = run(threads: 2, allowNonFinite: true)
        XCTAssertEqual(domain?.row, 5)
        XCTAssertNotEqual(domain?.kind, .nonFiniteInput)
    }

    /// skips/sq (Tests/Fixtures/plugins/skips_outputs.c), built into `folder`: it
    /// writes the gradient of even elements only.
    private func skipsInstance(_ folder: String) throws -> LossInstance {
        let folder = try ScalarCallPathTests.folder(folder)
        let root = ScalarCallPathTests.packageRoot
        try ScalarCallPathTests.cc([root.appendingPathComponent("Tests/Fixtures/plugins/skips_outputs.c").path,
                                    "-I", root.appendingPathComponent("include").path],
                                   to: folder.appendingPathComponent("libskips.so").path)
        let registry = LossRegistry.discover(HostConfiguration(
            searchPath: .standard(optionFolders: [folder.path], environment: [:], executablePath: nil), allowUnsafePlugins: true))
        let loss = try registry.resolve("skips/sq")
        return try LossInstance(loss, parameters: BoundParameters.defaults(for: loss.info))
    }

    func testAnOutputAPluginLeavesUnwrittenIsAnErrorOverBuffersAsOverArrays() throws {
        let sq = try skipsInstance("policy-skips")
        let arrays = failure { _ = try evaluate(sq, [1, 2, 3, 4], [0, 0, 0, 0], reduction: .sum) }
        XCTAssertEqual(arrays?.message, "plugin 'skips' loss 'sq' returned LH_OK but left gradient[1] (row 2) unwritten")
        XCTAssertEqual(arrays?.kind, .unwrittenOutput)
        let pred = [1.0, 2, 3, 4], target = [0.0, 0, 0, 0]
        var gradient = [Double](repeating: 0, count: 4)  // stale memory the plugin must not leave looking written
        let buffers = failure {
            _ = try pred.withUnsafeBufferPointer { p in
                try target.withUnsafeBufferPointer { t in
                    try gradient.withUnsafeMutableBufferPointer { g in
                        try Evaluator.evaluate(sq, rows: 4, predColumns: 1, targetColumns: 1, pred: p.baseAddress!, target: t.baseAddress!,
                                               weight: nil, values: nil, gradient: g.baseAddress, hessian: nil, reduction: .mean,
                                               threads: 1, allowNonFinite: false)
                    }
                }
            }
        }
        XCTAssertEqual(buffers?.message, arrays?.message)
        XCTAssertEqual(buffers?.kind, .unwrittenOutput)
    }

    /// A call of one chunk runs on the calling thread with nothing allocated
    /// (`Evaluator.run`'s lean path); each fault it meets is reported as over many
    /// chunks: the cell, the input, the kind, and the same winner (the inputs'
    /// scan before the plugin's call, the call before the outputs' check).
    func testASingleChunkCallReportsEachFaultAsManyChunksDo() throws {
        let bce = try instance("bce_with_logits"), mse = try instance("mse"), sq = try skipsInstance("policy-single-chunk")
        func run(_ instance: LossInstance, _ pred: [Double], _ target: [Double], columns: Int = 1, threads: Int) -> EvaluationError? {
            var gradient = [Double](repeating: 0, count: pred.count)
            return failure {
                _ = try pred.withUnsafeBufferPointer { p in
                    try target.withUnsafeBufferPointer { t in
                        try gradient.withUnsafeMutableBufferPointer { g in
                            try Evaluator.evaluate(instance, rows: pred.count / columns, predColumns: columns, targetColumns: columns,
                                                   pred: p.baseAddress!, target: t.baseAddress!, weight: nil, values: nil,
                                                   gradient: g.baseAddress, hessian: nil, reduction: .mean, threads: threads,
                                                   allowNonFinite: false)
                        }
                    }
                }
            }
        }
        for threads in [1, 0] {
            // Non-finite input, named by row and column, pred before target.
            let pred = run(mse, [1, 2, 3, .nan, 5, 6], [0, 0, 0, 0, .infinity, 0], columns: 2, threads: threads)
            XCTAssertEqual(pred?.message, "non-finite value 'nan'")
            XCTAssertEqual(pred?.kind, .nonFiniteInput)
            XCTAssertEqual(pred?.input, .pred)
            XCTAssertEqual(pred?.row, 1)
            XCTAssertEqual(pred?.column, 1)
            let target = run(mse, [1, 2, 3, 4, 5, 6], [0, 0, 0, 0, .infinity, 0], columns: 2, threads: threads)
            XCTAssertEqual(target?.input, .target)
            XCTAssertEqual(target?.row, 2)
            XCTAssertEqual(target?.column, 0)
            // The plugin's failure, at its row; a non-finite input in the same chunk wins over it.
            let domain = run(bce, [0.5, 0.5, 0.5, 0.5], [1, 0, 1, 3], threads: threads)
            XCTAssertEqual(domain?.row, 3)
            XCTAssertEqual(domain?.input, .target)
            XCTAssertEqual(domain?.message, "target value 3 is outside the loss's domain (a label or soft target in [0, 1])")
            XCTAssertNotEqual(domain?.kind, .nonFiniteInput)
            let both = run(bce, [0.5, 0.5, .nan, 0.5], [1, 0, 1, 3], threads: threads)
            XCTAssertEqual(both?.kind, .nonFiniteInput)
            XCTAssertEqual(both?.row, 2)
            // An output the plugin left unwritten; a non-finite input wins over it too.
            let unwritten = run(sq, [1, 2, 3, 4], [0, 0, 0, 0], threads: threads)
            XCTAssertEqual(unwritten?.message, "plugin 'skips' loss 'sq' returned LH_OK but left gradient[1] (row 2) unwritten")
            XCTAssertEqual(unwritten?.kind, .unwrittenOutput)
            let first = run(sq, [1, 2, 3, 4], [0, -.infinity, 0, 0], threads: threads)
            XCTAssertEqual(first?.kind, .nonFiniteInput)
            XCTAssertEqual(first?.input, .target)
            XCTAssertEqual(first?.row, 1)
        }
    }

    func testTypedParametersBindLikeTheirText() throws {
        let info = try SpeedEngineTests.registry.resolve("cross_entropy").info
        let typed = try BoundParameters.bind(values: [("weight", [1, 2, 0.5]), ("label_smoothing", [0.25])], to: info)
        XCTAssertEqual(typed, try BoundParameters.bind(["weight=1,2,0.5", "label_smoothing=0.25"], to: info))
        XCTAssertEqual(try BoundParameters.bind(values: [("weight", [])], to: info), BoundParameters.defaults(for: info))
        let huber = try SpeedEngineTests.registry.resolve("huber").info
        for (given, message) in [([("delta", [-1.0])], "param 'delta' = -1 is out of range: expected (0, 1000000]"),
                                 ([("delta", [Double.nan])], "param 'delta': 'nan' is not a number"),
                                 ([("delta", [1, 2])], "param 'delta' takes one value, got 2"),
                                 ([("delta", [1]), ("delta", [2])], "param 'delta' is given twice"),
                                 ([("beta", [1])], "unknown param 'beta' for loss 'huber' (its parameters: delta)")] {
            XCTAssertThrowsError(try BoundParameters.bind(values: given, to: huber)) {
                XCTAssertEqual(($0 as? EvaluationError)?.message, message)
            }
        }
    }

    func testDefaultsLiveInTheConfiguration() {
        let configuration = HostConfiguration(searchPath: .standard(optionFolders: [], environment: [:], executablePath: nil))
        XCTAssertEqual(configuration.scanTimeout, 10)
        XCTAssertEqual(configuration.callTimeout, 10)  // `check --timeout`, the C API's call_timeout
        XCTAssertEqual(configuration.evalTimeout, 600)  // `eval --timeout`, the C API's eval_timeout
        XCTAssertEqual(configuration.workerMemoryMiB, 4096)
    }
}
