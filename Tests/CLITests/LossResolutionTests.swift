import Foundation
import XCTest

/// What a mistyped or unavailable loss id tells the user: suggestions that keep
/// the plugin and ignore case, a refused plugin file named with its reason, and
/// a file given where a loss id belongs.
final class LossResolutionTests: XCTestCase {
    private func evalError(_ id: String, _ extra: [String] = []) throws -> String {
        let p = CLI.file("resolve/p.csv", "0.5\n"), y = CLI.file("resolve/y.csv", "0\n")
        let run = try CLI.run(["eval", id, "--pred", p, "--target", y] + extra)
        XCTAssertEqual(run.status, 1, run.stdout)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        return run.stderr
    }

    func testSuggestionsKeepThePluginAndIgnoreCase() throws {
        XCTAssertEqual(try evalError("csample/cauchi"),
                       "losshost: error: unknown loss 'csample/cauchi'; did you mean csample/cauchy? (`losshost list` shows the losses)\n")
        XCTAssertEqual(try evalError("Huber"),
                       "losshost: error: unknown loss 'Huber'; did you mean huber? (`losshost list` shows the losses)\n")
        XCTAssertEqual(try evalError("csampel/linex"),
                       "losshost: error: unknown loss 'csampel/linex'; did you mean csample/linex? (`losshost list` shows the losses)\n")
        XCTAssertTrue(try evalError("STD/MSE").contains("; did you mean std/mse? ("))
        XCTAssertEqual(try evalError("zzzz"), "losshost: error: unknown loss 'zzzz' (`losshost list` shows the losses)\n")
    }

    func testAFileIsPointedToPluginDir() throws {
        XCTAssertEqual(try evalError("./libminimal.so"),
                       "losshost: error: './libminimal.so' is a file, not a loss id: add --plugin-dir . and name a loss as plugin/loss (`losshost list --plugin-dir .` shows them)\n")
        XCTAssertTrue(try evalError("/opt/team/libteam.so").contains("add --plugin-dir /opt/team and name a loss"))
    }

    /// A plugin in a folder every user can write to is refused; eval and info say
    /// so, with the reason, instead of "unknown loss".
    func testARefusedPluginFileIsReportedAsRefused() throws {
        let folder = CLI.folder("resolve-unsafe")
        try CLI.compile([CLI.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path],
                        to: folder.appendingPathComponent("libminimal.so").path)
        chmod(folder.path, 0o777)
        defer { chmod(folder.path, 0o755) }
        let reason = "refused: the folder \(folder.path) is writable by every user (mode 777); run chmod o-w on it, or pass --allow-unsafe-plugins"
        XCTAssertEqual(try evalError("minimal/squared_log_error", ["--plugin-dir", folder.path]),
                       "losshost: error: loss 'minimal/squared_log_error' is not available: its plugin file \(folder.path)/libminimal.so was not loaded (\(reason))\n")
        let info = try CLI.run(["info", "minimal/squared_log_error", "--plugin-dir", folder.path])
        XCTAssertEqual(info.status, 1)
        XCTAssertTrue(info.stderr.contains("its plugin file \(folder.path)/libminimal.so was not loaded (\(reason))"), info.stderr)
        // A bare id cannot be traced to the file, but the failure is still named.
        XCTAssertTrue(try evalError("squared_log_error", ["--plugin-dir", folder.path])
            .contains("; 1 plugin file was not loaded, \(folder.path)/libminimal.so: \(reason)"))
        // Allowed, it loads.
        let p = CLI.file("resolve/p.csv", "0.5\n"), y = CLI.file("resolve/y.csv", "0\n")
        let allowed = try CLI.run(["eval", "minimal/squared_log_error", "--plugin-dir", folder.path, "--pred", p, "--target", y,
                                   "--allow-unsafe-plugins"])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
    }
}
