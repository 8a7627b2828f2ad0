import Foundation
import Synchronization
import LossHostIO

/// Scan results per plugin file, kept in `$XDG_CACHE_HOME/losshost/scan-cache.json`
/// (default `~/.cache/losshost`), so `list` re-scans only files that changed.
/// An entry is used only while the file's size, mtime and content hash match,
/// and, for a scalar manifest, those of every library it names.
/// The file is rewritten atomically (a temporary file renamed over it).
public final class ScanCache: Sendable {
    /// One file's last scan.
    public struct Entry: Sendable, Equatable {
        public var fingerprint: FileFingerprint
        /// nil when the plugin loaded; else why it did not.
        public var failure: String?
        /// Set when a run of this plugin crashed or hung after a clean scan;
        /// `eval` then isolates it automatically.
        public var crashedInRun: String?
        /// For a scalar manifest: the libraries it names, as they were when scanned.
        public var libraries: [String: FileFingerprint] = [:]
        /// Everything the plugin declares (`PluginMetadata.encoded`), as the
        /// scan found it; nil for a file that failed, or a scan older than this
        /// field. A registry, `list` and `info` use it without loading the file here.
        public var metadata: String?

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
    }

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

    /// The cache kept in `file`, read from disk (an unreadable cache is empty).
    public init(file: String) {
        self.file = file
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
            write(state.entries)
            state.dirty = false
        }
    }

    private func write(_ entries: [String: Entry]) {
        let json = JSON.object([("version", .int(1)), ("entries", .object(entries.sorted { $0.key < $1.key }.map { path, e in
            (path, JSON.object(ScanCache.fields(e.fingerprint) + [
                ("failure", e.failure.map(JSON.string) ?? .null),
                ("crashed_in_run", e.crashedInRun.map(JSON.string) ?? .null),
            ] + (e.metadata.map { [("metadata", JSON.string($0))] } ?? [])
              + (e.libraries.isEmpty ? [] : [("libraries", JSON.object(e.libraries.sorted { $0.key < $1.key }.map { path, f in
                (path, ScanCache.json(f))
            }))])))
        }))])
        let folder = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? AtomicFile.write(Array((json.text + "\n").utf8), to: file)
    }

    /// size, mtime (a string: exact round trip) and hash.
    private static func fields(_ f: FileFingerprint) -> [(String, JSON)] {
        [("size", .int(Int(f.size))), ("mtime", .string(String(f.mtime))), ("hash", .string(f.hash))]
    }

    private static func json(_ f: FileFingerprint) -> JSON { .object(fields(f)) }

    private static func fingerprint(_ e: [String: Any]) -> FileFingerprint? {
        guard let size = (e["size"] as? NSNumber)?.uint64Value, let mtime = (e["mtime"] as? String).flatMap(Double.init),
              let hash = e["hash"] as? String else { return nil }
        return FileFingerprint(size: size, mtime: mtime, hash: hash)
    }

    private static func load(_ file: String) -> [String: Entry] {
        var entries: [String: Entry] = [:]
        guard let data = FileManager.default.contents(atPath: file),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (root["version"] as? NSNumber)?.intValue == 1,
              let all = root["entries"] as? [String: Any] else { return [:] }
        for (path, value) in all {
            guard let e = value as? [String: Any], let file = Self.fingerprint(e) else { continue }
            var libraries: [String: FileFingerprint] = [:]
            for (library, l) in e["libraries"] as? [String: Any] ?? [:] {
                guard let l = l as? [String: Any], let f = Self.fingerprint(l) else { continue }
                libraries[library] = f
            }
            var entry = Entry(fingerprint: PluginFingerprint(file: file, libraries: libraries),
                              failure: e["failure"] as? String, crashedInRun: e["crashed_in_run"] as? String)
            entry.metadata = e["metadata"] as? String
            entries[path] = entry
        }
        return entries
    }
}
