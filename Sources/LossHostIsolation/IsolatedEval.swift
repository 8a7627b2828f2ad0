import Foundation
import LossHostEngine

/// Runs an `eval` in a worker, so a plugin that crashes, exits or hangs while
/// evaluating ends with a one-line error instead of taking the host down.
public enum IsolatedEval {
    /// Bytes of output an isolated evaluation may print (its whole result).
    public static let outputLimit = 1 << 30
    public enum Outcome: Sendable {
        /// The worker finished: pass its output and status on.
        case finished(stdout: String, stderr: String, status: Int32, leftover: String?)
        /// It crashed, exited early or ran out of time: one phrase, e.g. "crashed with SIGSEGV".
        case failed(String)
        /// A plugin call made no progress for `seconds` (its process group was killed): the
        /// call, e.g. "evaluate call 1".
        case hung(call: String, seconds: Double)
    }

    /// The hidden subcommand of the `losshost` CLI that runs an isolated `eval` (`__worker eval`).
    public static let subcommand = "__worker"

    /// Runs `losshost eval ARGUMENTS` (`executable`: the CLI) in a worker under its memory
    /// limit, for at most the configuration's `evalTimeout` in all, and `callTimeout` without
    /// progress in one plugin call (the worker reports each call; see `EvalProgress`).
    public static func run(_ arguments: [String], configuration: HostConfiguration, executable: String) -> Outcome {
        let run = WorkerProcess(timeout: configuration.callTimeout, wallClock: configuration.evalTimeout,
                                executable: executable, outputLimit: outputLimit,
                                memoryMiB: configuration.workerMemoryMiB).run([subcommand, "eval"] + arguments)
        let (reports, stdout) = EvalProgress.split(run.stdout)
        switch run.outcome {
        case .exited(let code) where code == 0 || run.stderr.hasPrefix("losshost: error:"):
            return .finished(stdout: stdout, stderr: run.stderr, status: code, leftover: run.leftover)
        case .stalled(let seconds):
            let call = reports.reversed().lazy.compactMap { report -> String? in
                if case .call(let stage, let number) = report { return "\(stage) call \(number)" }
                return nil
            }.first
            return .hung(call: call ?? "a plugin call", seconds: seconds)
        default:
            return .failed(run.outcome.description)
        }
    }

    /// Why a plugin must be evaluated in a worker without being asked: its last
    /// run crashed (or never finished). nil for built-in losses.
    public static func automaticReason(for path: String?, scanner: PluginScanner) -> String? {
        guard let path else { return nil }
        return scanner.isolationReason(for: path)
    }

    /// Marks a run of the plugin at `path` as started (nil clears the mark when
    /// it finished): if the host dies meanwhile, later runs are isolated.
    public static func mark(_ path: String?, _ reason: String?, scanner: PluginScanner) {
        guard let path, let cache = scanner.cache else { return }
        cache.setRunMark(path, reason, companions: scanner.formats.companionFiles(of: path))
    }
}
