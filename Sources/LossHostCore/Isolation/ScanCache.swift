import Foundation

/// Scan results per plugin file, kept in `$XDG_CACHE_HOME/losshost/scan-cache.json`
/// (default `~/.cache/losshost`), so `list` re-scans only files that changed.
/// An entry is used only while the file's size, mtime and content hash match.
/// The file is rewritten atomically (a temporary file renamed over it).
public final class ScanCache: @unchecked Sendable {
    /// One file's last scan.
    public struct Entry: Sendable, Equatable {
        public var fingerprint: FileFingerprint
        /// nil when the plugin loaded; else why it did not.
        public var failure: String?
        /// Set when a run of this plugin crashed or hung after a clean scan;
        /// `eval` then isolates it automatically.
        public var crashedInRun: String?
    }

    public let file: String
    private var entries: [String: Entry] = [:]
    private var dirty = false
    private let lock = NSLock()

    /// The cache for this user, read from disk (an unreadable cache is empty).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")
        file = base + "/losshost/scan-cache.json"
        load()
    }

    /// The entry for `path` if it still describes the file as it is now.
    public func entry(for path: String, fingerprint: FileFingerprint) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[path], entry.fingerprint == fingerprint else { return nil }
        return entry
    }

    public func store(_ entry: Entry, for path: String) {
        lock.lock()
        entries[path] = entry
        dirty = true
        lock.unlock()
    }

    /// Records that running the plugin at `path` crashed (or is about to run),
    /// so later runs isolate it; nil clears the record.
    public func setRunMark(_ path: String, _ reason: String?) {
        guard let fingerprint = FileFingerprint.of(path) else { return }
        lock.lock()
        var entry = entries[path].flatMap { $0.fingerprint == fingerprint ? $0 : nil }
            ?? Entry(fingerprint: fingerprint, failure: nil, crashedInRun: nil)
        if entry.crashedInRun == reason { lock.unlock(); return }
        entry.crashedInRun = reason
        entries[path] = entry
        dirty = true
        lock.unlock()
        save()
    }

    /// Writes the cache if it changed; failures to write are ignored (it is only a cache).
    public func save() {
        lock.lock()
        defer { lock.unlock() }
        guard dirty else { return }
        let json = JSON.object([("version", .int(1)), ("entries", .object(entries.sorted { $0.key < $1.key }.map { path, e in
            (path, JSON.object([
                ("size", .int(Int(e.fingerprint.size))), ("mtime", .string(String(e.fingerprint.mtime))),  // a string: exact round trip
                ("hash", .string(e.fingerprint.hash)),
                ("failure", e.failure.map(JSON.string) ?? .null),
                ("crashed_in_run", e.crashedInRun.map(JSON.string) ?? .null),
            ]))
        }))])
        let folder = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? Data((json.text + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        dirty = false
    }

    private func load() {
        guard let data = FileManager.default.contents(atPath: file),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (root["version"] as? NSNumber)?.intValue == 1,
              let all = root["entries"] as? [String: Any] else { return }
        for (path, value) in all {
            guard let e = value as? [String: Any], let size = (e["size"] as? NSNumber)?.uint64Value,
                  let mtime = (e["mtime"] as? String).flatMap(Double.init), let hash = e["hash"] as? String else { continue }
            entries[path] = Entry(fingerprint: FileFingerprint(size: size, mtime: mtime, hash: hash),
                                  failure: e["failure"] as? String, crashedInRun: e["crashed_in_run"] as? String)
        }
    }
}
