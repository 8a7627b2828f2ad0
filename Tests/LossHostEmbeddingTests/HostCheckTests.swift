import CLossHost
import Foundation
import LossHostEmbedding
import XCTest

/// lh_host_check: the CLI's check report from a worker, the plugin file's
/// fingerprint, and the verdict cache.
final class HostCheckTests: XCTestCase {
    func check(_ host: OpaquePointer, _ target: String, seed: UInt64, flags: UInt32 = 0) throws -> [String: Any] {
        var text: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(lh_host_check(host, target, seed, flags, &text), lh_status(LH_OK), HostSupport.lastError)
        return try HostSupport.json(HostSupport.take(text))
    }

    func testAPluginFileIsCheckedInAWorkerAndItsVerdictCached() throws {
        let dir = HostSupport.folder("check-cache")
        let plugin = dir.appendingPathComponent("libminimal.so").path
        try HostSupport.compile([HostSupport.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path], to: plugin)
        let cache = HostSupport.folder("check-cache-dir").path
        var host: OpaquePointer?
        XCTAssertEqual(HostSupport.withConfig(dirs: [dir.path], flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS), cacheDir: cache) {
            lh_host_open($0, &host)
        }, lh_status(LH_OK), HostSupport.lastError)
        let h = try XCTUnwrap(host)
        defer { lh_host_close(h) }

        let first = try check(h, "minimal", seed: 11, flags: UInt32(LH_HOST_CHECK_CACHED))
        XCTAssertEqual(first["target"] as? String, "minimal")
        XCTAssertEqual(first["seed"] as? Int, 11)
        XCTAssertEqual(first["passed"] as? Bool, true)
        XCTAssertEqual(first["cached"] as? Bool, false)
        let checks = try XCTUnwrap(first["checks"] as? [[String: String]])
        XCTAssertEqual(checks.first?["check"], "plugin.load")
        XCTAssertTrue(checks.contains { $0["check"] == "squared_log_error.gradient" && $0["result"] == "pass" }, "\(checks)")
        let fingerprint = try XCTUnwrap(first["fingerprint"] as? [String: Any])
        XCTAssertEqual(fingerprint["path"] as? String, plugin)
        let attributes = try FileManager.default.attributesOfItem(atPath: plugin)
        XCTAssertEqual(fingerprint["size"] as? Int, (attributes[.size] as? NSNumber)?.intValue)
        XCTAssertEqual((fingerprint["hash"] as? String)?.count, 16)

        // The same file and seed: the cached verdict, otherwise the same report.
        let second = try check(h, "minimal", seed: 11, flags: UInt32(LH_HOST_CHECK_CACHED))
        XCTAssertEqual(second["cached"] as? Bool, true)
        XCTAssertEqual(second["checks"] as? [[String: String]], checks)
        XCTAssertEqual(NSDictionary(dictionary: second["fingerprint"] as? [String: Any] ?? [:]), NSDictionary(dictionary: fingerprint))
        // Another seed, or no CHECKED flag: run again.
        XCTAssertEqual(try check(h, "minimal", seed: 12, flags: UInt32(LH_HOST_CHECK_CACHED))["cached"] as? Bool, false)
        XCTAssertEqual(try check(h, "minimal", seed: 11)["cached"] as? Bool, false)
        // A changed file has another fingerprint: its verdict is not reused.
        try HostSupport.compile([HostSupport.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path], to: plugin,
                                extraFlags: ["-DUNUSED_MARKER=1", "-g"])
        let rebuilt = try check(h, plugin, seed: 11, flags: UInt32(LH_HOST_CHECK_CACHED))
        XCTAssertEqual(rebuilt["cached"] as? Bool, false)
        XCTAssertNotEqual((rebuilt["fingerprint"] as? [String: Any])?["hash"] as? String, fingerprint["hash"] as? String)
    }

    func checkParams(_ host: OpaquePointer, _ target: String, _ params: [String: [Double]], flags: UInt32 = 0) throws -> [String: Any] {
        var text: UnsafeMutablePointer<CChar>?
        let status = HostSupport.withParams(params) { lh_host_check_params(host, target, $0, $1, 1, flags, &text) }
        XCTAssertEqual(status, lh_status(LH_OK), HostSupport.lastError)
        return try HostSupport.json(HostSupport.take(text))
    }

    /// lh_host_check_params checks at one point: a loss wrong only at the top of its
    /// parameter's range passes at its defaults and at a good value, fails at a bad one,
    /// and the full check (the sweep) still fails it.
    func testCheckAtOneParameterPoint() throws {
        let dir = HostSupport.folder("check-params")
        try HostSupport.compile([HostSupport.packageRoot.appendingPathComponent("python/tests/plugins/extreme.c").path],
                                to: dir.appendingPathComponent("libextreme.so").path)
        var opened: OpaquePointer?
        XCTAssertEqual(HostSupport.withConfig(dirs: [dir.path], flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS),
                                              cacheDir: HostSupport.folder("check-params-cache").path) {
            lh_host_open($0, &opened)
        }, lh_status(LH_OK), HostSupport.lastError)
        let host = try XCTUnwrap(opened)
        defer { lh_host_close(host) }
        func gradient(_ report: [String: Any]) -> [String: String]? {
            (report["checks"] as? [[String: String]])?.first { $0["check"] == "soft_l1.gradient" }
        }
        let swept = try check(host, "extremetest/soft_l1", seed: 1)
        XCTAssertEqual(swept["passed"] as? Bool, false)
        XCTAssertTrue(gradient(swept)?["detail"]?.hasSuffix("(params delta=1000000); the defaults (delta=1) passed") == true, "\(swept)")
        let cached = UInt32(LH_HOST_CHECK_CACHED)
        XCTAssertEqual(try checkParams(host, "extremetest/soft_l1", [:], flags: cached)["passed"] as? Bool, true)
        XCTAssertEqual(try checkParams(host, "extremetest/soft_l1", ["delta": [1e5]], flags: cached)["passed"] as? Bool, true)
        let bad = try checkParams(host, "extremetest/soft_l1", ["delta": [2e5]], flags: cached)
        XCTAssertEqual(bad["passed"] as? Bool, false)
        XCTAssertEqual(bad["cached"] as? Bool, false)  // another point: not the verdict cached at the defaults
        XCTAssertEqual(gradient(bad)?["result"], "fail")
        XCTAssertTrue(gradient(bad)?["detail"]?.hasSuffix("(params delta=200000)") == true, "\(bad)")
        XCTAssertEqual(try checkParams(host, "extremetest/soft_l1", ["delta": [2e5]], flags: cached)["cached"] as? Bool, true)

        var text: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(lh_host_check_params(host, "extremetest/soft_l1", nil, 1, 1, 0, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "params is NULL but param_count is 1")
        XCTAssertEqual(lh_host_check_params(host, "extremetest/soft_l1", nil, 0, 1, 2, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "lh_host_check_params flags has unknown bits 0x2")
        let status = HostSupport.withParams(["nope": [1]]) { lh_host_check_params(host, "extremetest/soft_l1", $0, $1, 1, 0, &text) }
        XCTAssertEqual(status, lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertTrue(HostSupport.lastError.contains("unknown param 'nope'"), HostSupport.lastError)
        XCTAssertNil(text)
    }

    func testABuiltInLossAndTheErrors() throws {
        let host = try HostSupport.open()
        defer { lh_host_close(host) }
        let report = try check(host, "huber", seed: 3)
        XCTAssertEqual(report["passed"] as? Bool, true)
        let checks = try XCTUnwrap(report["checks"] as? [[String: String]])
        XCTAssertEqual(checks.filter { $0["check"]?.hasPrefix("huber.") == true }.count, 12, "\(checks.map { $0["check"] ?? "" })")
        // The built-ins live in the host library: its fingerprint stands for them.
        XCTAssertNotNil((report["fingerprint"] as? [String: Any])?["hash"] as? String)
        var text: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(lh_host_check(host, "nope", 1, 0, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "unknown loss or plugin 'nope' (lh_host_losses_json lists the losses)")
        XCTAssertEqual(lh_host_check(host, "/no/such/libx.so", 1, 0, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "no such file: /no/such/libx.so")
        XCTAssertEqual(lh_host_check(host, "huber", 1, 4, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "lh_host_check flags has unknown bits 0x4")
        XCTAssertEqual(lh_host_check(host, nil, 1, 0, &text), lh_status(LH_ERR_INVALID_ARGUMENT))
        XCTAssertEqual(HostSupport.lastError, "target is NULL")
        XCTAssertNil(text)
    }
}

