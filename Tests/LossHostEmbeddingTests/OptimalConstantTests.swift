import CLossHost
import Foundation
import LossHostEmbedding
import XCTest

/// lh_host_loss_optimal_constant against the closed forms, which appear here
/// only: the host finds every constant from the loss's value and derivatives.
/// Smooth losses agree to 1e-8; mae and quantile (whose minimiser is a data
/// point found by bisection on the gradient's sign) to the bracket tolerance,
/// 1e-12 relative (asserted at 1e-10).
final class OptimalConstantTests: XCTestCase {
    var host: OpaquePointer!

    override func setUpWithError() throws {
        host = try HostSupport.open(flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS))
    }

    override func tearDown() {
        lh_host_close(host)
    }

    /// Deterministic numbers in [0, 1).
    struct Numbers {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    func constant(_ id: String, _ params: [String: [Double]] = [:], target: [Double], weight: [Double]? = nil,
                  predColumns: Int = 1, targetColumns: Int = 1, line: UInt = #line) throws -> [Double] {
        let loss = try HostSupport.loss(host, id, params)
        defer { lh_host_loss_destroy(loss) }
        let r = HostSupport.optimalConstant(loss, target: target, weight: weight, predColumns: predColumns, targetColumns: targetColumns)
        XCTAssertEqual(r.status, lh_status(LH_OK), HostSupport.lastError, line: line)
        return r.constant
    }

    /// The weighted tau-quantile: the target at which the cumulative weight passes tau * total.
    static func weightedQuantile(_ values: [Double], _ weights: [Double], _ tau: Double) -> Double {
        let order = values.indices.sorted { values[$0] < values[$1] }
        let total = weights.reduce(0, +)
        var cumulative = 0.0
        for i in order {
            cumulative += weights[i]
            if cumulative > tau * total { return values[i] }
        }
        return values[order.last ?? 0]
    }

    func testMSEIsTheWeightedMean() throws {
        var r = Numbers(state: 1)
        let y = (0..<1001).map { _ in 10 * r.next() - 3 }, w = (0..<1001).map { _ in 0.1 + 2 * r.next() }
        let mean = zip(y, w).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        XCTAssertEqual(try constant("mse", target: y, weight: w)[0], mean, accuracy: 1e-8)
        XCTAssertEqual(try constant("mse", target: y)[0], y.reduce(0, +) / Double(y.count), accuracy: 1e-8)
    }

    func testMAEIsAMedianAndQuantileTheTauQuantile() throws {
        var r = Numbers(state: 2)
        let y = (0..<501).map { _ in 100 * r.next() - 20 }, w = (0..<501).map { _ in 0.1 + r.next() }
        let median = y.sorted()[250]
        XCTAssertEqual(try constant("mae", target: y)[0], median, accuracy: 1e-10 * abs(median))
        let weightedMedian = Self.weightedQuantile(y, w, 0.5)
        XCTAssertEqual(try constant("mae", target: y, weight: w)[0], weightedMedian, accuracy: 1e-10 * abs(weightedMedian))
        for tau in [0.1, 0.3, 0.9] {
            let q = Self.weightedQuantile(y, w, tau)
            XCTAssertEqual(try constant("quantile", ["tau": [tau]], target: y, weight: w)[0], q, accuracy: 1e-10 * max(1, abs(q)), "tau \(tau)")
        }
        // An even count without weights: any point between the two middle values is a median.
        let even = Array(y.prefix(100)), sorted = even.sorted()
        let c = try constant("mae", target: even)[0]
        XCTAssertTrue(c >= sorted[49] - 1e-10 * abs(sorted[49]) && c <= sorted[50] + 1e-10 * abs(sorted[50]), "\(c) not in [\(sorted[49]), \(sorted[50])]")
    }

    func testBinaryLossesGiveTheLogitOrTheMean() throws {
        var r = Numbers(state: 3)
        let labels = (0..<2000).map { _ in r.next() < 0.3 ? 1.0 : 0.0 }, w = (0..<2000).map { _ in 0.5 + r.next() }
        let p = zip(labels, w).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        XCTAssertEqual(try constant("bce_with_logits", target: labels, weight: w)[0], log(p / (1 - p)), accuracy: 1e-8)
        XCTAssertEqual(try constant("bce", target: labels, weight: w)[0], p, accuracy: 1e-8)
        // Soft targets too.
        let soft = (0..<500).map { _ in r.next() }
        let mean = soft.reduce(0, +) / 500
        XCTAssertEqual(try constant("bce_with_logits", target: soft)[0], log(mean / (1 - mean)), accuracy: 1e-8)
        // pos_weight k: the optimum of k·p·log σ + (1-p)·log(1-σ) is σ = k p / (k p + 1 - p).
        let k = 3.0, shifted = k * p / (k * p + 1 - p)
        XCTAssertEqual(try constant("bce_with_logits", ["pos_weight": [k]], target: labels, weight: w)[0],
                       log(shifted / (1 - shifted)), accuracy: 1e-8)
    }

    func testRestrictedPredDomainsAreRespected() throws {
        var r = Numbers(state: 4)
        let counts = (0..<300).map { _ in (8 * r.next()).rounded(.down) }
        let mean = counts.reduce(0, +) / 300
        // log_input=1: the log of the mean; log_input=0 (pred > 0): the mean, less eps = 1e-8.
        XCTAssertEqual(try constant("poisson_nll", target: counts)[0], log(mean), accuracy: 1e-8)
        XCTAssertEqual(try constant("poisson_nll", ["log_input": [0]], target: counts)[0], mean - 1e-8, accuracy: 1e-8)
    }

    func testCrossEntropyGivesTheLogClassPriors() throws {
        var r = Numbers(state: 5)
        let classes = 4
        let labels = (0..<3000).map { _ -> Double in
            let u = r.next()
            return u < 0.1 ? 0 : u < 0.4 ? 1 : u < 0.85 ? 2 : 3
        }
        let w = (0..<3000).map { _ in 0.2 + r.next() }
        var priors = [Double](repeating: 0, count: classes)
        for (y, wi) in zip(labels, w) { priors[Int(y)] += wi }
        let total = priors.reduce(0, +)
        let c = try constant("cross_entropy", target: labels, weight: w, predColumns: classes)
        for k in 0..<classes { XCTAssertEqual(c[k], log(priors[k] / total), accuracy: 1e-8, "class \(k)") }
        // Probability targets (N x C): the log of the mean distribution.
        let rows = 200
        var dist: [Double] = []
        for _ in 0..<rows {
            let raw = (0..<3).map { _ in 0.05 + r.next() }
            let s = raw.reduce(0, +)
            dist += raw.map { $0 / s }
        }
        let means = (0..<3).map { k in stride(from: k, to: dist.count, by: 3).reduce(0) { $0 + dist[$1] } / Double(rows) }
        let cd = try constant("cross_entropy", target: dist, predColumns: 3, targetColumns: 3)
        for k in 0..<3 { XCTAssertEqual(cd[k], log(means[k]), accuracy: 1e-8, "class \(k)") }
    }

    func testFloat32TargetsAreWidened() throws {
        let loss = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(loss) }
        let target: [Float] = [1, 2, 4.5], weight: [Float] = [1, 1, 2]
        var c = [Double.nan]
        var batch = lh_host_batch(struct_size: UInt32(MemoryLayout<lh_host_batch>.size), dtype: LH_HOST_F32, rows: 3,
                                  pred_columns: 1, target_columns: 1, pred: nil, target: target, weight: weight)
        XCTAssertEqual(lh_host_loss_optimal_constant(loss, &batch, &c), lh_status(LH_OK), HostSupport.lastError)
        XCTAssertEqual(c[0], 3, accuracy: 1e-12)
    }

    func testErrorsAreStatusesWithMessages() throws {
        let mse = try HostSupport.loss(host, "mse")
        defer { lh_host_loss_destroy(mse) }
        var r = HostSupport.optimalConstant(mse, target: [])
        XCTAssertEqual(r.status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "no rows: every constant is equally good")
        r = HostSupport.optimalConstant(mse, target: [1, 2], weight: [0, 0])
        XCTAssertEqual(r.status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "every weight is 0: every constant is equally good")
        r = HostSupport.optimalConstant(mse, target: [1, .nan])
        XCTAssertEqual(r.status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "target: row 2, column 1: non-finite value 'nan' (set LH_HOST_ALLOW_NONFINITE to accept it)")
        r = HostSupport.optimalConstant(mse, target: [1, 2], weight: [1, -1])
        XCTAssertEqual(r.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(HostSupport.lastError, "weight: row 2, column 1: weight -1 must be a finite number >= 0")
        let bce = try HostSupport.loss(host, "bce")
        defer { lh_host_loss_destroy(bce) }
        r = HostSupport.optimalConstant(bce, target: [0, 2])
        XCTAssertEqual(r.status, lh_status(LH_ERR_DOMAIN))
        XCTAssertEqual(HostSupport.lastError, "target: row 2, column 1: target value 2 is outside the loss's domain (a probability in [0, 1])")
        var c = 0.0
        XCTAssertEqual(lh_host_loss_optimal_constant(mse, nil, &c), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "batch is NULL")
    }
}
