import Foundation
import XCTest

/// Discovery and loading as a user meets them through `losshost list` and `eval`.
final class PluginLoadingTests: XCTestCase {
    func testListShowsBuiltInsAndBundledSamples() throws {
        let run = try CLI.run(["list"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for id in ["std/mse", "std/huber", "std/cross_entropy", "csample/cauchy", "swiftsample/tukey"] {
            XCTAssertTrue(run.stdout.contains(id), "list does not show \(id):\n\(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("bundled: \(CLI.productsFolder.path)"), run.stdout)
        XCTAssertFalse(run.stdout.contains("Failed to load"), run.stdout)
    }

    func testListJSONFollowsTheContract() throws {
        let run = try CLI.run(["list", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let losses = try XCTUnwrap((CLI.json(run.stdout) as? [String: Any])?["losses"] as? [[String: Any]])
        let huber = try XCTUnwrap(losses.first { $0["id"] as? String == "huber" })
        XCTAssertEqual(huber["plugin"] as? String, "std")
        XCTAssertEqual(huber["kind"] as? String, "regression")
        let params = try XCTUnwrap(huber["params"] as? [[String: Any]])
        XCTAssertEqual(params.first?["name"] as? String, "delta")
        XCTAssertEqual(params.first?["default"] as? Double, 1.0)
        XCTAssertEqual(Set(losses.compactMap { $0["plugin"] as? String }), ["std", "csample", "swiftsample"])
        XCTAssertEqual(losses.filter { $0["plugin"] as? String == "std" }.count, 25)
        XCTAssertEqual(huber["file"] as? String, "(built-in)")
        XCTAssertEqual(huber["plugin_version"] as? String, "1.0.0")
        XCTAssertEqual(huber["abi"] as? String, "1.2")
        let cauchy = try XCTUnwrap(losses.first { $0["qualified_id"] as? String == "csample/cauchy" })
        XCTAssertEqual(cauchy["file"] as? String, CLI.productsFolder.appendingPathComponent("liblosshost-plugin-csample.so").path)
    }

    func testListJSONNamesFailuresAndSearchedFolders() throws {
        let dir = CLI.folder("list-json-failures")
        let bad = CLI.file("list-json-failures/libnot_elf.so", "not a shared object\n")
        let run = try CLI.run(["list", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["losses", "failures", "searched"])
        let failures = try XCTUnwrap(object["failures"] as? [[String: String]])
        XCTAssertEqual(failures, [["path": bad, "reason": "not a shared object (no ELF header)"]])
        let searched = try XCTUnwrap(object["searched"] as? [[String: Any]])
        XCTAssertEqual(searched.first?["folder"] as? String, dir.path)
        XCTAssertEqual(searched.first?["origin"] as? String, "--plugin-dir")
        XCTAssertEqual(searched.first?["exists"] as? Bool, true)
        XCTAssertTrue(searched.contains { $0["origin"] as? String == "bundled" && $0["folder"] as? String == CLI.productsFolder.path
                                          && $0["exists"] as? Bool == true }, "\(searched)")
    }

    func testInfoJSONIsTheListEntry() throws {
        let info = try CLI.run(["info", "huber", "--format", "json"])
        let list = try CLI.run(["list", "--format", "json"])
        XCTAssertEqual(info.status, 0, info.stderr)
        let entry = try XCTUnwrap(((CLI.json(list.stdout) as? [String: Any])?["losses"] as? [[String: Any]])?
            .first { $0["qualified_id"] as? String == "std/huber" })
        let shown = try XCTUnwrap(CLI.json(info.stdout) as? [String: Any])
        XCTAssertEqual(NSDictionary(dictionary: shown), NSDictionary(dictionary: entry))
    }

    func testBrokenFilesAreReportedAndTheGoodOnesStillLoad() throws {
        let dir = CLI.folder("broken")
        let fixtures = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/plugins")
        for name in ["no_entry", "abi_too_new", "bad_default"] {
            try CLI.compile([fixtures.appendingPathComponent("\(name).c").path], to: dir.appendingPathComponent("lib\(name).so").path)
        }
        try CLI.compile([CLI.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path],
                        to: dir.appendingPathComponent("libminimal.so").path)
        try Data("this is not a shared object\n".utf8).write(to: dir.appendingPathComponent("libtext.so"))
        let run = try CLI.run(["list", "--plugin-dir", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let expected = [
            "libno_entry.so: missing entry symbol 'losshost_plugin_entry'",
            "libabi_too_new.so: built for ABI 2.0, newer than this host's 1.2",
            "libbad_default.so: invalid descriptor: loss 'bad' param 'alpha': default 5 is outside [0, 1]",
            "libtext.so: not a shared object (no ELF header)",
        ]
        for line in expected { XCTAssertTrue(run.stdout.contains(line), "missing '\(line)' in:\n\(run.stdout)") }
        XCTAssertTrue(run.stdout.contains("Failed to load (4)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("std/mse"), run.stdout)
        XCTAssertTrue(run.stdout.contains("csample/cauchy"), run.stdout)
    }

    func testCLossFromTheGuideIsListedAndEvaluatedWithoutRebuildingTheHost() throws {
        let dir = CLI.folder("guide")
        try CLI.compile([CLI.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path],
                        to: dir.appendingPathComponent("libminimal.so").path)
        let list = try CLI.run(["list", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(list.status, 0, list.stderr)
        let losses = try XCTUnwrap((CLI.json(list.stdout) as? [String: Any])?["losses"] as? [[String: Any]])
        let minimal = try XCTUnwrap(losses.first { ($0["plugin"] as? String) != "std" && ($0["plugin"] as? String) != "csample" && ($0["plugin"] as? String) != "swiftsample" })
        let id = "\(minimal["plugin"]!)/\(minimal["id"]!)"
        let pred = CLI.file("guide/p.csv", "1\n2\n3\n"), target = CLI.file("guide/y.csv", "1.5\n2\n2\n")
        let eval = try CLI.run(["eval", id, "--pred", pred, "--target", target, "--grad", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let object = try XCTUnwrap(CLI.json(eval.stdout) as? [String: Any])
        XCTAssertEqual((object["gradient"] as? [Double])?.count, 3)
        XCTAssertNotNil(object["value"] as? Double)
    }

    func testSamplePluginBuiltWithPlainCCLoadsFromAFolder() throws {
        let dir = CLI.folder("cc-sample")
        let so = dir.appendingPathComponent("libcsample_cc.so").path
        try CLI.compile([CLI.packageRoot.appendingPathComponent("Plugins/CSample/sample_losses.c").path], to: so)
        let info = try CLI.run(["info", "csample/cauchy", "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        let object = try XCTUnwrap(CLI.json(info.stdout) as? [String: Any])
        XCTAssertEqual(object["file"] as? String, so, "the --plugin-dir copy comes first on the search path")
        let pred = CLI.file("cc-sample/p.csv", "0\n1\n-3\n"), target = CLI.file("cc-sample/y.csv", "0\n0\n0\n")
        let eval = try CLI.run(["eval", "csample/cauchy", "--pred", pred, "--target", target, "--reduction", "sum",
                                "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let value = try XCTUnwrap((CLI.json(eval.stdout) as? [String: Any])?["value"] as? Double)
        // c = 1: ½·log(1 + r²) summed over r = 0, 1, −3.
        XCTAssertEqual(value, 0.5 * log(2.0) + 0.5 * log(10.0), accuracy: 1e-12)
    }

    func testAmbiguousAndUnknownIdsAreErrors() throws {
        let unknown = try CLI.run(["info", "hubber"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.hasPrefix("losshost: error: unknown loss 'hubber'"), unknown.stderr)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1)
    }

    func testABareIdThatTwoPluginsShareIsAmbiguous() throws {
        let dir = CLI.folder("clash")
        try CLI.compile([CLI.packageRoot.appendingPathComponent("Tests/Fixtures/plugins/other_mse.c").path],
                        to: dir.appendingPathComponent("libother.so").path)
        let pred = CLI.file("clash/p.csv", "1\n2\n"), target = CLI.file("clash/y.csv", "0\n0\n")
        let ambiguous = try CLI.run(["eval", "mse", "--pred", pred, "--target", target, "--plugin-dir", dir.path])
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertEqual(ambiguous.stderr, "losshost: error: ambiguous loss 'mse': std/mse, other/mse; name one with its plugin\n")
        let named = try CLI.run(["eval", "other/mse", "--pred", pred, "--target", target, "--reduction", "sum",
                                 "--format", "json", "--plugin-dir", dir.path])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(try (CLI.json(named.stdout) as? [String: Any])?["value"] as? Double, 5)
    }
}
