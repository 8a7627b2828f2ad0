import Foundation
import LossHostABI

/// What identifies one version of a plugin file: its size, modification time
/// and a hash of its bytes (64-bit FNV-1a).
public struct FileFingerprint: Sendable, Equatable, Codable {
    public var size: UInt64
    public var mtime: Double
    public var hash: String

    /// Stands for a file that does not exist (a library a manifest names but
    /// that is not there yet): creating it changes the fingerprint.
    public static let absent = FileFingerprint(size: 0, mtime: 0, hash: "absent")

    /// The fingerprint of the file at `path`, or nil when it cannot be read.
    /// When `known` has the file's current size and modification time, it is
    /// returned as is and the file is not read again (hashing is the slow part
    /// of every command's start-up).
    public static func of(_ path: String, reusing known: FileFingerprint? = nil) -> FileFingerprint? {
        guard FileKind.nonRegularKind(path) == nil else { return nil }  // reading a FIFO would block
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let statSize = (attributes[.size] as? NSNumber)?.uint64Value
        if let known, known != .absent, let statSize, known.size == statSize, known.mtime == mtime { return known }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return FileFingerprint(size: UInt64(data.count), mtime: mtime, hash: hash(data))
    }

    /// 64-bit FNV-1a of `bytes`, as 16 hexadecimal digits.
    public static func hash(_ data: Data) -> String {
        let h = data.withUnsafeBytes { bytes -> UInt64 in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                h ^= UInt64(byte)
                h = h &* 0x0000_0100_0000_01b3
            }
            return h
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// What a scan result depends on: the plugin file and, for a scalar manifest,
/// every library the manifest names (loading the manifest `dlopen`s them, so a
/// rebuilt library must be scanned again even when the manifest is unchanged).
public struct PluginFingerprint: Sendable, Equatable {
    public var file: FileFingerprint
    /// Canonical library path → its fingerprint (`FileFingerprint.absent` when missing); empty for `.so` plugins.
    public var libraries: [String: FileFingerprint]

    public init(file: FileFingerprint, libraries: [String: FileFingerprint] = [:]) {
        self.file = file
        self.libraries = libraries
    }

    /// The fingerprint of the plugin file at `path` and of its companion files
    /// (a manifest's libraries), or nil when the file cannot be read; files whose
    /// size and modification time match `known` (the cache's record) are not hashed again.
    public static func of(_ path: String, companions: [String] = [], reusing known: PluginFingerprint? = nil) -> PluginFingerprint? {
        guard let file = FileFingerprint.of(path, reusing: known?.file) else { return nil }
        var libraries: [String: FileFingerprint] = [:]
        for library in companions {
            libraries[library] = FileFingerprint.of(library, reusing: known?.libraries[library]) ?? .absent
        }
        return PluginFingerprint(file: file, libraries: libraries)
    }
}
