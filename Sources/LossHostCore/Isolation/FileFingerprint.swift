import Foundation

/// What identifies one version of a plugin file: its size, modification time
/// and a hash of its bytes (64-bit FNV-1a).
public struct FileFingerprint: Sendable, Equatable {
    public var size: UInt64
    public var mtime: Double
    public var hash: String

    /// The fingerprint of the file at `path`, or nil when it cannot be read.
    public static func of(_ path: String) -> FileFingerprint? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let data = FileManager.default.contents(atPath: path) else { return nil }
        let size = UInt64(data.count)
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return FileFingerprint(size: size, mtime: mtime, hash: String(repeating: "0", count: 16 - hex.count) + hex)
    }
}
