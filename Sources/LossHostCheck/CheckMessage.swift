import LossHostIsolation

/// What a check worker reports, one JSON object per line with an "event" field:
/// each check's start, each change of stage, each result, a fault outside any
/// plugin call (`WorkerChannel.faultLine`), and at the end how many results it sent.
public enum CheckMessage: Sendable, Equatable {
    case start(index: Int, check: String, loss: String?)
    case stage(String)
    case result(index: Int, check: String, outcome: CheckResult.Outcome, detail: String)
    /// The target could not be resolved; nothing ran.
    case error(String)
    /// A thread faulted outside any plugin call.
    case fault
    /// The report is complete; the count lets the parent notice one that did not arrive whole.
    case done(results: Int)

    /// The message for a runner's event.
    public init(_ event: CheckRunner.Event) {
        switch event {
        case .start(let index, let check, let loss): self = .start(index: index, check: check, loss: loss)
        case .stage(let stage): self = .stage(stage)
        case .result(let index, let result): self = .result(index: index, check: result.check, outcome: result.outcome, detail: result.detail)
        case .error(let message): self = .error(message)
        }
    }
}

extension CheckResult.Outcome: Codable {}

extension CheckMessage: Codable {
    private enum Key: String, CodingKey { case event, index, check, loss, stage, result, detail, message, results }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .event) {
        case "start":
            self = .start(index: try c.decode(Int.self, forKey: .index), check: try c.decode(String.self, forKey: .check),
                          loss: try c.decodeIfPresent(String.self, forKey: .loss))
        case "stage": self = .stage(try c.decode(String.self, forKey: .stage))
        case "result":
            self = .result(index: try c.decode(Int.self, forKey: .index), check: try c.decode(String.self, forKey: .check),
                           outcome: try c.decode(CheckResult.Outcome.self, forKey: .result),
                           detail: try c.decode(String.self, forKey: .detail))
        case "error": self = .error(try c.decode(String.self, forKey: .message))
        case "fault": self = .fault
        case "done": self = .done(results: try c.decode(Int.self, forKey: .results))
        case let other: throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "not a check event: \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .start(let index, let check, let loss):
            try c.encode("start", forKey: .event)
            try c.encode(index, forKey: .index)
            try c.encode(check, forKey: .check)
            try c.encodeIfPresent(loss, forKey: .loss)
        case .stage(let stage):
            try c.encode("stage", forKey: .event)
            try c.encode(stage, forKey: .stage)
        case .result(let index, let check, let outcome, let detail):
            try c.encode("result", forKey: .event)
            try c.encode(index, forKey: .index)
            try c.encode(check, forKey: .check)
            try c.encode(outcome, forKey: .result)
            try c.encode(detail, forKey: .detail)
        case .error(let message):
            try c.encode("error", forKey: .event)
            try c.encode(message, forKey: .message)
        case .fault:
            try c.encode("fault", forKey: .event)
        case .done(let results):
            try c.encode("done", forKey: .event)
            try c.encode(results, forKey: .results)
        }
    }
}
