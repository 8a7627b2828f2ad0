import CLossHost
import Foundation
import LossHostEmbedding
import XCTest

/// lh_host_loss_create / info_json / evaluate / destroy: values, reductions,
/// weights, float32, threads, and every kind of bad input with its message.
final class HostEvaluateTests: XCTestCase {
    var host: OpaquePointer!

    override func setUpWithError() throws {
        host = try HostSupport.open(flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS))
    }

    override func tearDown() {
        lh_host_close(host)
    }

    func testMSEReductionsAndWeightsAreTheContract() throws {
        let mse = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(mse) }
        let pred = [1.0, 2, 3], target = [0.0, 0, 1]
        let mean = try HostSupport.evaluate(mse, pred: pred, target: target)
        XCTAssertEqual(mean.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(mean.value, 3)
        XCTAssertEqual(mean.sum, 9)
        XCTAssertEqual(mean.normalizer, 3)
        XCTAssertEqual(mean.values, [1, 4, 4])
        XCTAssertEqual(mean.gradient, [2.0 / 3, 4.0 / 3, 4.0 / 3])
        XCTAssertEqual(mean.hessian, [2.0 / 3, 2.0 / 3, 2.0 / 3])
        let sum = try HostSupport.evaluate(mse, pred: pred, target: target, reduction: LH_HOST_SUM)
        XCTAssertEqual(sum.value, 9)
        XCTAssertEqual(sum.gradient, [2, 4, 4])
        XCTAssertEqual(sum.hessian, [2, 2, 2])
        let none = try HostSupport.evaluate(mse, pred: pred, target: target, reduction: LH_HOST_NONE)
        XCTAssertEqual(none.value, 9)
        XCTAssertEqual(none.values, [1, 4, 4])
        XCTAssertEqual(none.gradient, [2, 4, 4])
        let weighted = try HostSupport.evaluate(mse, pred: pred, target: target, weight: [1, 2, 0.5])
        XCTAssertEqual(weighted.value, 11 / 3.5)
        XCTAssertEqual(weighted.normalizer, 3.5)
        XCTAssertEqual(weighted.values, [1, 8, 2])
        XCTAssertEqual(weighted.gradient, [2 / 3.5, 8 / 3.5, 2 / 3.5])
        // Nothing wanted but the value.
        let bare = try HostSupport.evaluate(mse, pred: pred, target: target, gradient: false, hessian: false)
        XCTAssertEqual(bare.value, 3)
        XCTAssertEqual(bare.gradient.filter { !$0.isNaN }, [])
    }

    func testCrossEntropyRowLossWithParamsByName() throws {
        let ce = try HostSupport.loss(host, "std/cross_entropy", ["weight": [1, 2, 0.5]])
        defer { lh_host_loss_destroy(ce) }
        let logits = [0.0, 1, 2, 1, 1, 1], labels = [0.0, 2]
        let r = try HostSupport.evaluate(ce, pred: logits, target: labels, predColumns: 3, reduction: LH_HOST_NONE, valueCount: 2)
        XCTAssertEqual(r.status, lh_status(LH_OK), HostSupport.lastError)
        let lse0 = log(exp(0.0) + exp(1) + exp(2)), lse1 = 1 + log(3.0)
        XCTAssertEqual(r.values[0], 1 * (lse0 - 0), accuracy: 1e-14)
        XCTAssertEqual(r.values[1], 0.5 * (lse1 - 1), accuracy: 1e-14)
        XCTAssertEqual(r.gradient[0], 1 * (exp(0 - lse0) - 1), accuracy: 1e-14)
        XCTAssertEqual(r.gradient[5], 0.5 * (1.0 / 3 - 1), accuracy: 1e-14)
        var text: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(lh_host_loss_info_json(ce, &text), lh_status(LH_OK), HostSupport.lastError)
        let info = try HostSupport.json(HostSupport.take(text))
        XCTAssertEqual(info["qualified_id"] as? String, "std/cross_entropy")
        XCTAssertEqual(info["file"] as? String, "(built-in)")
        let used = try XCTUnwrap(info["params_used"] as? [String: Any])
        XCTAssertEqual(used["label_smoothing"] as? Double, 0)
        XCTAssertEqual(used["weight"] as? [Double], [1, 2, 0.5])
    }

    func testFloat32BuffersStayFloat32() throws {
        let huber = try HostSupport.loss(host, "huber", ["delta": [1.5]])
        defer { lh_host_loss_destroy(huber) }
        let pred: [Float] = [0.5, 2, -1, 3], target: [Float] = [0, 0, 0, 1], weight: [Float] = [1, 2, 1, 0.5]
        var values = [Float](repeating: .nan, count: 4), gradient = [Float](repeating: .nan, count: 4)
        var out = lh_host_outputs()
        out.struct_size = UInt32(MemoryLayout<lh_host_outputs>.size)
        out.reduction = LH_HOST_MEAN
        let status = values.withUnsafeMutableBufferPointer { v in
            gradient.withUnsafeMutableBufferPointer { g in
                pred.withUnsafeBufferPointer { p in
                    target.withUnsafeBufferPointer { t in
                        weight.withUnsafeBufferPointer { w in
                            var batch = lh_host_batch(struct_size: UInt32(MemoryLayout<lh_host_batch>.size), dtype: LH_HOST_F32, rows: 4,
                                                      pred_columns: 1, target_columns: 1, pred: p.baseAddress, target: t.baseAddress,
                                                      weight: w.baseAddress)
                            out.values = UnsafeMutableRawPointer(v.baseAddress)
                            out.gradient = UnsafeMutableRawPointer(g.baseAddress)
                            return lh_host_loss_evaluate(huber, &batch, &out)
                        }
                    }
                }
            }
        }
        XCTAssertEqual(status, lh_status(LH_OK), HostSupport.lastError)
        // huber(1.5): 0.125, 2*(1.5*2 - 1.125) = 3.75, 0.5, 0.5*(1.5*2 - 1.125) = 0.9375; mean over 4.5
        XCTAssertEqual(values, [0.125, 3.75, 0.5, 0.9375])
        XCTAssertEqual(out.sum, 5.3125)
        XCTAssertEqual(out.value, 5.3125 / 4.5, accuracy: 1e-15)
        XCTAssertEqual(gradient, [Float(0.5 / 4.5), Float(2 * 1.5 / 4.5), Float(-1 / 4.5), Float(0.5 * 1.5 / 4.5)])
    }

    func testEvaluationOnManyThreadsAgreesWithOneThread() throws {
        let loss = try HostSupport.loss(host, "log_cosh")
        defer { lh_host_loss_destroy(loss) }
        let n = 200_000
        let pred = (0..<n).map { sin(Double($0)) * 3 }, target = (0..<n).map { cos(Double($0)) }
        let serial = try HostSupport.evaluate(loss, pred: pred, target: target, reduction: LH_HOST_SUM)
        let results = Results()
        let handle = UInt(bitPattern: loss)  // a C handle: any thread may use it
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let r = try? HostSupport.evaluate(OpaquePointer(bitPattern: handle), pred: pred, target: target, reduction: LH_HOST_SUM)
            results.set(i, r.map { ($0.status, $0.value, $0.gradient) })
        }
        for i in 0..<4 {
            let r = try XCTUnwrap(results.get(i))
            XCTAssertEqual(r.0, lh_status(LH_OK))
            XCTAssertEqual(r.1.bitPattern, serial.value.bitPattern)
            XCTAssertEqual(r.2, serial.gradient)
        }
    }

    func testCreateErrorsAreTheCLIMessages() throws {
        var loss: OpaquePointer?
        let cases: [(String, [String: [Double]], String)] = [
            ("hubr", [:], "unknown loss 'hubr'; did you mean huber? (lh_host_losses_json lists the losses)"),
            ("huber", ["dlta": [1]], "unknown param 'dlta' for loss 'huber' (its parameters: delta)"),
            ("huber", ["delta": [-1]], "param 'delta' = -1 is out of range: expected (0, 1000000]"),
            ("huber", ["delta": [.nan]], "param 'delta': 'nan' is not a number"),
            ("huber", ["delta": [1, 2]], "param 'delta' takes one value, got 2"),
            ("huber", ["delta": []], "param 'delta' takes one value, got 0"),
            ("multi_margin", ["p": [3]], "param 'p' = 3 is out of range: expected a whole number in [1, 2]"),
        ]
        for (id, params, message) in cases {
            XCTAssertEqual(HostSupport.create(host, id, params, &loss), lh_status(LH_ERR_INVALID_ARGUMENT), id)
            XCTAssertEqual(HostSupport.lastError, message)
            XCTAssertNil(loss)
        }
        XCTAssertEqual(lh_host_loss_create(host, nil, nil, 0, &loss), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "id is NULL")
        XCTAssertEqual(lh_host_loss_create(host, "mse", nil, 2, &loss), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "params is NULL but param_count is 2")
        var unnamed = lh_host_param(name: nil, values: nil, count: 0)
        XCTAssertEqual(lh_host_loss_create(host, "mse", &unnamed, 1, &loss), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "params[0].name is NULL")
        XCTAssertEqual(lh_host_loss_create(nil, "mse", nil, 0, &loss), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "host is NULL")
        XCTAssertEqual(lh_host_loss_create(host, "mse", nil, 0, nil), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "out_loss is NULL")
        lh_host_loss_destroy(nil)  // a no-op
        lh_host_free_string(nil)  // a no-op
        var text: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(lh_host_loss_info_json(nil, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "loss is NULL")
        let mse = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(mse) }
        XCTAssertEqual(lh_host_loss_info_json(mse, nil), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "out_json is NULL")
        XCTAssertEqual(lh_host_loss_optimal_constant(mse, nil, nil), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "batch is NULL")
    }

    func testBadBatchesAreStatusesWithLocatedMessages() throws {
        let mse = try HostSupport.loss(host, "mse"), bce = try HostSupport.loss(host, "bce")
        let gaussian = try HostSupport.loss(host, "gaussian_nll"), ce = try HostSupport.loss(host, "cross_entropy")
        defer { [mse, bce, gaussian, ce].forEach { lh_host_loss_destroy($0) } }
        func expect(_ r: HostResult, _ status: Int32, _ message: String, line: UInt = #line) {
            XCTAssertEqual(r.status, lh_status(status), line: line)
            XCTAssertEqual(HostSupport.lastError, message, line: line)
        }
        expect(try HostSupport.evaluate(gaussian, pred: [1, 2], target: [0, 0]), LH_ERR_SHAPE,
               "pred: loss 'gaussian_nll' needs pred with 2 columns (N x 2: predicted mean, predicted variance (clamped below at eps)), got 1")
        expect(try HostSupport.evaluate(mse, pred: [1, 2], target: [1, 2, 3, 4], targetColumns: 2), LH_ERR_SHAPE,
               "target: loss 'mse' needs target with 1 column (N x D, same shape as pred), got 2")
        expect(try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0, 0, 0], weight: [1, .nan, 1]), LH_ERR_DOMAIN,
               "weight: row 2, column 1: weight nan must be a finite number >= 0")
        expect(try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0, 0, 0], weight: [1, 1, -2]), LH_ERR_DOMAIN,
               "weight: row 3, column 1: weight -2 must be a finite number >= 0")
        expect(try HostSupport.evaluate(mse, pred: [1, .infinity, 3], target: [0, 0, 0]), LH_ERR_INVALID_ARGUMENT,
               "pred: row 2, column 1: non-finite value 'inf' (set LH_HOST_ALLOW_NONFINITE to accept it)")
        // The scan runs in blocks over the host's threads: a value in a later block is found and named.
        var long = [Double](repeating: 0.5, count: 600_000)
        long[500_000] = .nan
        expect(try HostSupport.evaluate(mse, pred: [Double](repeating: 0, count: 600_000), target: long), LH_ERR_INVALID_ARGUMENT,
               "target: row 500001, column 1: non-finite value 'nan' (set LH_HOST_ALLOW_NONFINITE to accept it)")
        expect(try HostSupport.evaluate(bce, pred: [1.5, 0.5], target: [0, 0]), LH_ERR_DOMAIN,
               "pred: row 1, column 1: pred value 1.5 is outside the loss's domain (a probability in [0, 1])")
        expect(try HostSupport.evaluate(ce, pred: [0, 1, 2, 1, 1, 1], target: [0, 3], predColumns: 3), LH_ERR_DOMAIN,
               "target: row 2, column 1: target value 3 is outside the loss's domain (a whole-number class index in 0...2)")
        expect(try HostSupport.evaluate(mse, pred: [1], target: [0], reduction: 9), LH_ERR_INVALID_ARGUMENT,
               "unknown reduction 9 (expected LH_HOST_MEAN = 0, LH_HOST_SUM = 1 or LH_HOST_NONE = 2)")

        var out = lh_host_outputs()
        out.struct_size = UInt32(MemoryLayout<lh_host_outputs>.size)
        let one = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        one.initialize(to: 1)
        defer { one.deallocate() }
        var batch = lh_host_batch(struct_size: UInt32(MemoryLayout<lh_host_batch>.size), dtype: 7, rows: 1, pred_columns: 1,
                                  target_columns: 1, pred: one, target: one, weight: nil)
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "unknown dtype 7 (expected LH_HOST_F64 = 0 or LH_HOST_F32 = 1)")
        batch.dtype = LH_HOST_F64
        batch.struct_size = 16
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError,
                       "lh_host_batch.struct_size is 16, expected at least \(MemoryLayout<lh_host_batch>.size) (sizeof(lh_host_batch) in losshost_host.h 1.3)")
        batch.struct_size = UInt32(MemoryLayout<lh_host_batch>.size)
        batch.pred_columns = 0
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "batch.pred_columns is 0, expected >= 1")
        batch.pred_columns = 1
        batch.pred = nil
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "batch.pred is NULL")
        batch.rows = UInt64.max
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "batch.rows is 18446744073709551615, too many to address")
        out.struct_size = 0
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        // A 1.1 caller's struct (without the 1.2 fields) is the smallest taken.
        XCTAssertEqual(HostSupport.lastError, "lh_host_outputs.struct_size is 0, expected at least \(MemoryLayout<lh_host_outputs>.offset(of: \lh_host_outputs.flags)!) (sizeof(lh_host_outputs) in losshost_host.h 1.1)")
        XCTAssertEqual(lh_host_loss_evaluate(mse, nil, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "batch is NULL")
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, nil), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "outputs is NULL")
        XCTAssertEqual(lh_host_loss_evaluate(nil, &batch, &out), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "loss is NULL")
        // Zero rows: the pointers may be NULL; the sum is 0.
        batch.rows = 0
        out.struct_size = UInt32(MemoryLayout<lh_host_outputs>.size)
        out.reduction = LH_HOST_SUM
        XCTAssertEqual(lh_host_loss_evaluate(mse, &batch, &out), lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(out.sum, 0)
    }

    func testAZeroNormalizerMakesTheMeanAnErrorAsInTheCLI() throws {
        let mse = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(mse) }
        let zeros = try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0.5, 2, 2.1], weight: [0, 0, 0])
        XCTAssertEqual(zeros.status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "the weights sum to 0; mean is undefined (use LH_HOST_SUM)")
        XCTAssertEqual(String(cString: lh_host_last_error_message()), "the weights sum to 0; mean is undefined")
        XCTAssertEqual(lh_host_last_error_kind(), LH_HOST_ERROR_UNDEFINED_MEAN)
        let sum = try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0.5, 2, 2.1], weight: [0, 0, 0], reduction: LH_HOST_SUM)
        XCTAssertEqual(sum.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(sum.value, 0)
        XCTAssertEqual(sum.normalizer, 0)
        let ce = try HostSupport.loss(host, "cross_entropy", ["weight": [0, 0, 0]])
        defer { lh_host_loss_destroy(ce) }
        let classes = try HostSupport.evaluate(ce, pred: [1, 2, 0, 0, 1, 3], target: [0, 2], predColumns: 3, valueCount: 2)
        XCTAssertEqual(classes.status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError,
                       "the normalizer is 0 (every row's weight, class weights included, is 0); mean is undefined (use LH_HOST_SUM)")
        let empty = try HostSupport.evaluate(mse, pred: [], target: [])
        XCTAssertEqual(empty.status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "there are no rows; mean is undefined (use LH_HOST_SUM)")
    }

    func testTheLastErrorKeepsItsKindAndItsMessageWithoutTheFix() throws {
        let mse = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(mse) }
        XCTAssertEqual(try HostSupport.evaluate(mse, pred: [1, .nan], target: [0, 0]).status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "pred: row 2, column 1: non-finite value 'nan' (set LH_HOST_ALLOW_NONFINITE to accept it)")
        XCTAssertEqual(String(cString: lh_host_last_error_message()), "pred: row 2, column 1: non-finite value 'nan'")
        XCTAssertEqual(lh_host_last_error_kind(), LH_HOST_ERROR_NONFINITE_INPUT)
        XCTAssertEqual(try HostSupport.evaluate(mse, pred: [1, 2], target: [0, -.infinity]).status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(String(cString: lh_host_last_error_message()), "target: row 2, column 1: non-finite value '-inf'")
        // An error of another kind replaces both.
        XCTAssertEqual(try HostSupport.evaluate(mse, pred: [1], target: [0], reduction: 9).status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(lh_host_last_error_kind(), LH_HOST_ERROR_OTHER)
        XCTAssertEqual(String(cString: lh_host_last_error_message()), HostSupport.lastError)
        // Each thread has its own: a new thread has none.
        let seen = Results()
        let done = expectation(description: "thread")
        Thread {
            seen.set(0, (lh_status(lh_host_last_error_kind()), 0, []))
            seen.set(1, (lh_status(strlen(lh_host_last_error_message())), 0, []))
            done.fulfill()
        }.start()
        wait(for: [done], timeout: 10)
        XCTAssertEqual(seen.get(0)?.0, lh_status(LH_HOST_ERROR_OTHER))
        XCTAssertEqual(seen.get(1)?.0, 0)
    }

    func testTypedParametersAreBoundAsNumbers() throws {
        let huber = try HostSupport.loss(host, "huber", ["delta": [0.1 + 0.2]])
        defer { lh_host_loss_destroy(huber) }
        var text: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(lh_host_loss_info_json(huber, &text), lh_status(LH_OK), HostSupport.lastError)
        let used = try XCTUnwrap(try HostSupport.json(HostSupport.take(text))["params_used"] as? [String: Any])
        XCTAssertEqual(used["delta"] as? Double ?? 0, 0.1 + 0.2, accuracy: 1e-16)
        let r = try HostSupport.evaluate(huber, pred: [1], target: [0], reduction: LH_HOST_SUM)
        XCTAssertEqual(r.value, (0.1 + 0.2) * (1 - 0.5 * (0.1 + 0.2)), accuracy: 1e-16)
        var loss: OpaquePointer?
        XCTAssertEqual(HostSupport.create(host, "std/multi_margin", ["p": [1.5]], &loss), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "param 'p' = 1.5 is out of range: expected a whole number in [1, 2]")
        XCTAssertEqual(HostSupport.create(host, "huber", ["delta": [.infinity]], &loss), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "param 'delta': 'inf' is not a number")
    }

    func testDerivativesOnlySkipTheSumAndTheFactsComeFromTheSamePass() throws {
        let mse = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(mse) }
        var asked = lh_host_outputs()
        asked.struct_size = UInt32(MemoryLayout<lh_host_outputs>.size)
        asked.flags = UInt32(LH_HOST_OUTPUT_NO_SUM | LH_HOST_OUTPUT_FACTS)
        let r = try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0, 0, 1], reduction: LH_HOST_SUM, outputs: asked)
        XCTAssertEqual(r.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(r.gradient, [2, 4, 4])
        XCTAssertEqual(r.hessian, [2, 2, 2])
        XCTAssertTrue(r.sum.isNaN && r.value.isNaN)
        XCTAssertEqual([r.outputs.gradient_nonfinite_first, r.outputs.hessian_negative_first, r.outputs.hessian_zero_first],
                       [-1, -1, -1])
        // MEAN still scales by the plugin's normalizer; only the sum is skipped.
        let mean = try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0, 0, 1], outputs: asked)
        XCTAssertEqual(mean.gradient, [2.0 / 3, 4.0 / 3, 4.0 / 3])
        XCTAssertEqual(mean.normalizer, 3)
        XCTAssertTrue(mean.value.isNaN)
        // huber's Hessian is 0 in its tails: the first zero, on 2 threads' worth of chunks.
        let huber = try HostSupport.loss(host, "huber")
        defer { lh_host_loss_destroy(huber) }
        var pred = [Double](repeating: 0, count: 200_000)
        pred[150_001] = 50
        pred[170_000] = 60
        let tails = try HostSupport.evaluate(huber, pred: pred, target: [Double](repeating: 0, count: pred.count),
                                             reduction: LH_HOST_SUM, outputs: asked)
        XCTAssertEqual(tails.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual([tails.outputs.gradient_nonfinite_first, tails.outputs.hessian_negative_first,
                        tails.outputs.hessian_zero_first], [-1, -1, 150_001])
        // A NaN margin (allowed) gives a NaN gradient and Hessian: both named.
        let open = try HostSupport.open(flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS | LH_HOST_ALLOW_NONFINITE))
        defer { lh_host_close(open) }
        let bce = try HostSupport.loss(open, "bce_with_logits")
        defer { lh_host_loss_destroy(bce) }
        let nan = try HostSupport.evaluate(bce, pred: [0, 1, .nan, .nan], target: [0, 1, 1, 0], reduction: LH_HOST_SUM,
                                           outputs: asked)
        XCTAssertEqual(nan.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual([nan.outputs.gradient_nonfinite_first, nan.outputs.hessian_negative_first,
                        nan.outputs.hessian_zero_first], [2, 2, -1])
        // A 1.1 caller's struct ends before flags: they are not read, the facts not written, the sum computed.
        var old = asked
        old.struct_size = UInt32(MemoryLayout<lh_host_outputs>.offset(of: \lh_host_outputs.flags)!)
        old.gradient_nonfinite_first = 7
        let r11 = try HostSupport.evaluate(mse, pred: [1, 2, 3], target: [0, 0, 1], reduction: LH_HOST_SUM, outputs: old)
        XCTAssertEqual(r11.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(r11.sum, 9)
        XCTAssertEqual(r11.outputs.gradient_nonfinite_first, 7)
        var unknown = asked
        unknown.flags = 1 << 5
        XCTAssertEqual(try HostSupport.evaluate(mse, pred: [1], target: [0], outputs: unknown).status,
                       lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "unknown lh_host_outputs.flags bits 0x20")
    }

    func testNonFiniteInputsEvaluateWhenTheHostAllowsThem() throws {
        let open = try HostSupport.open(flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS | LH_HOST_ALLOW_NONFINITE))
        defer { lh_host_close(open) }
        let mse = try HostSupport.loss(open, "mse")
        defer { lh_host_loss_destroy(mse) }
        let r = try HostSupport.evaluate(mse, pred: [1, .nan], target: [0, 0], reduction: LH_HOST_NONE)
        XCTAssertEqual(r.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(r.values[0], 1)
        XCTAssertTrue(r.values[1].isNaN)
    }

    func testAPluginsUnwrittenOutputIsAnErrorAsInTheCLIAndAMissingHessianIsUnsupported() throws {
        let dir = HostSupport.folder("skips")
        try HostSupport.compile([HostSupport.packageRoot.appendingPathComponent("Tests/Fixtures/plugins/skips_outputs.c").path],
                                to: dir.appendingPathComponent("libskips.so").path)
        let open = try HostSupport.open(dirs: [dir.path])
        defer { lh_host_close(open) }
        let sq = try HostSupport.loss(open, "skips/sq")
        defer { lh_host_loss_destroy(sq) }
        let noHessian = try HostSupport.evaluate(sq, pred: [1, 2, 3, 4], target: [0, 0, 0, 0])
        XCTAssertEqual(noHessian.status, lh_status(LH_ERR_UNSUPPORTED))
        XCTAssertEqual(HostSupport.lastError, "loss 'sq' provides no Hessian")
        XCTAssertEqual(lh_host_last_error_kind(), LH_HOST_ERROR_OTHER)
        // The gradient of odd elements is never written: the CLI's error, not NaN, in float64 and float32.
        for reduction in [LH_HOST_SUM, LH_HOST_MEAN] {
            let r = try HostSupport.evaluate(sq, pred: [1, 2, 3, 4], target: [0, 0, 0, 0], reduction: reduction, hessian: false)
            XCTAssertEqual(r.status, lh_status(LH_ERR_INTERNAL))
            XCTAssertEqual(HostSupport.lastError, "plugin 'skips' loss 'sq' returned LH_OK but left gradient[1] (row 2) unwritten")
            XCTAssertEqual(lh_host_last_error_kind(), LH_HOST_ERROR_UNWRITTEN_OUTPUT)
        }
        let pred: [Float] = [1, 2, 3, 4], target: [Float] = [0, 0, 0, 0]
        var gradient = [Float](repeating: 0, count: 4)
        var out = lh_host_outputs()
        out.struct_size = UInt32(MemoryLayout<lh_host_outputs>.size)
        out.reduction = LH_HOST_SUM
        let status = gradient.withUnsafeMutableBufferPointer { g in
            pred.withUnsafeBufferPointer { p in
                target.withUnsafeBufferPointer { t in
                    var batch = lh_host_batch(struct_size: UInt32(MemoryLayout<lh_host_batch>.size), dtype: LH_HOST_F32, rows: 4,
                                              pred_columns: 1, target_columns: 1, pred: p.baseAddress, target: t.baseAddress, weight: nil)
                    out.gradient = UnsafeMutableRawPointer(g.baseAddress)
                    return lh_host_loss_evaluate(sq, &batch, &out)
                }
            }
        }
        XCTAssertEqual(status, lh_status(LH_ERR_INTERNAL))
        XCTAssertEqual(HostSupport.lastError, "plugin 'skips' loss 'sq' returned LH_OK but left gradient[1] (row 2) unwritten")
        // Values it writes are still evaluated.
        let values = try HostSupport.evaluate(sq, pred: [1, 2, 3, 4], target: [0, 0, 0, 0], reduction: LH_HOST_NONE,
                                              gradient: false, hessian: false)
        XCTAssertEqual(values.status, lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(values.values, [1, 4, 9, 16])
    }
}

/// Results handed from worker threads to the test.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int: (lh_status, Double, [Double])] = [:]
    func set(_ i: Int, _ r: (lh_status, Double, [Double])?) { lock.lock(); items[i] = r; lock.unlock() }
    func get(_ i: Int) -> (lh_status, Double, [Double])? { lock.lock(); defer { lock.unlock() }; return items[i] }
}
