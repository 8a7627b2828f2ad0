import Foundation

/// One line a worker prints: a JSON object with an "event" field. The parent
/// reads them back with `parse`.
public struct WorkerEvent: Sendable {
    public let strings: [String: String]
    public let numbers: [String: Double]

    /// The event's kind, e.g. "start", "result", "done".
    public var kind: String { strings["event"] ?? "" }

    public func string(_ key: String) -> String? { strings[key] }
    public func number(_ key: String) -> Double? { numbers[key] }

    /// The event on one line of worker output; nil for anything else.
    public static func parse(_ line: String) -> WorkerEvent? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        var strings: [String: String] = [:], numbers: [String: Double] = [:]
        for (key, value) in object {
            if let s = value as? String { strings[key] = s } else if let n = value as? NSNumber { numbers[key] = n.doubleValue }
        }
        return WorkerEvent(strings: strings, numbers: numbers)
    }

    /// Prints one event line and flushes it, so the parent sees it before a crash.
    public static func emit(_ kind: String, _ fields: [(String, JSON)]) {
        let line = JSON.object([("event", .string(kind))] + fields).text + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
