import CLossHost
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Evaluates one loss on one-column data (or rows given as is) and returns the
/// result, failing the test on an error.
private func evalOK(_ id: String, _ params: [String: ParamValue] = [:], pred: [[Double]], target: [[Double]],
                 file: StaticString = #filePath, line: UInt = #line) -> CResult? {
    switch CLoss(id).evaluate(params: params, pred: pred, target: target) {
    case .success(let r): return r
    case .failure(let failure):
        XCTFail("\(id): \(failure)", file: file, line: line)
        return nil
    }
}

/// The error of an evaluate call that must fail.
private func failure(_ id: String, _ params: [String: ParamValue] = [:], pred: [[Double]], target: [[Double]],
                     file: StaticString = #filePath, line: UInt = #line) -> CFailure? {
    switch CLoss(id).evaluate(params: params, pred: pred, target: target) {
    case .success:
        XCTFail("\(id): evaluate succeeded, expected an error", file: file, line: line)
        return nil
    case .failure(let failure): return failure
    }
}

private func assertFinite(_ r: CResult, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    for (name, list) in [("value", r.values), ("gradient", r.gradient), ("hessian", r.hessian)] {
        for (i, x) in list.enumerated() where !x.isFinite {
            XCTFail("\(label): \(name)[\(i)] is \(x)", file: file, line: line)
        }
    }
    XCTAssert(r.sum.isFinite, "\(label): sum is \(r.sum)", file: file, line: line)
}

/// Value, gradient and hessian of a one-element evaluation, each within `rtol`
/// (plus 1e-300 absolute, so exact zeros compare).
private func assertPoint(_ r: CResult?, value: Double, gradient: Double, hessian: Double, rtol: Double = 1e-12,
                         _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let r else { return }
    XCTAssertEqual(r.values[0], value, accuracy: rtol * abs(value) + 1e-300, "\(label): value", file: file, line: line)
    XCTAssertEqual(r.gradient[0], gradient, accuracy: rtol * abs(gradient) + 1e-300, "\(label): gradient", file: file, line: line)
    XCTAssertEqual(r.hessian[0], hessian, accuracy: rtol * abs(hessian) + 1e-300, "\(label): hessian", file: file, line: line)
}

final class EdgeCaseTests: XCTestCase {
    // MARK: extreme inputs

    /// Logits of ±800 (where e^x overflows) give finite outputs with the right limits.
    func testExtremeLogits() {
        let logits: [[Double]] = [[-800], [800], [-800], [800], [-40], [40]]
        let labels: [[Double]] = [[0], [0], [1], [1], [1], [0]]
        for id in ["bce_with_logits", "focal", "soft_margin", "hinge", "squared_hinge"] {
            if let r = evalOK(id, pred: logits, target: labels) { assertFinite(r, id) }
        }
        for params: [String: ParamValue] in [["gamma": 0.5], ["gamma": 0], ["alpha": -1, "gamma": 100]] {
            if let r = evalOK("focal", params, pred: logits, target: labels.map { [$0[0] * 0.999] }) {
                assertFinite(r, "focal \(params) soft")
            }
            if let r = evalOK("focal", params, pred: logits, target: labels) { assertFinite(r, "focal \(params)") }
        }

        // Confidently wrong: the value grows like |x|, the gradient is ±1, the curvature 0.
        assertPoint(evalOK("bce_with_logits", pred: [[800]], target: [[0]]), value: 800, gradient: 1, hessian: 0, "bce_with_logits +800/0")
        assertPoint(evalOK("bce_with_logits", pred: [[-800]], target: [[1]]), value: 800, gradient: -1, hessian: 0, "bce_with_logits -800/1")
        assertPoint(evalOK("bce_with_logits", pred: [[800]], target: [[1]]), value: 0, gradient: 0, hessian: 0, "bce_with_logits +800/1")
        assertPoint(evalOK("soft_margin", pred: [[-800]], target: [[1]]), value: 800, gradient: -1, hessian: 0, "soft_margin -800/1")
        assertPoint(evalOK("soft_margin", pred: [[800]], target: [[-1]]), value: 800, gradient: 1, hessian: 0, "soft_margin +800/-1")
        assertPoint(evalOK("focal", pred: [[-800]], target: [[1]]), value: 0.25 * 800, gradient: -0.25, hessian: 0, "focal -800/1")
        assertPoint(evalOK("focal", pred: [[800]], target: [[0]]), value: 0.75 * 800, gradient: 0.75, hessian: 0, "focal +800/0")
        assertPoint(evalOK("focal", pred: [[800]], target: [[1]]), value: 0, gradient: 0, hessian: 0, "focal +800/1")

        // Well classified at |x| = 40: 1 − p_t = e^−40 does not cancel to 0, so the
        // focal value is α·ce·e^−80 with ce ≈ e^−40 (relative terms of e^−40 dropped).
        let e40 = exp(-40.0)
        assertPoint(evalOK("focal", pred: [[40]], target: [[1]]), value: 0.25 * e40 * e40 * e40,
                    gradient: 0.25 * -3 * e40 * e40 * e40, hessian: 0.25 * 9 * e40 * e40 * e40, rtol: 1e-12,
                    "focal +40/1")
        assertPoint(evalOK("soft_margin", pred: [[40]], target: [[1]]), value: e40, gradient: -e40, hessian: e40, "soft_margin +40/1")
    }

    /// Probabilities at 1e-12 from 0 or 1, and at 0 and 1 themselves (the clamped logs).
    func testExtremeProbabilities() {
        let p = 1e-12, q = 1 - 1e-12
        guard let r = evalOK("bce", pred: [[p], [q], [p], [q], [0], [1], [0], [1]],
                          target: [[1], [0], [0], [1], [1], [0], [0], [1]]) else { return }
        assertFinite(r, "bce")
        XCTAssertEqual(r.values[0], -log(p), accuracy: 1e-12 * 28)
        XCTAssertEqual(r.gradient[0], -1 / p, accuracy: 1e-12 / p)
        XCTAssertEqual(r.hessian[0], 1 / (p * p), accuracy: 1e-12 / (p * p))
        XCTAssertEqual(r.values[1], -log(1 - q), accuracy: 1e-12 * 28)  // 1 − q is exact in float64
        XCTAssertEqual(r.gradient[1], 1 / (1 - q), accuracy: 1e-12 / (1 - q))
        XCTAssertEqual(r.values[2], p, accuracy: 1e-12 * p)  // −log(1 − p) ≈ p: no cancellation to 0
        XCTAssertGreaterThan(r.values[3], 0)
        XCTAssertEqual(r.values[4], 100, "log 0 is clamped to -100")
        XCTAssertEqual(r.gradient[4], 0, "the clamped log has no derivative")
        XCTAssertEqual(r.values[5], 100)
        XCTAssertEqual(r.gradient[5], 0)
        XCTAssertEqual(Array(r.values[6...7]), [0, 0])
        XCTAssertEqual(Array(r.gradient[6...7]), [1, -1])

        // kl_div with a target 0 against a log-probability of -800 contributes 0.
        if let k = evalOK("kl_div", pred: [[-800, 0]], target: [[0, 1]]) {
            assertFinite(k, "kl_div")
            XCTAssertEqual(k.values, [0])
        }
    }

    /// log_cosh far out (no overflow of cosh) and near 0 (no cancellation).
    func testLogCoshRange() {
        let residuals: [Double] = [1000, -1000, 1e6, -1e300, 1e-8, -3e-5, 0.4999, 0.5, 0.5001, 20]
        guard let r = evalOK("log_cosh", pred: residuals.map { [$0] }, target: residuals.map { _ in [0] }) else { return }
        assertFinite(r, "log_cosh")
        XCTAssertEqual(r.values[0], 1000 - log(2.0), accuracy: 1e-12 * 1000)
        XCTAssertEqual(r.values[3], 1e300, accuracy: 1e288)
        XCTAssertEqual(Array(r.gradient[0...3]), [1, -1, 1, -1])
        XCTAssertEqual(r.hessian[0], 4 * exp(-2000.0))  // underflows to 0 exactly
        XCTAssertEqual(r.values[4], 0.5e-16, accuracy: 1e-12 * 0.5e-16)  // log cosh r ≈ r²/2
        XCTAssertEqual(r.values[5], 4.5e-10 - pow(3e-5, 4) / 12, accuracy: 1e-13 * 4.5e-10)
        XCTAssertEqual(r.gradient[4], 1e-8, accuracy: 1e-20)
        XCTAssertEqual(r.hessian[4], 1, accuracy: 1e-15)
        // The two forms meet at |r| = 0.5 without a visible step.
        XCTAssertEqual(r.values[7], log(cosh(0.5)), accuracy: 1e-15)
        XCTAssertEqual(r.values[6], log(cosh(0.4999)), accuracy: 1e-15)
        XCTAssertEqual(r.values[8], log(cosh(0.5001)), accuracy: 1e-15)
        XCTAssertEqual(r.hessian[9], 4 * exp(-40.0), accuracy: 1e-12 * 4 * exp(-40.0))  // sech² does not cancel
    }

    /// Softmax cross entropy at logits ±800, for index and probability targets.
    func testExtremeCrossEntropy() {
        let pred: [[Double]] = [[800, -800, 0], [800, -800, 0], [-800, 800, 799]]
        guard let r = evalOK("cross_entropy", ["label_smoothing": 0.1], pred: pred, target: [[1], [0], [2]]),
              let s = evalOK("cross_entropy", pred: pred, target: [[0, 1, 0], [1, 0, 0], [0, 0.5, 0.5]])
        else { return }
        assertFinite(r, "cross_entropy index")
        assertFinite(s, "cross_entropy probabilities")
        XCTAssertEqual(s.values[0], 1600, accuracy: 1e-12 * 1600)
        XCTAssertEqual(Array(s.gradient[0...2]), [1, -1, 0])
        XCTAssertEqual(s.values[1], 0)
        // 1 − softmax at the maximum is e^−1 / (1 + e^−1), not a cancelled 0.
        let rest = exp(-1.0)
        XCTAssertEqual(s.hessian[7], rest / ((1 + rest) * (1 + rest)), accuracy: 1e-15)
        XCTAssertEqual(s.hessian[8], rest / ((1 + rest) * (1 + rest)), accuracy: 1e-15)
    }

    /// Large scores and variances in the regression and probabilistic losses.
    func testExtremeRegression() {
        if let r = evalOK("tweedie", pred: [[-300], [300], [-300]], target: [[0], [0], [5]]) { assertFinite(r, "tweedie") }
        if let r = evalOK("tweedie", ["rho": 1], pred: [[-300], [300]], target: [[0], [1000]]) { assertFinite(r, "tweedie rho 1") }
        if let r = evalOK("poisson_nll", pred: [[-300], [300]], target: [[0], [1e6]]) { assertFinite(r, "poisson_nll") }
        if let r = evalOK("poisson_nll", ["log_input": 0], pred: [[0], [1e-300]], target: [[0], [3]]) {
            assertFinite(r, "poisson_nll rate 0")
        }
        if let r = evalOK("gaussian_nll", pred: [[1e8, 1e-300], [-1e8, 1e12], [0, 0]], target: [[0], [1e8], [1]]) {
            assertFinite(r, "gaussian_nll")
            XCTAssertEqual(r.gradient[1], 0, "no derivative in the variance below eps")
            XCTAssertEqual(r.hessian[5], 0)
        }
        if let r = evalOK("huber", pred: [[1e300], [-1e300]], target: [[0], [0]]) { assertFinite(r, "huber") }
    }

    // MARK: kinks

    /// At a kink each loss takes the branch its formula's inequality selects.
    func testKinks() {
        assertPoint(evalOK("mae", pred: [[2]], target: [[2]]), value: 0, gradient: 0, hessian: 0, "mae at r = 0")
        assertPoint(evalOK("huber", ["delta": 0.5], pred: [[1.5]], target: [[1]]), value: 0.125, gradient: 0.5, hessian: 1, "huber at r = delta")
        assertPoint(evalOK("smooth_l1", ["beta": 0.5], pred: [[1.5]], target: [[1]]), value: 0.25, gradient: 1, hessian: 0, "smooth_l1 at r = beta")
        assertPoint(evalOK("smooth_l1", ["beta": 0], pred: [[1]], target: [[1]]), value: 0, gradient: 0, hessian: 0, "smooth_l1 beta 0 at r = 0")
        assertPoint(evalOK("hinge_embedding", pred: [[1]], target: [[-1]]), value: 0, gradient: 0, hessian: 0, "hinge_embedding at the margin")
        assertPoint(evalOK("mape", pred: [[-2]], target: [[-2]]), value: 0, gradient: 0, hessian: 0, "mape at r = 0")
        assertPoint(evalOK("hinge", pred: [[1]], target: [[1]]), value: 0, gradient: 0, hessian: 0, "hinge at the margin")
        assertPoint(evalOK("squared_hinge", pred: [[-1]], target: [[0]]), value: 0, gradient: 0, hessian: 0, "squared_hinge at the margin")
        // gaussian_nll at var = eps uses the formula's own derivatives.
        if let r = evalOK("gaussian_nll", ["eps": 0.5], pred: [[1, 0.5]], target: [[0]]) {
            XCTAssertEqual(r.gradient[1], 0.5 * (1 / 0.5 - 1 / 0.25))
        }
    }

    /// Quantile at pred = target takes the gradient from above, 1 − τ, as XGBoost's
    /// `reg:quantileerror` and LightGBM's `quantile` (grad = 1 − τ when pred − target >= 0);
    /// just below and above it the gradient is −τ and 1 − τ.
    func testQuantileGradientAtTheKinkIsOneMinusTau() {
        for tau in [0.1, 0.5, 0.9] {
            assertPoint(evalOK("quantile", ["tau": .scalar(tau)], pred: [[1]], target: [[1]]), value: 0, gradient: 1 - tau, hessian: 0,
                        "quantile tau \(tau) at u = 0")
            guard let r = evalOK("quantile", ["tau": .scalar(tau)], pred: [[Double(1).nextDown], [Double(1).nextUp]], target: [[1], [1]]) else { continue }
            XCTAssertEqual(r.gradient, [-tau, 1 - tau], "tau \(tau): just below and just above the target")
        }
    }

    /// The losses added for boosting users at the edges of their domains: finite, with the right limits.
    func testBoostingLossesAtExtremes() {
        if let r = evalOK("pseudo_huber", ["delta": 2], pred: [[1e300], [-1e300], [1e-100]], target: [[0], [0], [0]]) {
            assertFinite(r, "pseudo_huber")
            XCTAssertEqual(r.gradient[0], 2, accuracy: 1e-12, "slope delta far out")
            XCTAssertEqual(r.gradient[1], -2, accuracy: 1e-12)
            XCTAssertEqual(r.values[2], 0.5 * 1e-100 * 1e-100, accuracy: 1e-12 * 5e-201, "½r² near 0, no cancellation")
            XCTAssertEqual(r.hessian[2], 1)
        }
        if let r = evalOK("gamma_nll", pred: [[-700], [700]], target: [[3], [1e-300]]) {
            assertFinite(r, "gamma_nll")
            XCTAssertEqual(r.gradient[1], 1, "t e^{-p} underflows: gradient 1")
        }
        if let r = evalOK("msle", pred: [[-1 + 1e-12], [1e300]], target: [[1e300], [-0.5]]) { assertFinite(r, "msle") }
        if let r = evalOK("mape", pred: [[1]], target: [[0]]) {
            XCTAssertEqual(r.values[0], 1 / Double.ulpOfOne, "target 0: divided by eps")
        }
        if let r = evalOK("multilabel_soft_margin", pred: [[-800, 800]], target: [[1, 0]]) {
            assertFinite(r, "multilabel_soft_margin")
            XCTAssertEqual(r.values[0], 800, accuracy: 1e-9, "(800 + 800) / 2")
            XCTAssertEqual(r.gradient, [-0.5, 0.5])
        }
    }

    /// msle's exact Hessian 2(1 − l)/(1 + p)² is negative where l = log1p(p) − log1p(t) > 1
    /// (XGBoost clamps it to 1e-6 there).
    func testMSLEHessianIsExactWhereNegative() {
        guard let r = evalOK("msle", pred: [[9]], target: [[0]]) else { return }
        let l = log(10.0)
        assertPoint(r, value: l * l, gradient: 2 * l / 10, hessian: 2 * (1 - l) / 100, "msle at pred 9, target 0")
        XCTAssertLessThan(r.hessian[0], 0)
    }

    // MARK: domain and shape errors

    func testProbabilityOutsideRangeNamesTheCell() {
        guard let e = failure("bce", pred: [[0.5, 0.5], [0.2, 1.5]], target: [[1, 0], [1, 0]]) else { return }
        XCTAssertEqual(e.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(e.row, 1)
        XCTAssertEqual(e.column, 1)
        XCTAssertEqual(e.input, Int32(LH_INPUT_PRED))
        XCTAssert(e.message.contains("1.5"), e.message)

        let target = failure("bce_with_logits", pred: [[0]], target: [[1.2]])
        XCTAssertEqual(target?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(target?.input, Int32(LH_INPUT_TARGET))
        XCTAssertEqual(failure("hinge", pred: [[0]], target: [[0.5]])?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(failure("poisson_nll", pred: [[0]], target: [[-1]])?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(failure("tweedie", pred: [[0]], target: [[-0.5]])?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(failure("gamma_nll", pred: [[0]], target: [[0]])?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(failure("hinge_embedding", pred: [[0]], target: [[0]])?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(failure("multilabel_soft_margin", pred: [[0, 1]], target: [[1, 1.5]])?.status, lh_status(LH_ERR_DOMAIN))
        let msle = failure("msle", pred: [[0], [-1]], target: [[0], [0]])
        XCTAssertEqual(msle?.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(msle?.input, Int32(LH_INPUT_PRED))
        XCTAssertEqual(msle?.row, 1)
    }

    func testClassIndexErrorsNameTheRow() {
        let pred: [[Double]] = [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
        for (loss, bad) in [("cross_entropy", 3.5), ("cross_entropy", 3), ("cross_entropy", -1), ("multi_margin", 1.5),
                            ("multi_margin", 3), ("nll", 3), ("nll", 0.5)] {
            guard let e = failure(loss, pred: pred, target: [[0], [bad], [2]]) else { continue }
            XCTAssertEqual(e.status, lh_status(LH_ERR_DOMAIN), "\(loss) \(bad)")
            XCTAssertEqual(e.row, 1, "\(loss) \(bad)")
            XCTAssertEqual(e.column, 0, "\(loss) \(bad)")
            XCTAssertEqual(e.input, Int32(LH_INPUT_TARGET), "\(loss) \(bad)")
        }
        for loss in ["cross_entropy", "kl_div"] {
            guard let e = failure(loss, pred: pred, target: [[0.2, 0.3, 0.5], [0.5, 0.5, 0], [0.2, -0.1, 0.9]]) else { continue }
            XCTAssertEqual(e.status, lh_status(LH_ERR_DOMAIN), loss)
            XCTAssertEqual(e.row, 2, loss)
            XCTAssertEqual(e.column, 1, loss)
        }
    }

    func testShapeErrors() {
        let pred: [[Double]] = [[0, 1, 2], [1, 2, 3]]
        let wrongWeights = failure("cross_entropy", ["weight": [1, 2]], pred: pred, target: [[0], [1]])
        XCTAssertEqual(wrongWeights?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(wrongWeights?.input, Int32(LH_INPUT_PARAM))
        XCTAssertEqual(failure("cross_entropy", pred: pred, target: [[0, 1], [1, 0]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("multi_margin", pred: pred, target: [[0, 1, 0], [1, 0, 0]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("kl_div", pred: pred, target: [[1], [1]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("gaussian_nll", pred: pred, target: [[1], [1]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("nll", ["weight": [1, 2]], pred: pred, target: [[0], [1]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("nll", pred: pred, target: [[0, 1, 0], [1, 0, 0]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("multilabel_soft_margin", pred: pred, target: [[1], [0]])?.status, lh_status(LH_ERR_SHAPE))
        XCTAssertEqual(failure("multilabel_soft_margin", ["weight": [1, 2]], pred: pred, target: [[1, 0, 1], [0, 0, 1]])?.status,
                       lh_status(LH_ERR_SHAPE))
    }

    // MARK: class weights

    /// Class weights of 1 are no class weights; with index targets the mean
    /// divides by Σ w_{y_i}, with probability targets by the row count.
    func testClassWeights() {
        let pred: [[Double]] = [[0.3, -1, 2], [1, 0.5, -0.2], [0, 0, 1]]
        let index: [[Double]] = [[2], [0], [1]]
        let probabilities: [[Double]] = [[0, 0, 1], [0.7, 0.3, 0], [0.2, 0.2, 0.6]]
        for target in [index, probabilities] {
            guard let plain = evalOK("cross_entropy", ["label_smoothing": 0.1], pred: pred, target: target),
                  let ones = evalOK("cross_entropy", ["label_smoothing": 0.1, "weight": [1, 1, 1]], pred: pred, target: target)
            else { continue }
            XCTAssertEqual(ones.values, plain.values)
            XCTAssertEqual(ones.gradient, plain.gradient)
            XCTAssertEqual(ones.hessian, plain.hessian)
            XCTAssertEqual(ones.normalizer, 3)
        }
        XCTAssertEqual(evalOK("cross_entropy", ["weight": [0.5, 2, 4]], pred: pred, target: index)?.normalizer, 4 + 0.5 + 2)
        XCTAssertEqual(evalOK("cross_entropy", ["weight": [0.5, 2, 4]], pred: pred, target: probabilities)?.normalizer, 3)
    }

    // MARK: metadata

    /// The table lists LOSSES.md's losses in order, each with one-line docs and
    /// finite parameter ranges that hold their defaults.
    func testMetadata() {
        XCTAssertEqual(CLoss.ids, ["mse", "mae", "huber", "smooth_l1", "log_cosh", "pseudo_huber", "quantile", "poisson_nll",
                                   "tweedie", "gamma_nll", "mape", "msle", "gaussian_nll", "bce", "bce_with_logits", "focal",
                                   "hinge", "squared_hinge", "soft_margin", "hinge_embedding", "cross_entropy", "nll",
                                   "multi_margin", "kl_div", "multilabel_soft_margin"])
        for id in CLoss.ids {
            let loss = CLoss(id)
            let l = loss.loss.pointee
            for text in [l.summary, l.pred_doc, l.target_doc] {
                let s = String(cString: text!)
                XCTAssertFalse(s.isEmpty || s.contains("\n"), "\(id): \(s)")
            }
            XCTAssertEqual(l.hessian, Int32(LH_HESSIAN_EXACT), id)
            XCTAssertEqual(l.flags, UInt32(LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC), id)
            for p in loss.params {
                let name = "\(id).\(String(cString: p.name))"
                XCTAssert(p.min_value.isFinite && p.max_value.isFinite && p.default_value.isFinite, name)
                XCTAssertFalse(String(cString: p.doc).isEmpty, name)
                guard p.type != LH_PARAM_LIST else { continue }
                let aboveMin = p.flags & UInt32(LH_PARAM_MIN_EXCLUSIVE) != 0 ? p.default_value > p.min_value : p.default_value >= p.min_value
                let belowMax = p.flags & UInt32(LH_PARAM_MAX_EXCLUSIVE) != 0 ? p.default_value < p.max_value : p.default_value <= p.max_value
                XCTAssert(aboveMin && belowMax, "\(name): default \(p.default_value) outside [\(p.min_value), \(p.max_value)]")
            }
        }
        XCTAssertEqual(CLoss("gaussian_nll").loss.pointee.pred_columns, 2)
        XCTAssertEqual(CLoss("cross_entropy").loss.pointee.target_layout, Int32(LH_TARGET_INDEX_OR_SAME_SHAPE))
        XCTAssertEqual(CLoss("multi_margin").loss.pointee.target_layout, Int32(LH_TARGET_CLASS_INDEX))
    }

    /// The ABI 1.2 facts of the losses added for boosting and PyTorch users: domains, link, curvature.
    func testNewLossesDeclareDomainsLinksAndCurvature() {
        let convex = UInt32(LH_CURVATURE_CONVEX), linear = UInt32(LH_CURVATURE_PIECEWISE_LINEAR)
        let expected: [(String, Int32, Int32, Int32, UInt32, Double)] = [
            ("pseudo_huber", LH_DOMAIN_REAL, LH_DOMAIN_REAL, LH_LINK_IDENTITY, convex, 0),
            ("gamma_nll", LH_DOMAIN_LOG_RATE, LH_DOMAIN_POSITIVE, LH_LINK_EXP, convex, 0),
            ("mape", LH_DOMAIN_REAL, LH_DOMAIN_REAL, LH_LINK_IDENTITY, convex | linear, 1),
            ("msle", LH_DOMAIN_NONNEGATIVE, LH_DOMAIN_NONNEGATIVE, LH_LINK_IDENTITY, 0, 0),
            ("hinge_embedding", LH_DOMAIN_REAL, LH_DOMAIN_LABEL_PM1, LH_LINK_IDENTITY, convex | linear, 1),
            ("nll", LH_DOMAIN_LOG_PROBABILITY, LH_DOMAIN_CLASS_INDEX, LH_LINK_EXP, convex | linear, 0),
            ("multilabel_soft_margin", LH_DOMAIN_LOGIT, LH_DOMAIN_LABEL_01, LH_LINK_SIGMOID, convex, 0),
        ]
        for (id, pred, target, link, curvature, surrogate) in expected {
            let l = CLoss(id).loss.pointee
            XCTAssertEqual([l.pred_domain, l.target_domain, l.link], [pred, target, link], id)
            XCTAssertEqual(l.curvature, curvature, id)
            XCTAssertEqual(l.surrogate_hessian, surrogate, id)
        }
    }
}
