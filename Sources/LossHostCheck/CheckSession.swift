import Foundation
import Synchronization
import LossHostIO
import LossHostIsolation

/// Runs `losshost check` in worker processes: sends each a `CheckRequest`,
/// reads the worker's events, and when a worker crashes, exits or hangs,
/// records a failed check naming the signal (or status, or timeout) and the
/// stage that was running, then starts a new worker for the remaining checks.
public struct CheckSession: Sendable {
    public let options: CheckOptions

    public init(_ options: CheckOptions) { self.options = options }

    /// Seconds a check worker stays alive after its last check, so a thread the plugin
    /// started that crashes (or exits) late is still reported, as `plugin.threads`.
    public static let linger = 0.5
    /// The stage a worker reports while it lingers.
    public static let lingerStage = "after the last check"

    /// Why the session could not run at all (an unknown target).
    public struct SessionError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Every check's result, in plan order.
    public func runIsolated(executable: String? = nil) throws(SessionError) -> [CheckResult] {
        let worker = WorkerProcess(timeout: options.timeout, executable: executable ?? options.configuration.workerExecutable,
                                   memoryMiB: options.configuration.workerMemoryMiB)
        if !CheckRunner.isPathTarget(options.target) {
            // The worker finds the target among every plugin on the search path: scan them
            // here first (cached), so it does not spend its timeout on other plugins' scans.
            PluginScanner(options.configuration).warm(options.configuration.searchPath)
        }
        var results: [CheckResult] = []
        var start = 0
        var skip = Set<String>()
        while true {
            let run = worker.run(CheckRequest(options: options, start: start, skipLosses: skip.sorted()))
            let messages = run.lines.compactMap { WorkerChannel.decode(CheckMessage.self, from: $0) }
            var running: (index: Int, check: String, loss: String?)? = nil
            var stage = ""
            var finished = false
            var reported: Int? = nil
            let before = results.count
            var lastIndex = start - 1
            var outside = false
            for message in messages {
                switch message {
                case .start(let index, let check, let loss):
                    // Indices only move forward from `start`: anything else is not a report of this run.
                    guard index > lastIndex else { continue }
                    running = (index, check, loss)
                    lastIndex = index
                    stage = ""
                case .stage(let name): stage = name
                case .result(let index, let check, let outcome, let detail):
                    // Every result follows the start of its own check.
                    guard index == running?.index else { continue }
                    results.append(CheckResult(check: check, outcome: outcome, detail: detail))
                    running = nil
                case .error(let message): throw SessionError(description: message)
                case .fault: outside = true
                case .done(let count):
                    finished = true
                    reported = count
                }
            }
            let how = outside
                ? "\(Self.describe(run.outcome)) outside any plugin call (in a thread the plugin started; the host was \(stage.isEmpty ? "between calls" : "in \(stage)"))"
                : Self.describe(run.outcome) + (stage.isEmpty ? "" : " in \(stage)")
            let leftover = run.leftover.map {
                [CheckResult(check: "plugin.leftover", outcome: .fail, detail: "the worker \($0); plugin code must not leave processes behind")]
            } ?? []
            if finished {
                if let reported, reported != results.count - before {
                    results.append(CheckResult(check: "plugin.report", outcome: .fail,
                                               detail: "the worker reported \(reported) results but \(results.count - before) arrived whole; its output was garbled"))
                }
                if run.outcome != .exited(0) {
                    results.append(CheckResult(check: "plugin.exit", outcome: .fail,
                                               detail: "the worker \(Self.describe(run.outcome)) after the checks finished (in a destructor, at exit)"))
                }
                return results + leftover
            }
            if running == nil, stage == Self.lingerStage {
                let how = outside ? "\(Self.describe(run.outcome)) outside any plugin call, in a thread the plugin started,"
                    : "\(Self.describe(run.outcome)) while no plugin call ran (from a thread the plugin started?)"
                results.append(CheckResult(check: "plugin.threads", outcome: .fail,
                                           detail: "the worker \(how) after the last check (it waits \(formatSeconds(Self.linger)) s for such crashes)"))
                return results + leftover
            }
            guard let crashed = running else {
                // Died outside any check (e.g. while discovering plugins, or between two checks).
                let why = run.stderr.split(separator: "\n").last.map { ": \($0)" } ?? ""
                let when = results.count > before ? "between two checks" : "before any check ran"
                results.append(CheckResult(check: results.isEmpty ? "plugin.load" : "plugin.worker", outcome: .fail,
                                           detail: "the worker \(how) \(when)\(why)"))
                return results + leftover
            }
            results.append(CheckResult(check: crashed.check, outcome: .fail, detail: how))
            results += leftover
            guard let loss = crashed.loss else { return results }  // a plugin-level check: nothing else can run
            skip.insert(loss)
            start = crashed.index + 1
        }
    }

    /// How a worker ended, in words; a closed report channel is named as such.
    static func describe(_ outcome: WorkerOutcome) -> String {
        if outcome == .exited(WorkerChannel.lostStatus) {
            return "lost its report channel (the plugin closed the worker's output)"
        }
        return outcome.description
    }

    /// Runs every check in this process: a crashing plugin takes the host down.
    public func runInProcess() throws(SessionError) -> [CheckResult] {
        let collected = Collected()
        CheckRunner.run(options) { event in
            switch event {
            case .result(_, let result): collected.add(result)
            case .error(let message): collected.fail(message)
            default: break
            }
        }
        if let error = collected.error { throw SessionError(description: error) }
        return collected.results
    }
}

/// What an in-process check run reported, from the threads that report it.
private final class Collected: Sendable {
    private struct State {
        var results: [CheckResult] = []
        var error: String?
    }
    private let state = Mutex(State())
    var results: [CheckResult] { state.withLock { $0.results } }
    var error: String? { state.withLock { $0.error } }
    func add(_ r: CheckResult) { state.withLock { $0.results.append(r) } }
    func fail(_ message: String) { state.withLock { $0.error = message } }
}
