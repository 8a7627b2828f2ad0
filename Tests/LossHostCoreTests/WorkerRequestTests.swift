import Foundation
import XCTest
import LossHostABI
import LossHostCheck
import LossHostEngine
import LossHostIsolation
import LossHostScalar
import SystemPackage

/// Typed worker requests: the whole host configuration survives the trip, and
/// the request reaches the worker on its standard input, its kind as its argument.
final class WorkerRequestTests: XCTestCase {
    private let known = PluginFormats([ScalarManifestFormat()])

    private func configuration() -> HostConfiguration {
        HostConfiguration(searchPath: .standard(optionFolders: ["/opt/a", "/opt/b"], environment: ["LOSSHOST_PLUGIN_PATH": "/opt/env"],
                                                executablePath: "/opt/bin/losshost"),
                          formats: known, allowUnsafePlugins: true, workerExecutable: "/opt/bin/losshost-worker",
                          cacheDirectory: "/var/cache/own", scanTimeout: 3, callTimeout: 4, evalTimeout: 5, workerMemoryMiB: 123, threads: 7)
    }

    func testACheckRequestCarriesTheWholeConfiguration() throws {
        let options = CheckOptions(target: "p/l", seed: UInt64.max, only: "*.gradient", configuration: configuration(),
                                   params: ["k=2"], sweep: false)
        let bytes = try JSONEncoder().encode(CheckRequest(options: options, start: 3, skipLosses: ["p/x"]))
        let decoder = JSONDecoder()
        decoder.userInfo[HostConfiguration.knownFormats] = known
        let back = try decoder.decode(CheckRequest.self, from: bytes)
        XCTAssertEqual(back.start, 3)
        XCTAssertEqual(back.skipLosses, ["p/x"])
        XCTAssertEqual(back.options.target, "p/l")
        XCTAssertEqual(back.options.seed, UInt64.max)
        XCTAssertEqual(back.options.only, "*.gradient")
        XCTAssertEqual(back.options.params, ["k=2"])
        XCTAssertFalse(back.options.sweep)
        let c = back.options.configuration
        XCTAssertEqual(c.searchPath.folders, configuration().searchPath.folders)
        XCTAssertEqual(c.searchPath.folders.map(\.origin), [.option, .option, .environment, .bundled, .bundled])
        XCTAssertEqual(c.formats.formats.map(\.name), ["scalar-manifest"])
        XCTAssertTrue(c.allowUnsafePlugins)
        XCTAssertEqual(c.workerExecutable, "/opt/bin/losshost-worker")
        XCTAssertEqual(c.cacheDirectory, "/var/cache/own")
        XCTAssertEqual([c.scanTimeout, c.callTimeout, c.evalTimeout], [3, 4, 5])
        XCTAssertEqual(c.workerMemoryMiB, 123)
        XCTAssertEqual(c.threads, 7)
    }

    func testAFormatTheWorkerDoesNotKnowIsAnError() throws {
        let bytes = try JSONEncoder().encode(configuration())
        XCTAssertThrowsError(try JSONDecoder().decode(HostConfiguration.self, from: bytes)) { error in
            XCTAssertTrue("\(error)".contains("unknown plugin format 'scalar-manifest'"), "\(error)")
        }
    }

    func testTheRequestArrivesOnStandardInputAndItsKindAsTheArgument() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("echo-worker-\(getpid())").path
        try Data("#!/bin/sh\necho \"$1\"\ncat\n".utf8).write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let run = WorkerProcess(timeout: 5, executable: script).run(ScanRequest(path: "/p/libx.so", configuration: configuration()))
        XCTAssertEqual(run.outcome, .exited(0), run.stderr)
        XCTAssertEqual(run.lines.first, "scan")
        let sent = try XCTUnwrap(run.lines.dropFirst().first)
        XCTAssertEqual(try WorkerRequestCoding.kind(of: Data(sent.utf8)), "scan")
        let request = try WorkerRequestCoding.decode(ScanRequest.self, from: Data(sent.utf8), formats: known)
        XCTAssertEqual(request.path, "/p/libx.so")
        XCTAssertEqual(request.configuration.cacheDirectory, "/var/cache/own")
    }

    /// A missing worker is named, and not blamed on the plugin: nothing is cached.
    func testAWorkerThatCannotStartIsNamedAndNotCached() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-worker-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("m.losshost.json").path
        try Data(#"{"manifest_version": 1, "plugin": "m", "summary": "s", "library": "libm.so", "losses": []}"#.utf8)
            .write(to: URL(fileURLWithPath: manifest))
        try Data().write(to: folder.appendingPathComponent("libm.so"))
        var configuration = configuration()
        configuration.workerExecutable = "/nonexistent/losshost-worker"
        configuration.cacheDirectory = folder.path
        let scanner = PluginScanner(configuration)
        XCTAssertEqual(scanner.scan(manifest), "cannot start a worker: \(Errno.noSuchFileOrDirectory) (/nonexistent/losshost-worker)")
        let fingerprint = try XCTUnwrap(scanner.fingerprint(manifest))
        XCTAssertNil(scanner.cache?.entry(for: manifest, fingerprint: fingerprint))
    }
}
