import Foundation
import LossHostCore

/// `lh_host_check`: `losshost check TARGET` run in worker processes (the CLI's
/// check session), its JSON report with the fingerprint of the plugin file it
/// checked, and optionally a verdict cache keyed by that fingerprint and the seed.
enum HostCheck {
    /// What a target names: what the workers are told to check, and the file
    /// whose fingerprint stands for it (the host library itself for the built-ins).
    struct Resolved {
        let workerTarget: String
        let file: String?
    }

    /// The report, with `"fingerprint"` and `"cached"`, as JSON text. `pins` and `sweep`: as
    /// `check --param` and (when false) `--no-sweep`.
    static func run(_ host: Host, target: String, seed: UInt64, cached: Bool, pins: [String] = [],
                    sweep: Bool = true) throws(HostError) -> String {
        let resolved = try resolve(host, target)
        let fingerprint = resolved.file.flatMap { FileFingerprint.of($0) }
        let fingerprintJSON: JSON = if let file = resolved.file, let fingerprint {
            .object([("path", .string(file)), ("size", .int(Int(fingerprint.size))), ("mtime", .number(fingerprint.mtime)),
                     ("hash", .string(fingerprint.hash))])
        } else {
            .null
        }
        let at = sweep && pins.isEmpty ? "" : "|\(pins.joined(separator: " "))\(sweep ? "" : " no-sweep")"
        let key = "losshost-check 1|\(resolved.workerTarget)|\(seed)\(at)|\(fingerprintJSON.text)"
        let cacheFile = host.options.cacheDir + "/checks/" + hash(key) + ".txt"
        if cached, fingerprint != nil, let report = read(cacheFile, key: key) {
            return withFields(report, fingerprintJSON, cached: true)
        }
        let options = CheckOptions(target: resolved.workerTarget, seed: seed, only: nil,
                                   configuration: host.options.configuration, params: pins, sweep: sweep)
        let results: [CheckResult]
        do {
            results = try CheckSession(options).runIsolated(executable: host.options.workerExecutable)
        } catch {
            throw .argument(error.description)
        }
        let report = CheckResult.report(target: target, seed: seed, results: results).text
        if cached, fingerprint != nil { write(cacheFile, key: key, report: report) }
        return withFields(report, fingerprintJSON, cached: false)
    }

    /// A plugin file, a plugin id or a loss id, as the host resolves it.
    static func resolve(_ host: Host, _ target: String) throws(HostError) -> Resolved {
        if CheckRunner.isPathTarget(target) {
            guard FileManager.default.fileExists(atPath: target) else { throw .argument("no such file: \(target)") }
            let path = PluginLoader.canonicalPath(target)
            return Resolved(workerTarget: path, file: path)
        }
        if let plugin = host.registry.plugin(target) {
            return Resolved(workerTarget: plugin.path ?? plugin.id, file: plugin.path ?? LibraryLocation.path)
        }
        do {
            let loss = try host.registry.resolve(target)
            return Resolved(workerTarget: loss.qualifiedID, file: host.registry.pluginPath(loss.pluginID) ?? LibraryLocation.path)
        } catch {
            throw .argument(error.description.replacingOccurrences(of: "unknown loss", with: "unknown loss or plugin"))
        }
    }

    /// The report object with the two fields appended.
    private static func withFields(_ report: String, _ fingerprint: JSON, cached: Bool) -> String {
        String(report.dropLast()) + ", \"fingerprint\": \(fingerprint.text), \"cached\": \(cached)}"
    }

    /// 64-bit FNV-1a of the key, as a file name.
    private static func hash(_ key: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A cached report: the file holds the key on its first line, the report on its second.
    private static func read(_ file: String, key: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 1).map(String.init)
        guard lines.count == 2, lines[0] == key else { return nil }
        let report = lines[1].trimmingCharacters(in: .newlines)
        guard report.hasSuffix("}"), (try? JSONSerialization.jsonObject(with: Data(report.utf8))) is [String: Any] else { return nil }
        return report
    }

    /// Stores a report (atomically: a temporary file renamed over it); a cache that cannot be written is skipped.
    private static func write(_ file: String, key: String, report: String) {
        let folder = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? Data((key + "\n" + report + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
