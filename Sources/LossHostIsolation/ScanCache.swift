import Foundation
import Synchronization
import LossHostABI

/// Scan results per plugin file, kept in `$XDG_CACHE_HOME/losshost/scan-cache.json`
/// (default `~/.cache/losshost`), so `list` re-scans only files that changed.
/// An entry is used only while the file's size, mtime and content hash match,
/// and, for a scalar manifest, those of every library it names.
/// The file (`ScanCache.File`, JSON) is rewritten with `AtomicFile`; a file of
/// another version, or one that does not decode, is ignored (everything is scanned again).
public final class ScanCache: Sendable {
    /// One file's last scan.
    public struct Entry: Sendable, Codable {
        public var fingerprint: FileFingerprint
        /// nil when the plugin loaded; else why it did not.
        public var failure: String?
        /// Set when a run of this plugin crashed or hung after a clean scan;
        /// `eval` then isolates it automatically.
        public var crashedInRun: String?
        /// For a scalar manifest: the libraries it names, as they were when scanned.
        public var libraries: [String: FileFingerprint] = [:]
        /// Everything the plugin declares (without its path), as the scan found it;
        /// nil for a file that failed. A registry, `list` and `info` use it without
        /// loading the file here.
        public var metadata: PluginMetadata?

        /// The plugin file and its libraries, as this entry describes them.
        public var pluginFingerprint: PluginFingerprint { PluginFingerprint(file: fingerprint, libraries: libraries) }

        public init(fingerprint: PluginFingerprint, failure: String?, crashedInRun: String?) {
            self.fingerprint = fingerprint.file
            self.libraries = fingerprint.libraries
            self.failure = failure
            self.crashedInRun = crashedInRun
        }

        public init(fingerprint: FileFingerprint, failure: String?, crashedInRun: String?) {
            self.init(fingerprint: PluginFingerprint(file: fingerprint), failure: failure, crashedInRun: crashedInRun)
        }

        private enum CodingKeys: String, CodingKey { case fingerprint, failure, crashedInRun, libraries, metadata }

        /// Every key, a missing value as null, so the file says "no failure" rather than nothing.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(fingerprint, forKey: .fingerprint)
            try c.encode(failure, forKey: .failure)
            try c.encode(crashedInRun, forKey: .crashedInRun)
            try c.encode(libraries, forKey: .libraries)
            try c.encode(metadata, forKey: .metadata)
        }
    }

    /// The file's contents: `{"version": 2, "entries": {PATH: Entry}}`.
    struct File: Codable {
        static let currentVersion = 2
        var version: Int
        var entries: [String: Tolerant]
    }

    /// An entry, or nil for one this host cannot read (a metadata value it does
    /// not know): that file alone is scanned again.
    struct Tolerant: Codable {
        var entry: Entry?
        init(_ entry: Entry) { self.entry = entry }
        init(from decoder: any Decoder) throws { entry = try? Entry(from: decoder) }
        func encode(to encoder: any Encoder) throws { try entry.encode(to: encoder) }
    }

    /// Only the version, read first so a file of another layout is not decoded further.
    private struct Version: Decodable { var version: Int }

    public let file: String
    private struct State {
        var entries: [String: Entry] = [:]
        var dirty = false
    }
    private let state: Mutex<State>

    /// The cache in `directory` (`HostConfiguration.cacheDirectory`), read from
    /// disk (an unreadable cache is empty).
    public init(directory: String) {
        file = directory + "/scan-cache.json"
        state = Mutex(State(entries: Self.load(file)))
    }

    /// The entry for `path` if it still describes the file (and the libraries
    /// a manifest names) as they are now.
    public func entry(for path: String, fingerprint: PluginFingerprint) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[path], entry.pluginFingerprint == fingerprint else { return nil }
            return entry
        }
    }

    /// The fingerprint recorded for `path`, whether or not it still matches.
    public func recorded(_ path: String) -> PluginFingerprint? {
        state.withLock { $0.entries[path]?.pluginFingerprint }
    }

    /// The entry for a plugin file that depends on no other file.
    public func entry(for path: String, fingerprint: FileFingerprint) -> Entry? {
        entry(for: path, fingerprint: PluginFingerprint(file: fingerprint))
    }

    public func store(_ entry: Entry, for path: String) {
        state.withLock { state in
            state.entries[path] = entry
            state.dirty = true
        }
    }

    /// Records that running the plugin at `path` crashed (or is about to run),
    /// so later runs isolate it; nil clears the record. `companions`: the files
    /// its fingerprint covers besides itself (a manifest's libraries).
    public func setRunMark(_ path: String, _ reason: String?, companions: [String] = []) {
        guard let fingerprint = PluginFingerprint.of(path, companions: companions, reusing: recorded(path)) else { return }
        let changed = state.withLock { state in
            var entry = state.entries[path].flatMap { $0.pluginFingerprint == fingerprint ? $0 : nil }
                ?? Entry(fingerprint: fingerprint, failure: nil, crashedInRun: nil)
            if entry.crashedInRun == reason { return false }
            entry.crashedInRun = reason
            state.entries[path] = entry
            state.dirty = true
            return true
        }
        if changed { save() }
    }

    /// Writes the cache if it changed; failures to write are ignored (it is only a cache).
    public func save() {
        state.withLock { state in
            guard state.dirty else { return }
            let contents = File(version: File.currentVersion, entries: state.entries.mapValues(Tolerant.init))
            CacheFile.write(contents, to: file)
            state.dirty = false
        }
    }

    private static func load(_ file: String) -> [String: Entry] {
        guard CacheFile.read(Version.self, from: file)?.version == File.currentVersion,
              let contents = CacheFile.read(File.self, from: file) else { return [:] }
        return contents.entries.compactMapValues(\.entry)
    }
}
