import Foundation
import LossHostIO
import LossHostIsolation

/// Verdicts of `check`, kept next to the scan cache in `CACHE/checks/`, one
/// file per run (`check --cached`, `lh_host_check` with `LH_HOST_CHECK_CACHED`):
/// a verdict is reused while the file it checked is unchanged (`FileFingerprint`)
/// and the run is the same (target, seed, parameter pins, sweep, `--only`, timeout).
public struct CheckVerdictCache: Sendable {
    /// What a verdict depends on.
    public struct Key: Codable, Sendable, Equatable {
        public var target: String
        public var seed: UInt64
        public var params: [String]
        public var sweep: Bool
        public var only: String?
        public var callTimeout: Double
        public var file: String
        public var fingerprint: FileFingerprint

        /// The key of `options`' run on `target` as its file is now; nil when the file cannot be read.
        public init?(_ options: CheckOptions, target: CheckTarget) {
            guard let file = target.file, let fingerprint = FileFingerprint.of(file) else { return nil }
            self.target = target.workerTarget
            seed = options.seed
            params = options.params
            sweep = options.sweep
            only = options.only
            callTimeout = options.configuration.callTimeout
            self.file = file
            self.fingerprint = fingerprint
        }
    }

    /// One cached verdict: `{"version": 1, "key": Key, "results": [{"check", "outcome", "detail"}]}`.
    struct Stored: Codable {
        static let currentVersion = 1
        var version: Int
        var key: Key
        var results: [CheckResult]
    }

    /// A run's results, and whether they came from the cache.
    public struct Verdict: Sendable {
        public var results: [CheckResult]
        /// nil when the checked file could not be read (nothing is cached then).
        public var key: Key?
        public var cached: Bool

        public init(results: [CheckResult], key: Key?, cached: Bool) {
            self.results = results
            self.key = key
            self.cached = cached
        }

        /// What the report adds: `"fingerprint"` (`{"path", "size", "mtime", "hash"}`, or null) and `"cached"`.
        public var reportFields: [(String, JSON)] {
            let fingerprint: JSON = key.map { key in
                .object([("path", .string(key.file)), ("size", .unsigned(key.fingerprint.size)),
                         ("mtime", .number(key.fingerprint.mtime)), ("hash", .string(key.fingerprint.hash))])
            } ?? .null
            return [("fingerprint", fingerprint), ("cached", .bool(cached))]
        }
    }

    public let directory: String

    /// The verdicts kept under `cacheDirectory` (`HostConfiguration.cacheDirectory`).
    public init(cacheDirectory: String) {
        directory = cacheDirectory + "/checks"
    }

    /// The results of an earlier run with this key; nil when there is none (or it is unreadable).
    public func results(for key: Key) -> [CheckResult]? {
        guard let stored = CacheFile.read(Stored.self, from: file(for: key)),
              stored.version == Stored.currentVersion, stored.key == key else { return nil }
        return stored.results
    }

    /// Keeps the results of a run; a verdict that cannot be written is skipped.
    public func store(_ results: [CheckResult], for key: Key) {
        CacheFile.write(Stored(version: Stored.currentVersion, key: key, results: results), to: file(for: key))
    }

    /// The verdict of `options`' run on `target`: with `reuse`, an earlier one when
    /// the file and the run are unchanged, else `run()`'s, which is then kept.
    public func verdict<Failure: Error>(_ options: CheckOptions, target: CheckTarget, reuse: Bool,
                                        run: () throws(Failure) -> [CheckResult]) throws(Failure) -> Verdict {
        let key = Key(options, target: target)
        if reuse, let key, let results = results(for: key) { return Verdict(results: results, key: key, cached: true) }
        let results = try run()
        if reuse, let key { store(results, for: key) }
        return Verdict(results: results, key: key, cached: false)
    }

    /// `CACHE/checks/HASH.json`, HASH the FNV-1a of the key's JSON.
    private func file(for key: Key) -> String {
        "\(directory)/\(FileFingerprint.hash(CacheFile.encode(key) ?? Data())).json"
    }
}
