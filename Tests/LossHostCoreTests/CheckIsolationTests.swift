import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools
import SystemPackage

/// The isolation machinery against misbehaving workers, without a plugin:
/// fake worker executables (shell scripts) that write too much, garble their
/// reports or die at exit, and the cache and folder rules of scalar manifests.
final class CheckIsolationTests: XCTestCase {
    private static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("check-isolation-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }()

    /// An executable shell script that stands in for `losshost-worker`.
    private func fakeWorker(_ name: String, _ body: String) throws -> String {
        let path = Self.scratch.appendingPathComponent(name).path
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    private func session(_ executable: String) throws -> [CheckResult] {
        let options = CheckOptions(target: "x", seed: 1, only: nil,
                                   configuration: HostConfiguration(searchPath: .standard(optionFolders: []), callTimeout: 5))
        return try CheckSession(options).runIsolated(executable: executable)
    }

    func testReportsThatCannotTrapTheHost() {
        func decode(_ line: String) -> CheckMessage? { WorkerChannel.decode(CheckMessage.self, from: line) }
        XCTAssertEqual(decode(#"{"event":"start","index":3,"check":"a.lifecycle","loss":"a","extra":1}"#),
                       .start(index: 3, check: "a.lifecycle", loss: "a"))
        XCTAssertNil(decode(#"{"event":"start","index":1e300,"check":"x"}"#))
        XCTAssertNil(decode(#"{"event":"start","index":-2.5,"check":"x"}"#))
        XCTAssertNil(decode(#"{"event":"start","index":"1","check":"x"}"#))
        XCTAssertNil(decode(#"{"event":"result","index":1,"check":"x","result":"passed","detail":""}"#))
        XCTAssertNil(decode(#"{"event":"done"}"#), "a done without its count")
        XCTAssertNil(decode(#"{"event":"launch"}"#))
        XCTAssertNil(decode("noise{\"event\":\"fault\"}"))
        XCTAssertNil(decode("[1, 2]"))
        XCTAssertNil(decode(#"{"event":"fault""#), "a line cut short")
        XCTAssertNil(decode("{\"event\":\"fault\"" + String(repeating: " ", count: WorkerChannel.maxLineBytes) + "}"))
        XCTAssertEqual(decode(WorkerChannel.faultLine), .fault)
        XCTAssertNil(WorkerChannel.decode(ScanMessage.self, from: #"{"event":"start","index":0,"check":"plugin.load"}"#))
    }

    /// Every check message survives the channel: one line each, in order, decoded as sent.
    func testCheckMessagesRoundTripThroughAChannel() throws {
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.readEnd.close() }
        let channel = WorkerChannel(descriptor: pipe.writeEnd)
        let sent: [CheckMessage] = [
            .start(index: 0, check: "plugin.load", loss: nil), .stage("create"),
            .result(index: 0, check: "plugin.load", outcome: .pass, detail: "line\nbreak \"quoted\" /slash"),
            .start(index: 4, check: "sq.gradient", loss: "sq"), .error("unknown loss 'x'"), .fault, .done(results: 1),
        ]
        for message in sent { channel.send(message) }
        try pipe.writeEnd.close()
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let n = try bytes.withUnsafeMutableBytes { try pipe.readEnd.read(into: $0) }
        let lines = String(decoding: bytes[..<n], as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, sent.count)
        XCTAssertEqual(lines[0], #"{"check":"plugin.load","event":"start","index":0}"#)
        XCTAssertEqual(lines.compactMap { WorkerChannel.decode(CheckMessage.self, from: $0) }, sent)
    }

    /// A scan result carries the plugin's metadata as a nested object, not as JSON text in a string.
    func testAScanReportNestsThePluginMetadata() throws {
        let builtIn = try XCTUnwrap(LossRegistry.discover(HostConfiguration(searchPath: .standard(optionFolders: []))).plugin("std"))
        let data = try JSONEncoder().encode(ScanMessage.loaded(builtIn.metadata))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["event"] as? String, "loaded")
        let plugin = try XCTUnwrap(object["plugin"] as? [String: Any])
        XCTAssertEqual(plugin["id"] as? String, "std")
        let line = String(decoding: data, as: UTF8.self)
        guard case .loaded(let decoded)? = WorkerChannel.decode(ScanMessage.self, from: line) else { return XCTFail(line) }
        XCTAssertEqual(decoded.id, "std")
        XCTAssertEqual(decoded.losses.map(\.info.id), builtIn.losses.map(\.info.id))
        XCTAssertNil(decoded.path)
        XCTAssertEqual(WorkerChannel.decode(ScanMessage.self, from: #"{"event":"refused","reason":"closed stdout"}"#)?.isDone, false)
        XCTAssertNil(WorkerChannel.decode(ScanMessage.self, from: #"{"event":"loaded","plugin":"{\"id\":\"std\"}"}"#),
                     "metadata as a string is not a report")
    }

    func testAWorkerThatWritesTooMuchIsStoppedAndItsStandardErrorIsBounded() throws {
        let loud = try fakeWorker("loud.sh", "head -c 3000000 /dev/zero")
        let stopped = WorkerProcess(timeout: 5, executable: loud, outputLimit: 1 << 20).run([])
        XCTAssertEqual(stopped.outcome, .outputLimit(bytes: 1 << 20))
        XCTAssertEqual(stopped.outcome.description, "was stopped after writing more than 1 MiB of output")
        XCTAssertLessThanOrEqual(stopped.stdout.utf8.count, 1 << 20)

        let noisy = try fakeWorker("noisy.sh", "yes e | head -c 1000000 >&2; echo '{\"event\":\"done\"}'")
        let run = WorkerProcess(timeout: 5, executable: noisy, errorLimit: 1000).run([])
        XCTAssertEqual(run.outcome, .exited(0))
        XCTAssertEqual(run.lines, [#"{"event":"done"}"#])
        XCTAssertEqual(run.stderr, String(repeating: "e\n", count: 500) + "\n[losshost: 999000 more bytes of standard error dropped]\n")
    }

    func testPrintingToStandardErrorIsNotProgress() throws {
        let chatty = try fakeWorker("chatty.sh", "while true; do echo chat >&2; done")
        let run = WorkerProcess(timeout: 0.5, executable: chatty).run([])
        XCTAssertEqual(run.outcome, .timedOut(seconds: 0.5))
    }

    func testAGarbledReportIsAFailureNotASilentGap() throws {
        let worker = try fakeWorker("garbled.sh", """
            echo '{"event":"start","index":0,"check":"plugin.load"}'
            echo '{"event":"result","index":0,"check":"plugin.load","result":"pass","detail":"ok"}'
            echo 'noise{"event":"result","index":1,"check":"plugin.metadata","result":"pass","detail":"lost"}'
            echo '{"event":"done","results":2}'
            """)
        XCTAssertEqual(try session(worker), [
            CheckResult(check: "plugin.load", outcome: .pass, detail: "ok"),
            CheckResult(check: "plugin.report", outcome: .fail, detail: "the worker reported 2 results but 1 arrived whole; its output was garbled"),
        ])
    }

    func testAStartIndexThatGoesBackwardsCannotLoopTheSession() throws {
        // Crashes "in" index 0 over and over while claiming earlier indices: the session must end.
        let worker = try fakeWorker("backwards.sh", """
            echo '{"event":"start","index":0,"check":"plugin.load"}'
            echo '{"event":"result","index":0,"check":"plugin.load","result":"pass","detail":"ok"}'
            echo '{"event":"start","index":2,"check":"a.lifecycle","loss":"a"}'
            echo '{"event":"start","index":1,"check":"forged","loss":"b"}'
            echo '{"event":"start","index":1e300,"check":"forged","loss":"b"}'
            kill -SEGV $$
            """)
        let results = try session(worker)
        XCTAssertEqual(results.first, CheckResult(check: "plugin.load", outcome: .pass, detail: "ok"))
        XCTAssertEqual(results[1], CheckResult(check: "a.lifecycle", outcome: .fail, detail: "crashed with SIGSEGV"))
        XCTAssertFalse(results.contains { $0.check == "forged" }, "\(results)")
        // The rerun from index 3 repeats the script: its stale "plugin.load" result (index 0) is not taken again.
        XCTAssertEqual(results.count, 3, "\(results)")
        XCTAssertEqual(results[2].check, "plugin.worker")
        XCTAssertEqual(results[2].outcome, .fail)
    }

    func testAWorkerThatDiesAfterItsReportFailsPluginExit() throws {
        let worker = try fakeWorker("exit.sh", """
            echo '{"event":"start","index":0,"check":"plugin.load"}'
            echo '{"event":"result","index":0,"check":"plugin.load","result":"pass","detail":"ok"}'
            echo '{"event":"done","results":1}'
            kill -SEGV $$
            """)
        XCTAssertEqual(try session(worker), [
            CheckResult(check: "plugin.load", outcome: .pass, detail: "ok"),
            CheckResult(check: "plugin.exit", outcome: .fail, detail: "the worker crashed with SIGSEGV after the checks finished (in a destructor, at exit)"),
        ])
    }

    func testALostReportChannelIsNamed() throws {
        let worker = try fakeWorker("lost.sh", """
            echo '{"event":"start","index":0,"check":"plugin.load"}'
            exit \(WorkerChannel.lostStatus)
            """)
        XCTAssertEqual(try session(worker), [
            CheckResult(check: "plugin.load", outcome: .fail, detail: "lost its report channel (the plugin closed the worker's output)"),
        ])
    }

    func testManifestFingerprintCoversItsLibraries() throws {
        let dir = Self.scratch.appendingPathComponent("fingerprint")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let manifest = dir.appendingPathComponent("m.losshost.json").path
        let library = dir.appendingPathComponent("libm1.so").path
        try Data(#"{"manifest_version": 1, "plugin": "m", "summary": "s", "library": "libm1.so", "losses": []}"#.utf8)
            .write(to: URL(fileURLWithPath: manifest))
        let missing = try XCTUnwrap(PluginFingerprint.of(manifest, companions: ScalarManifestFormat().companionFiles(of: manifest)))
        XCTAssertEqual(missing.libraries, [library: .absent])
        try Data("one".utf8).write(to: URL(fileURLWithPath: library))
        let present = try XCTUnwrap(PluginFingerprint.of(manifest, companions: ScalarManifestFormat().companionFiles(of: manifest)))
        XCTAssertEqual(present.libraries[library]?.size, 3)
        XCTAssertEqual(present.file, missing.file)

        let home = Self.scratch.appendingPathComponent("fingerprint-cache")
        let cache = ScanCache(directory: home.path + "/losshost")
        cache.store(ScanCache.Entry(fingerprint: present, failure: "crashed", crashedInRun: nil), for: manifest)
        cache.save()
        let reread = ScanCache(directory: home.path + "/losshost")
        XCTAssertEqual(reread.entry(for: manifest, fingerprint: present)?.failure, "crashed")
        XCTAssertNil(reread.entry(for: manifest, fingerprint: missing))
        try Data("two!".utf8).write(to: URL(fileURLWithPath: library))
        XCTAssertNil(reread.entry(for: manifest, fingerprint: try XCTUnwrap(PluginFingerprint.of(manifest, companions: ScalarManifestFormat().companionFiles(of: manifest)))))
    }

    func testFolderRulesForTheLibraryAManifestNames() throws {
        let dir = Self.scratch.appendingPathComponent("rules")
        let libs = Self.scratch.appendingPathComponent("rules-libs")
        for d in [dir, libs] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        chmod(dir.path, 0o755)
        chmod(libs.path, 0o755)
        let library = libs.appendingPathComponent("libx.so").path
        _ = FileManager.default.createFile(atPath: library, contents: Data([1]))
        chmod(library, 0o644)
        let manifest = dir.appendingPathComponent("x.losshost.json").path
        _ = FileManager.default.createFile(atPath: manifest, contents: Data(#"{"library": "\#(library)"}"#.utf8))
        chmod(manifest, 0o644)
        XCTAssertNil(SafeLocation.problem(with: manifest, companions: ScalarManifestFormat().companionFiles(of: manifest)))
        chmod(library, 0o646)
        XCTAssertEqual(SafeLocation.problem(with: manifest, companions: ScalarManifestFormat().companionFiles(of: manifest)),
                       "the library \(library) (named by the manifest) is writable by every user (mode 646); run chmod o-w on it, or pass --allow-unsafe-plugins")
        chmod(library, 0o644)
        chmod(libs.path, 0o777)
        XCTAssertEqual(SafeLocation.problem(with: manifest, companions: ScalarManifestFormat().companionFiles(of: manifest)),
                       "the folder \(libs.path) of the library \(library) (named by the manifest) is writable by every user (mode 777); run chmod o-w on it, or pass --allow-unsafe-plugins")
        chmod(libs.path, 0o755)
        let formats = PluginFormats([ScalarManifestFormat()])
        XCTAssertEqual(PluginScanner(worker: nil, formats: formats).locationProblem(manifest), nil)
        chmod(libs.path, 0o777)
        XCTAssertNotNil(PluginScanner(worker: nil, formats: formats).locationProblem(manifest))
        XCTAssertNil(PluginScanner(worker: nil, allowUnsafeLocations: true, formats: formats).locationProblem(manifest))
    }
}
