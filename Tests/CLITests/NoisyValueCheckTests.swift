import Foundation
import XCTest

/// `check` measures how noisy a loss's value is (Moré and Wild's ECnoise) instead of
/// assuming it rounds to a few ulp: a correct gradient of a value that cancels is a
/// warning about the value, a smooth steep loss has no kinks, and a wrong gradient
/// still fails (`param_gradient`, `gradient_factor`: CheckAtParameterPointsTests, HostileCheckTests).
final class NoisyValueCheckTests: XCTestCase {
    /// XGBoost's pseudo-Huber at delta = 1e6 keeps a few digits of its value: the
    /// gradient check warns about the value and names the point; the Hessian passes.
    func testACancellingValueIsAWarningAboutTheValueNotAGradientFailure() throws {
        let (checks, run) = try Hostile.check("noisy_pseudo_huber")
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let gradient = try XCTUnwrap(checks["pseudo_huber.gradient"])
        XCTAssertEqual(gradient.result, "warn", gradient.detail)
        XCTAssertTrue(gradient.detail.hasPrefix("value: loses "), gradient.detail)
        XCTAssertTrue(gradient.detail.contains(" (params delta=1000000) (relative noise "), gradient.detail)
        XCTAssertTrue(gradient.detail.contains("); the formula cancels; the gradient could not be verified at "), gradient.detail)
        XCTAssertTrue(gradient.detail.contains(" agree with central differences to 1e-05; at 6 param points"), gradient.detail)
        let digits = try XCTUnwrap(Int(gradient.detail.dropFirst("value: loses ".count).prefix { $0.isNumber }), gradient.detail)
        XCTAssertTrue(digits >= 5 && digits <= 16, gradient.detail)
        XCTAssertEqual(checks["pseudo_huber.hessian"]?.result, "pass", "\(checks)")
        XCTAssertEqual(checks.filter { $0.value.result == "fail" }.count, 0, "\(checks)")

        let text = try CLI.run(["check", Hostile.path("noisy_pseudo_huber"), "--seed", "7", "--only", "*.gradient"], environment: Hostile.environment)
        XCTAssertEqual(text.status, 0, text.stdout)
        XCTAssertTrue(text.stdout.contains("pseudo_huber.gradient  WARN    value: loses "), text.stdout)
        XCTAssertTrue(text.stdout.hasSuffix("1 passed, 1 warning, 0 failed, 0 skipped (seed 7; repeat with --seed 7)\n"), text.stdout)
    }

    /// LINEX, (exp(a r) - a r - 1) / a^2, is smooth: steep where a r is large, cancelling
    /// where it is small. No point is "next to a kink", and every check passes.
    func testASteepOrCancellingSmoothLossHasNoKinks() throws {
        for seed in ["7", "11"] {
            let (checks, run) = try Hostile.check("naive_linex", ["--seed", seed])
            XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
            for name in ["linex.gradient", "linex.hessian"] {
                let check = try XCTUnwrap(checks[name])
                XCTAssertNotEqual(check.result, "fail", check.detail)
                XCTAssertFalse(check.detail.contains("kink"), "\(name): \(check.detail)")
            }
        }
    }
}
