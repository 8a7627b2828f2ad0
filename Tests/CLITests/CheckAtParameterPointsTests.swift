import Foundation
import XCTest

/// `losshost check` at parameter points other than the defaults, `--param`, large
/// batches, determinism details and the boosting conventions, on fixtures of
/// `Tests/Fixtures/hostile`.
final class CheckAtParameterPointsTests: XCTestCase {
    private func checks(_ run: CLI.Run) throws -> [String: (result: String, detail: String)] {
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        var checks: [String: (String, String)] = [:]
        for item in object["checks"] as? [[String: Any]] ?? [] {
            checks[item["check"] as? String ?? ""] = (item["result"] as? String ?? "", item["detail"] as? String ?? "")
        }
        return checks
    }

    /// log(cosh(s·r))/s² whose gradient forgot the /s is right at the default s = 1. `check`
    /// with no options (a random seed) finds it at another point and names s; the gradient it
    /// got is s times the one expected, and it says the defaults passed. The Hessian is right and passes: where the gradient
    /// is wrong it is compared with second differences of the value.
    func testParameterDependentGradientBugIsFoundWithNoOptions() throws {
        let run = try CLI.run(["check", Hostile.path("param_gradient"), "--format", "json"], environment: Hostile.environment)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        let all = try checks(run)
        let gradient = try XCTUnwrap(all["scaled_log_cosh.gradient"])
        XCTAssertEqual(gradient.result, "fail")
        XCTAssertTrue(gradient.detail.hasSuffix("; the defaults (s=1) passed"), gradient.detail)
        let params = try XCTUnwrap(gradient.detail.components(separatedBy: "(params s=").last)
        let s = try XCTUnwrap(Double(try XCTUnwrap(params.components(separatedBy: ")").first)), gradient.detail)
        XCTAssertNotEqual(s, 1, gradient.detail)
        XCTAssertTrue(s > 0 && s <= 100, gradient.detail)
        let numbers = gradient.detail.components(separatedBy: "expected ")[1].components(separatedBy: " (central difference), got ")
        let expected = try XCTUnwrap(Double(numbers[0])), got = try XCTUnwrap(Double(numbers[1].components(separatedBy: " ")[0]))
        XCTAssertEqual(got / expected, s, accuracy: 1e-4 * max(1, s), gradient.detail)

        let hessian = try XCTUnwrap(all["scaled_log_cosh.hessian"])
        XCTAssertEqual(hessian.result, "pass", hessian.detail)
        XCTAssertTrue(hessian.detail.contains("where the gradient disagrees with the value (see the gradient check), second differences of the value to 0.001"),
                      hessian.detail)
        XCTAssertTrue(hessian.detail.hasSuffix("; at 6 param points"), hessian.detail)
        XCTAssertEqual(all.filter { $0.value.result == "fail" }.map(\.key), ["scaled_log_cosh.gradient"], "\(all)")
    }

    /// `--param s=1` pins s at the one value where the gradient is right: every check passes,
    /// at that one point.
    func testParamPinsTheValueAtEveryPoint() throws {
        let run = try CLI.run(["check", Hostile.path("param_gradient"), "--param", "s=1", "--seed", "3", "--format", "json"],
                              environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stdout)
        let gradient = try XCTUnwrap(try checks(run)["scaled_log_cosh.gradient"])
        XCTAssertEqual(gradient.result, "pass")
        XCTAssertFalse(gradient.detail.contains("param points"), gradient.detail)

        let pinnedWrong = try CLI.run(["check", Hostile.path("param_gradient"), "--param", "s=4", "--seed", "3", "--only", "*.gradient",
                                       "--format", "json"], environment: Hostile.environment)
        XCTAssertEqual(pinnedWrong.status, 1)
        let detail = try XCTUnwrap(try checks(pinnedWrong)["scaled_log_cosh.gradient"]).detail
        XCTAssertTrue(detail.hasSuffix(" (params s=4)"), detail)
    }

    /// `--no-sweep` checks at the defaults (with the pins) only: the gradient right only at the
    /// default s = 1 passes there, and fails at a pinned s = 4, naming it.
    func testNoSweepChecksTheDefaultsWithThePinsOnly() throws {
        let run = try CLI.run(["check", Hostile.path("param_gradient"), "--no-sweep", "--seed", "3", "--format", "json"],
                              environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let gradient = try XCTUnwrap(try checks(run)["scaled_log_cosh.gradient"])
        XCTAssertEqual(gradient.result, "pass")
        XCTAssertFalse(gradient.detail.contains("param points"), gradient.detail)
        let pinned = try CLI.run(["check", Hostile.path("param_gradient"), "--param", "s=4", "--no-sweep", "--seed", "3",
                                  "--only", "*.gradient", "--format", "json"], environment: Hostile.environment)
        XCTAssertEqual(pinned.status, 1)
        XCTAssertTrue(try XCTUnwrap(try checks(pinned)["scaled_log_cosh.gradient"]).detail.hasSuffix(" (params s=4)"))
    }

    /// A pinned parameter of a plugin with several losses applies to those that declare it.
    func testParamOnAPluginTargetAppliesToTheLossesThatDeclareIt() throws {
        let run = try CLI.run(["check", "std", "--param", "tau=0.9", "--only", "quantile.fused", "--seed", "2", "--format", "json"],
                              environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(try checks(run)["quantile.fused"]?.detail, "value-only, gradient-only and fused calls agree; sum = sum of values")
    }

    func testBadParamIsAOneLineError() throws {
        for (arguments, message) in [
            (["--param", "q=1"], "losshost: error: unknown param 'q' for loss 'scaled_log_cosh' (its parameters: s)"),
            (["--param", "s=0"], "losshost: error: param 's' = 0 is out of range: expected (0, 100]"),
            (["--param", "s"], "losshost: error: --param 's' is not NAME=VALUE"),
        ] {
            let run = try CLI.run(["check", Hostile.path("param_gradient")] + arguments, environment: Hostile.environment)
            XCTAssertEqual(run.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(run.stderr, message + "\n")
            XCTAssertEqual(run.stdout, "")
        }
        let plugin = try CLI.run(["check", "std", "--param", "nothing=1"], environment: Hostile.environment)
        XCTAssertNotEqual(plugin.status, 0)
        XCTAssertTrue(plugin.stderr.hasPrefix("losshost: error: unknown param 'nothing' for 'std' (its losses' parameters: alpha, beta, "),
                      plugin.stderr)
        let range = try CLI.run(["check", "std", "--param", "margin=-1"], environment: Hostile.environment)
        XCTAssertEqual(range.stderr, "losshost: error: loss 'hinge': param 'margin' = -1 is out of range: expected [0, 1000000]\n")
    }

    /// NaN only after row 1000 fails robustness on its 4096-row batch, naming the row.
    func testNaNBeyondRow1000IsFound() throws {
        let (checks, run) = try Hostile.check("nan_beyond_row_1000")
        XCTAssertEqual(run.status, 1)
        let robustness = try XCTUnwrap(checks["sq.robustness"])
        XCTAssertEqual(robustness.result, "fail")
        XCTAssertTrue(robustness.detail.hasPrefix("normal inputs in a batch of 4096 rows gave values[3000] = nan with LH_OK, at row 1000: pred ["),
                      robustness.detail)
        XCTAssertTrue(try XCTUnwrap(checks["sq.composition"]).detail.hasPrefix("values of row 1000 ("))
    }

    /// A determinism failure names the first element that differs, its row, and both bit patterns.
    func testNondeterminismNamesTheElementAndItsBits() throws {
        let (checks, run) = try Hostile.check("nondeterministic", ["--only", "*.determinism"])
        XCTAssertEqual(run.status, 1)
        let detail = try XCTUnwrap(checks["sq.determinism"]).detail
        XCTAssertTrue(detail.hasPrefix("run 3 (the second instance again) differs from run 1 on the same 33-row batch: gradient[5] (row 1: pred ["), detail)
        let bits = detail.components(separatedBy: " was 0x")[1].components(separatedBy: ", then 0x")
        let first = try XCTUnwrap(UInt64(bits[0].prefix(16), radix: 16)), second = try XCTUnwrap(UInt64(bits[1].prefix(16), radix: 16))
        XCTAssertEqual(first ^ second, 1, detail)
        let shown = try XCTUnwrap(Double(bits[0].components(separatedBy: "(")[1].components(separatedBy: ")")[0]))
        XCTAssertEqual(shown.bitPattern, first, "the number shown is the one whose bits are shown")
    }

    /// Refusing the derivatives of a finite value at an extreme margin passes robustness but
    /// fails boosting; refusing a margin whose value overflows (csample's linex) passes both.
    func testRefusedDerivativesAtAnExtremeMarginFailBoosting() throws {
        let (checks, run) = try Hostile.check("derivatives_refused_at_large_margins")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(checks["sq.robustness"]?.result, "pass")
        let boosting = try XCTUnwrap(checks["sq.boosting"])
        XCTAssertEqual(boosting.result, "fail")
        XCTAssertTrue(boosting.detail.hasPrefix("pred -700 (an extreme margin inside the domain) gives finite values but status 3 (domain) for the gradient and Hessian: no derivatives beyond |pred| 50, at pred [-700, "),
                      boosting.detail)
        XCTAssertTrue(boosting.detail.hasSuffix(": a boosting library stops training on an error"), boosting.detail)

        let linex = try CLI.run(["check", "csample/linex", "--only", "*.boosting", "--seed", "2", "--format", "json"], environment: Hostile.environment)
        XCTAssertEqual(linex.status, 0, linex.stdout)
        let detail = try XCTUnwrap(try self.checks(linex)["linex.boosting"]).detail
        XCTAssertTrue(detail.contains("extreme-margin batches refused with a status, their values too (not representable)"), detail)
    }

    /// Standard losses with parameters pass at every point; the detail says how many.
    func testStandardLossesPassAtEveryParameterPoint() throws {
        let run = try CLI.run(["check", "std/tweedie", "--seed", "8", "--format", "json"], environment: Hostile.environment)
        XCTAssertEqual(run.status, 0, run.stdout)
        let all = try checks(run)
        for name in ["gradient", "hessian", "boosting", "fused", "composition", "robustness", "float32"] {
            let detail = try XCTUnwrap(all["tweedie.\(name)"]).detail
            XCTAssertTrue(detail.hasSuffix("; at 6 param points"), "\(name): \(detail)")
        }
    }
}
