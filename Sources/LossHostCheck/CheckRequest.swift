import Foundation
import Synchronization
import LossHostIsolation

/// Asks a worker to run check plan items from `start` on, reporting each as a `CheckMessage`.
public struct CheckRequest: WorkerRequest {
    public static let kind = "check"
    /// The target, seed, pins and the whole host configuration.
    public var options: CheckOptions
    /// Index in the check plan of the first check to run (after a crashed worker).
    public var start: Int
    /// Losses whose checks are reported as skipped (an earlier one crashed).
    public var skipLosses: [String]

    public init(options: CheckOptions, start: Int = 0, skipLosses: [String] = []) {
        self.options = options
        self.start = start
        self.skipLosses = skipLosses
    }

    /// Runs the checks in this process (the worker) and reports on `channel`.
    public func serve(on channel: WorkerChannel) {
        let results = ResultCount()
        CheckRunner.run(options, start: start, skipLosses: Set(skipLosses)) { event in
            if case .result = event { results.increment() }
            channel.send(CheckMessage(event))
        }
        // A thread the plugin started may crash after the last call: wait for it a while.
        channel.send(CheckMessage.stage(CheckSession.lingerStage))
        usleep(useconds_t(CheckSession.linger * 1e6))
        // The count lets the parent notice a report that did not arrive whole.
        channel.send(CheckMessage.done(results: results.value))
    }
}

/// A counter the check worker's event handler updates.
private final class ResultCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
