import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
import LossKit

/// Configuration is a value: two hosts with different plugin folders live side
/// by side in one process, each seeing only its own plugins.
final class HostConfigurationTests: XCTestCase {
    /// A host that searches only `folder` (no environment, user or bundled folders), in this process.
    private func configuration(_ folder: URL) -> HostConfiguration {
        HostConfiguration(searchPath: .standard(optionFolders: [folder.path], environment: [:], executablePath: nil),
                          allowUnsafePlugins: true)
    }

    private func build(_ fixture: String, into folder: URL, as name: String) throws {
        let root = ScalarCallPathTests.packageRoot
        try ScalarCallPathTests.cc([root.appendingPathComponent(fixture).path, "-I", root.appendingPathComponent("include").path],
                                   to: folder.appendingPathComponent(name).path)
    }

    func testTwoHostsWithDifferentFoldersWorkSideBySide() throws {
        let a = try ScalarCallPathTests.folder("host-a"), b = try ScalarCallPathTests.folder("host-b")
        try build("Tests/Fixtures/plugins/other_mse.c", into: a, as: "libother.so")
        try build("Tests/Fixtures/abi-future/future_plugin.c", into: b, as: "libfuture.so")

        let first = LossRegistry.discover(configuration(a))
        let second = LossRegistry.discover(configuration(b))
        XCTAssertEqual(first.plugins.map(\.id), ["std", "other"])
        XCTAssertEqual(second.plugins.map(\.id), ["std", "future"])
        XCTAssertThrowsError(try first.resolve("future/sq"))
        XCTAssertThrowsError(try second.resolve("other/mse"))
        // A bare id is ambiguous only where another plugin has it too.
        XCTAssertThrowsError(try first.resolve("mse")) { XCTAssertTrue("\($0)".hasPrefix("ambiguous loss 'mse'"), "\($0)") }
        XCTAssertEqual(try second.resolve("mse").qualifiedID, "std/mse")
        XCTAssertEqual(first.searched.map(\.folder.path), [a.path])
        XCTAssertEqual(second.searched.map(\.folder.path), [b.path])

        // Evaluated interleaved, each host's loss gives its own numbers.
        let pred = Matrix(rows: 2, columns: 1, values: [1, 3]), target = Matrix(rows: 2, columns: 1, values: [0, 1])
        let other = try LossInstance(try first.resolve("other/mse"), parameters: .defaults(for: try first.resolve("other/mse").info))
        let future = try LossInstance(try second.resolve("future/sq"), parameters: .defaults(for: try second.resolve("future/sq").info))
        let options = EvaluationOptions(reduction: .sum, gradient: true)
        let x = try Evaluator.evaluate(other, pred: pred, target: target, options: options)
        let y = try Evaluator.evaluate(future, pred: pred, target: target, options: options)
        XCTAssertEqual(x.value, 5)
        XCTAssertEqual(y.value, 5)
        XCTAssertEqual(x.gradient, [2, 4])
        XCTAssertEqual(y.gradient, [2, 4])
        XCTAssertEqual(future.loss.origin, .native)
        XCTAssertEqual(try first.resolve("std/mse").origin, .builtIn)
    }

    func testRefusedFolderRulesFollowEachHostsOwnConfiguration() throws {
        let folder = try ScalarCallPathTests.folder("host-unsafe")
        try build("Tests/Fixtures/plugins/other_mse.c", into: folder, as: "libother.so")
        chmod(folder.path, 0o777)
        defer { chmod(folder.path, 0o755) }
        var strict = configuration(folder)
        strict.allowUnsafePlugins = false
        let refused = LossRegistry.discover(strict)
        let allowed = LossRegistry.discover(configuration(folder))
        XCTAssertEqual(refused.plugins.map(\.id), ["std"])
        XCTAssertTrue(refused.failures.contains { "\($0.reason)".contains("is writable by every user (mode 777)") },
                      "\(refused.failures)")
        XCTAssertEqual(allowed.plugins.map(\.id), ["std", "other"])
    }
}
