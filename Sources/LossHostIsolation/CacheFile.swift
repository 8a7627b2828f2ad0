import Foundation
import LossHostIO

/// The caches' one way to write: a `Codable` value as JSON (`encode`), its
/// folder created, the file replaced with `AtomicFile`. A cache that cannot be
/// written is skipped: it is only a cache.
public enum CacheFile {
    public static func write<Value: Encodable>(_ value: Value, to path: String) {
        guard let data = encode(value) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try? AtomicFile.write(Array(data) + [UInt8(ascii: "\n")], to: path)
    }

    /// `value` as JSON with sorted keys and plain slashes: the same value, the same bytes.
    public static func encode<Value: Encodable>(_ value: Value) -> Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try? encoder.encode(value)
    }

    /// The value at `path`, or nil when it is missing or does not decode.
    public static func read<Value: Decodable>(_ type: Value.Type, from path: String) -> Value? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}
