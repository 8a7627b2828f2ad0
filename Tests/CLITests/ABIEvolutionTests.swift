import Foundation
import XCTest

/// ABI 1.2: declared domains, links and curvature, and plugins from a later minor.
final class ABIEvolutionTests: XCTestCase {
    func testPluginFromALaterMinorWithUnknownValuesLoadsAndEvaluates() throws {
        let dir = CLI.folder("abi-future")
        let source = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/abi-future/future_plugin.c").path
        try CLI.compile([source], to: dir.appendingPathComponent("libfuture.so").path)

        let list = try CLI.run(["list", "--plugin-dir", dir.path])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("future/sq"), list.stdout)
        XCTAssertFalse(list.stdout.contains("invalid descriptor"), list.stdout)

        let info = try CLI.run(["info", "future/sq", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        let json = try XCTUnwrap(CLI.json(info.stdout) as? [String: Any], info.stdout)
        XCTAssertEqual(json["kind"] as? String, "other")
        XCTAssertEqual(json["pred_domain"] as? String, "real")
        XCTAssertEqual(json["pred_domain_rest"] as? String, "real")
        XCTAssertEqual(json["target_domain"] as? String, "real")
        XCTAssertEqual(json["link"] as? String, "identity")
        let curvature = try XCTUnwrap(json["curvature"] as? [String: Any])
        XCTAssertEqual(curvature["convex"] as? Bool, true)
        XCTAssertEqual(curvature["piecewise_linear"] as? Bool, false)
        XCTAssertTrue(curvature["surrogate"] is NSNull)
        XCTAssertEqual(json["thread_safe"] as? Bool, true)

        let p = CLI.file("abi-future/p.csv", "0.5\n2\n-1\n"), t = CLI.file("abi-future/t.csv", "0\n1\n1\n")
        let eval = try CLI.run(["eval", "future/sq", "--pred", p, "--target", t, "--grad", "--format", "json",
                                "--plugin-dir", dir.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let result = try XCTUnwrap(CLI.json(eval.stdout) as? [String: Any], eval.stdout)
        XCTAssertEqual(try XCTUnwrap(result["value"] as? Double), (0.25 + 1 + 4) / 3, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(result["gradient"] as? [Double]), [1.0 / 3, 2.0 / 3, -4.0 / 3])
    }

    func testStandardLossesDeclareDomainsLinksAndCurvature() throws {
        let expected: [(String, String, String, String, Bool, Bool, Double?)] = [
            // loss, pred domain, target domain, link, convex, piecewise linear, surrogate
            ("mse", "real", "real", "identity", true, false, nil),
            ("mae", "real", "real", "identity", true, true, 1),
            ("quantile", "real", "real", "identity", true, true, 1),
            ("bce", "probability", "probability", "identity", true, false, nil),
            ("bce_with_logits", "logit", "probability", "sigmoid", true, false, nil),
            ("focal", "logit", "probability", "sigmoid", false, false, nil),
            ("hinge", "real", "label_pm1", "identity", true, true, 1),
            ("cross_entropy", "logit", "class_index", "softmax", true, false, nil),
            ("kl_div", "log_probability", "distribution", "exp", true, true, nil),
            ("poisson_nll", "log_rate", "non_negative", "exp", true, false, nil),
            ("tweedie", "log_rate", "non_negative", "exp", false, false, nil),
        ]
        for (loss, pred, target, link, convex, piecewise, surrogate) in expected {
            let run = try CLI.run(["info", loss, "--format", "json"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout)
            XCTAssertEqual(json["pred_domain"] as? String, pred, loss)
            XCTAssertEqual(json["target_domain"] as? String, target, loss)
            XCTAssertEqual(json["link"] as? String, link, loss)
            let curvature = try XCTUnwrap(json["curvature"] as? [String: Any], loss)
            XCTAssertEqual(curvature["convex"] as? Bool, convex, loss)
            XCTAssertEqual(curvature["piecewise_linear"] as? Bool, piecewise, loss)
            XCTAssertEqual(curvature["surrogate"] as? Double, surrogate, loss)
        }
        let gaussian = try XCTUnwrap(CLI.json(try CLI.run(["info", "gaussian_nll", "--format", "json"]).stdout) as? [String: Any])
        XCTAssertEqual(gaussian["pred_domain_rest"] as? String, "positive")
        let text = try CLI.run(["info", "mae"])
        XCTAssertTrue(text.stdout.contains("convex, piecewise linear, Hessian 0 almost everywhere, surrogate curvature 1"), text.stdout)
        XCTAssertTrue(text.stdout.contains("pred real, target real"), text.stdout)
    }

    func testScalarManifestDeclaresDomainsAndCurvature() throws {
        let dir = CLI.folder("abi12-scalar")
        let root = CLI.packageRoot.appendingPathComponent("Plugins/ScalarExample")
        try CLI.compile([root.appendingPathComponent("pinball.c").path], to: dir.appendingPathComponent("libpinball.so").path,
                        againstHeader: false)
        let manifest = try String(contentsOf: root.appendingPathComponent("pinball.losshost.json"), encoding: .utf8)
        _ = CLI.file("abi12-scalar/pinball.losshost.json", manifest)
        let run = try CLI.run(["info", "pinball/pinball", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout)
        XCTAssertEqual(json["pred_domain"] as? String, "real")
        let curvature = try XCTUnwrap(json["curvature"] as? [String: Any])
        XCTAssertEqual(curvature["piecewise_linear"] as? Bool, true)
        XCTAssertEqual(curvature["surrogate"] as? Double, 1)

        let bad = manifest.replacingOccurrences(of: "\"pred_domain\": \"real\"", with: "\"pred_domain\": \"reals\"")
        _ = CLI.file("abi12-scalar/pinball.losshost.json", bad)
        let list = try CLI.run(["list", "--plugin-dir", dir.path])
        XCTAssertTrue(list.stdout.contains("unknown domain 'reals' (one of real, non_negative, positive, probability"), list.stdout)
    }
}
