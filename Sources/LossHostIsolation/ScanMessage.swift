import LossHostABI

/// What a scan worker reports about the one plugin file it loaded, one JSON
/// object per line: `{"event":"loaded","plugin":{…}}`, `{"event":"failed","reason":"…"}`,
/// `{"event":"refused","reason":"…"}`, then `{"event":"done"}`.
public enum ScanMessage: Sendable {
    /// It loaded; everything it declares, so a registry need not load it here.
    case loaded(PluginMetadata)
    /// It did not load (for a manifest, the parent loads it again for the error's line).
    case failed(reason: String)
    /// It loaded but did something that makes it unfit for the host (e.g. closed stdout).
    case refused(reason: String)
    /// The report is complete.
    case done

    public var isDone: Bool {
        if case .done = self { true } else { false }
    }
}

extension ScanMessage: Codable {
    private enum Key: String, CodingKey { case event, plugin, reason }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .event) {
        case "loaded": self = .loaded(try c.decode(PluginMetadata.self, forKey: .plugin))
        case "failed": self = .failed(reason: try c.decode(String.self, forKey: .reason))
        case "refused": self = .refused(reason: try c.decode(String.self, forKey: .reason))
        case "done": self = .done
        case let other: throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "not a scan event: \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .loaded(let plugin):
            try c.encode("loaded", forKey: .event)
            try c.encode(plugin, forKey: .plugin)
        case .failed(let reason):
            try c.encode("failed", forKey: .event)
            try c.encode(reason, forKey: .reason)
        case .refused(let reason):
            try c.encode("refused", forKey: .event)
            try c.encode(reason, forKey: .reason)
        case .done:
            try c.encode("done", forKey: .event)
        }
    }
}
