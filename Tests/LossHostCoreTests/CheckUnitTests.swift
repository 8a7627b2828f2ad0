import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools
import StandardLosses

/// The checker's pieces that need no plugin: plans, random numbers, finite
/// differences, guard bands, the folder rules and the scan cache.
final class CheckUnitTests: XCTestCase {
    func testPlanOrderAndFilter() {
        let all = CheckPlan(losses: ["a"], only: nil).items.map(\.name)
        XCTAssertEqual(all, ["plugin.load", "plugin.metadata", "a.lifecycle", "a.gradient", "a.hessian", "a.boosting", "a.fused",
                             "a.composition", "a.determinism", "a.threads", "a.robustness", "a.memory", "a.params", "a.float32"])
        XCTAssertEqual(CheckPlan(losses: ["a", "b"], only: "*.gradient").items.map(\.name), ["plugin.load", "a.gradient", "b.gradient"])
        XCTAssertEqual(CheckPlan(losses: ["a", "b"], only: "b.mem").items.map(\.name), ["plugin.load", "b.memory"])
    }

    func testSeededRandomRepeatsPerLabel() {
        var a = SeededRandom(seed: 5, label: "x"), b = SeededRandom(seed: 5, label: "x"), c = SeededRandom(seed: 5, label: "y")
        let first = a.next()
        XCTAssertEqual(first, b.next())
        XCTAssertNotEqual(first, c.next())
        for _ in 0..<100 {
            let u = a.uniform(-3, 3)
            XCTAssertTrue(u >= -3 && u < 3)
        }
    }

    func testFiniteDifferenceFindsSlopesAndKinks() throws {
        guard case .slope(let s, _) = try FiniteDifference.slope(at: 1.5, { (x: Double) throws(CheckFailure) in x * x * x }) else {
            return XCTFail("a smooth function has a slope")
        }
        XCTAssertEqual(s, 3 * 1.5 * 1.5, accuracy: 1e-7)
        guard case .kink = try FiniteDifference.slope(at: 1e-7, { (x: Double) throws(CheckFailure) in abs(x) }) else {
            return XCTFail("|x| next to 0 is a kink")
        }
    }

    func testFiniteDifferencesInFloat32() throws {
        // x^3 computed in float: double-sized steps drown in rounding, float-sized ones do not.
        let f = { (x: Double) throws(CheckFailure) -> Double in let y = Float(x); return Double(y * y * y) }
        guard case .slope(let s, _) = try FiniteDifference.slope(at: 1.5, precision: .single, f) else {
            return XCTFail("a smooth function has a slope")
        }
        XCTAssertEqual(s, 6.75, accuracy: 1e-3 * 6.75)
        guard case .kink = try FiniteDifference.slope(at: 1e-3, precision: .single, { (x: Double) throws(CheckFailure) in abs(x) }) else {
            return XCTFail("|x| next to 0 is a kink in float too")
        }
    }

    func testComputationalNoiseMeasuresCancellationAndNotSmoothness() throws {
        // Smooth: rounding only.
        let smooth = try XCTUnwrap(try ComputationalNoise.estimate(at: 1.5, precision: .double) { (x: Double) throws(CheckFailure) in x * x * x })
        XCTAssertLessThanOrEqual(smooth.digitsLost, 1, "\(smooth)")
        // 1e12 (sqrt(1 + (x/1e6)^2) - 1) keeps about 5 of 16 digits near x = 4.
        let cancels = { (x: Double) throws(CheckFailure) -> Double in 1e12 * ((1 + (x / 1e6) * (x / 1e6)).squareRoot() - 1) }
        let noise = try XCTUnwrap(try ComputationalNoise.estimate(at: 4.3, precision: .double, cancels))
        XCTAssertTrue(noise.relative > 1e-7 && noise.relative < 1e-3, "\(noise)")
        XCTAssertTrue(noise.digitsLost >= 9 && noise.digitsLost <= 12, "\(noise)")
        // Its right derivative cannot be verified to 1e-5; a wrong one at a verifiable point still disagrees.
        guard case .noisy = try FiniteDifference.compareSlope(4.3, at: 4.3, tolerance: 1e-5, cancels) else {
            return XCTFail("a value this noisy cannot verify a slope to 1e-5")
        }
        let mild = { (x: Double) throws(CheckFailure) -> Double in 1e4 * ((1 + (x / 1e2) * (x / 1e2)).squareRoot() - 1) }
        guard case .agrees = try FiniteDifference.compareSlope(4.3 / (1 + 4.3 * 4.3 / 1e4).squareRoot(), at: 4.3, tolerance: 1e-5, mild) else {
            return XCTFail("a mildly cancelling value verifies its slope at a wider step")
        }
        guard case .disagrees = try FiniteDifference.compareSlope(1.5 * 4.3, at: 4.3, tolerance: 1e-5, mild) else {
            return XCTFail("a wrong slope still disagrees")
        }
        // A steep exponential is a smooth bend, not a kink.
        guard case .agrees = try FiniteDifference.compareSlope(exp(300.0), at: 30, tolerance: 1e-5, { (x: Double) throws(CheckFailure) in exp(10 * x) / 10 }) else {
            return XCTFail("exp(10 x) at x = 30 is smooth")
        }
    }

    func testGuardBandsCatchWritesOutsideAndUnwrittenElements() {
        let out = GuardedBuffer(output: 3)
        out.pointer[0] = 1
        out.pointer[1] = 2
        XCTAssertEqual(out.firstUnwritten(), 2)
        out.pointer[2] = 3
        XCTAssertNil(out.firstUnwritten())
        XCTAssertNil(out.guardViolation("values"))
        out.pointer[3] = 42
        XCTAssertEqual(out.guardViolation("values"), "wrote past the end of values: element [3] of a 3-element buffer = 42")
        let before = GuardedBuffer(output: 2)
        (before.pointer - 1).pointee = 7
        XCTAssertEqual(before.guardViolation("gradient"), "wrote 1 element(s) before the start of gradient (value 7)")
        let input = GuardedBuffer(input: [1, 2])
        XCTAssertNil(input.firstChange(from: [1, 2]))
        input.pointer[1] = 5
        XCTAssertEqual(input.firstChange(from: [1, 2]), 1)
    }

    func testFolderRules() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("check-safe-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        chmod(dir.path, 0o755)
        let file = dir.appendingPathComponent("libx.so").path
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        chmod(file, 0o644)
        XCTAssertNil(SafeLocation.problem(with: file))
        chmod(file, 0o646)
        XCTAssertEqual(SafeLocation.problem(with: file),
                       "the file \(file) is writable by every user (mode 646); run chmod o-w on it, or pass --allow-unsafe-plugins")
        chmod(file, 0o644)
        chmod(dir.path, 0o777)
        XCTAssertEqual(SafeLocation.problem(with: file),
                       "the folder \(dir.path) is writable by every user (mode 777); run chmod o-w on it, or pass --allow-unsafe-plugins")
    }

    func testScanCacheRoundTripsAndNoticesChanges() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("check-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: home) }
        let plugin = home.appendingPathComponent("libp.so").path
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: plugin, contents: Data("one".utf8))
        let fingerprint = try XCTUnwrap(FileFingerprint.of(plugin))
        let cache = ScanCache(directory: home.path + "/losshost")
        cache.store(ScanCache.Entry(fingerprint: fingerprint, failure: "boom", crashedInRun: nil), for: plugin)
        cache.save()
        let reread = ScanCache(directory: home.path + "/losshost")
        XCTAssertEqual(reread.entry(for: plugin, fingerprint: fingerprint)?.failure, "boom")
        _ = FileManager.default.createFile(atPath: plugin, contents: Data("two".utf8))
        let changed = try XCTUnwrap(FileFingerprint.of(plugin))
        XCTAssertNotEqual(changed.hash, fingerprint.hash)
        XCTAssertNil(reread.entry(for: plugin, fingerprint: changed))
    }

    /// The cache keeps a plugin's metadata as a nested object and reads it back;
    /// a cache of the old layout (version 1, metadata as a string), of an unknown
    /// version, or not JSON at all is ignored (the files are scanned again), and an
    /// entry whose metadata this host cannot read is dropped alone.
    func testScanCacheKeepsMetadataAsAnObjectAndIgnoresOtherLayouts() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("scan-cache-layout-\(getpid())")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let plugin = home.appendingPathComponent("libp.so").path
        _ = FileManager.default.createFile(atPath: plugin, contents: Data("one".utf8))
        let fingerprint = try XCTUnwrap(FileFingerprint.of(plugin))
        let metadata = PluginMetadata(id: "p", version: "1.0", summary: "a plugin", abiMajor: 1, abiMinor: 2, path: nil,
                                      losses: StandardPlugin.losses.prefix(2).map {
            LossMetadata(info: $0.info, pluginID: "p", numericGradient: false, numericHessian: false)
        })
        let cache = ScanCache(directory: home.path)
        var entry = ScanCache.Entry(fingerprint: fingerprint, failure: nil, crashedInRun: nil)
        entry.metadata = metadata
        cache.store(entry, for: plugin)
        cache.save()
        let data = try Data(contentsOf: URL(fileURLWithPath: cache.file))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(root["version"] as? Int, 2)
        let stored = try XCTUnwrap((root["entries"] as? [String: Any])?[plugin] as? [String: Any])
        XCTAssertEqual((stored["metadata"] as? [String: Any])?["id"] as? String, "p")
        let reread = try XCTUnwrap(ScanCache(directory: home.path).entry(for: plugin, fingerprint: fingerprint)?.metadata)
        XCTAssertEqual(reread.losses.map(\.qualifiedID), metadata.losses.map(\.qualifiedID))
        XCTAssertEqual(reread.losses.map(\.info.parameters.count), metadata.losses.map(\.info.parameters.count))
        XCTAssertEqual(reread.abiMinor, 2)

        let old = #"{"version": 1, "entries": {"\#(plugin)": {"size": 3, "mtime": "\#(fingerprint.mtime)", "hash": "\#(fingerprint.hash)", "failure": null, "crashed_in_run": null, "metadata": "{\"id\":\"p\"}"}}}"#
        for text in [old, #"{"version": 3, "entries": {}}"#, "not json", #"{"version": 2, "entries": []}"#] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: cache.file))
            XCTAssertNil(ScanCache(directory: home.path).recorded(plugin), text)
        }
        // One entry this host cannot read (an unknown loss kind) is dropped; the others stay.
        var root2 = root
        var entries = try XCTUnwrap(root2["entries"] as? [String: Any])
        var unknown = stored
        var unknownMetadata = try XCTUnwrap(stored["metadata"] as? [String: Any])
        var losses = try XCTUnwrap(unknownMetadata["losses"] as? [[String: Any]])
        losses[0]["kind"] = 999
        unknownMetadata["losses"] = losses
        unknown["metadata"] = unknownMetadata
        entries["/elsewhere/libq.so"] = unknown
        root2["entries"] = entries
        try JSONSerialization.data(withJSONObject: root2).write(to: URL(fileURLWithPath: cache.file))
        let mixed = ScanCache(directory: home.path)
        XCTAssertNotNil(mixed.entry(for: plugin, fingerprint: fingerprint)?.metadata)
        XCTAssertNil(mixed.recorded("/elsewhere/libq.so"))
    }

    /// A file whose size and modification time match the cache's record keeps the
    /// recorded hash without being read; any change of either is hashed again.
    func testFingerprintReusesTheHashOfAnUnchangedFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("losshost-fingerprint-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("libq.so").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("abc".utf8))
        let real = try XCTUnwrap(FileFingerprint.of(path))
        let recorded = FileFingerprint(size: real.size, mtime: real.mtime, hash: "recorded")
        XCTAssertEqual(FileFingerprint.of(path, reusing: recorded), recorded, "same size and mtime: not hashed again")
        let otherSize = FileFingerprint(size: real.size + 1, mtime: real.mtime, hash: "recorded")
        XCTAssertEqual(FileFingerprint.of(path, reusing: otherSize), real)
        usleep(20_000)
        _ = FileManager.default.createFile(atPath: path, contents: Data("abd".utf8))
        let rewritten = try XCTUnwrap(FileFingerprint.of(path, reusing: recorded))
        XCTAssertNotEqual(rewritten.hash, "recorded", "a new mtime is hashed again")
        XCTAssertNotEqual(rewritten.hash, real.hash)
        XCTAssertNil(FileFingerprint.of(folder.appendingPathComponent("missing.so").path, reusing: recorded))
    }

    func testSignalNames() {
        XCTAssertEqual(SignalName.of(SIGSEGV), "SIGSEGV")
        XCTAssertEqual(SignalName.of(SIGABRT), "SIGABRT")
        XCTAssertEqual(WorkerOutcome.timedOut(seconds: 1).description, "timed out after 1 s")
        XCTAssertEqual(WorkerOutcome.exited(3).description, "exited with status 3")
    }
}
