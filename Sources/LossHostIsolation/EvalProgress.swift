import Foundation
import Synchronization
import LossHostABI

/// What an isolated evaluation's worker reports on its channel before its reply
/// (`EvaluateReply`): each plugin call as it starts, and that it is alive while no
/// call runs. Its parent kills it when a call makes no progress for the call
/// limit, and names that call.
public enum EvalProgress: Sendable, Equatable, Codable {
    /// Call `number` of `stage` ("create", "evaluate", …) started.
    case call(stage: String, number: Int)
    /// No plugin call is running; the worker reads input or writes output.
    case alive

    private enum Key: String, CodingKey { case event, stage, call }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .event) {
        case "call": self = .call(stage: try c.decode(String.self, forKey: .stage), number: try c.decode(Int.self, forKey: .call))
        case "alive": self = .alive
        case let other: throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "not an eval event: \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .call(let stage, let number):
            try c.encode("call", forKey: .event)
            try c.encode(stage, forKey: .stage)
            try c.encode(number, forKey: .call)
        case .alive: try c.encode("alive", forKey: .event)
        }
    }
}

/// In an isolated evaluation's worker: sends each plugin call's start and, every
/// `beat` seconds while no call runs, `alive`; so the parent's call limit applies
/// to plugin calls only, not to reading a large input.
public final class EvalProgressReporter: Sendable {
    private struct State {
        var running = 0
        var calls: [String: Int] = [:]
        var finished = false
    }
    private let state = Mutex(State())
    private let channel: WorkerChannel
    /// Seconds between `alive` reports.
    public static let beat = 0.25

    /// Starts observing plugin calls (see `PluginCall.observe`) and reporting on `channel`.
    public init(channel: WorkerChannel) {
        self.channel = channel
        PluginCall.observe { [self] stage, started in called(stage, started: started) }
        Thread.detachNewThread { [self] in
            while beatIfIdle() { usleep(useconds_t(Self.beat * 1e6)) }
        }
    }

    private func called(_ stage: String, started: Bool) {
        state.withLock { state in
            guard started else { return state.running -= 1 }
            state.running += 1
            state.calls[stage, default: 0] += 1
            if !state.finished { channel.send(EvalProgress.call(stage: stage, number: state.calls[stage]!)) }
        }
    }

    /// Reports `alive` when no call runs; false once reporting has finished.
    private func beatIfIdle() -> Bool {
        state.withLock { state in
            if state.running == 0 && !state.finished { channel.send(EvalProgress.alive) }
            return !state.finished
        }
    }

    /// Stops reporting: what follows on the channel is the worker's reply.
    public func finish() {
        state.withLock { $0.finished = true }
    }
}
