import Foundation
import LossHostEngine

/// Runs an evaluation (`EvaluateRequest`) in a worker, so a plugin that crashes,
/// exits or hangs while evaluating ends with a one-line error instead of taking the host down.
public enum IsolatedEval {
    public enum Outcome: Sendable {
        /// The worker answered: its result or its one-line error, what it printed to
        /// standard error (plugin code's prints), and what it left behind.
        case answered(Result<EvaluateResult, EvaluateFailure>, stderr: String, leftover: String?)
        /// It crashed, exited early or ran out of time: one phrase, e.g. "crashed with SIGSEGV".
        case failed(String)
        /// A plugin call made no progress for `seconds` (its process group was killed): the
        /// call, e.g. "evaluate call 1".
        case hung(call: String, seconds: Double)
    }

    /// Runs `request` in the configuration's worker executable under its memory limit,
    /// for at most the configuration's `evalTimeout` in all, and `callTimeout` without
    /// progress in one plugin call (the worker reports each call; see `EvalProgress`).
    public static func run(_ request: EvaluateRequest) -> Outcome {
        let configuration = request.configuration
        guard let executable = configuration.workerExecutable else { return .failed("could not start: no worker executable") }
        // The arrays of the answer come as files in a folder only this user may read.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("losshost-eval-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return .failed("could not start: cannot make a folder for its answer (\(error.localizedDescription))")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var request = request
        request.arrayFolder = folder
        let run = WorkerProcess(timeout: configuration.callTimeout, wallClock: configuration.evalTimeout, executable: executable,
                                memoryMiB: configuration.workerMemoryMiB).run(request, forwardingStandardInput: request.readsStandardInput)
        switch run.outcome {
        case .exited(0):
            switch run.lines.lazy.compactMap({ WorkerChannel.decode(EvaluateReply.self, from: $0) }).last {
            case .evaluated(var result)?:
                if result.files == nil && result.optimalConstant == nil {
                    do { try result.readArrays(from: folder, asked: request) } catch {
                        return .failed("answered with arrays that cannot be read (\(error.message))")
                    }
                }
                return .answered(.success(result), stderr: run.stderr, leftover: run.leftover)
            case .failed(let failure)?:
                return .answered(.failure(failure), stderr: run.stderr, leftover: run.leftover)
            case nil:
                return .failed("\(run.outcome) before it answered")
            }
        case .stalled(let seconds):
            let call = run.lines.reversed().lazy.compactMap { line -> String? in
                if case .call(let stage, let number)? = WorkerChannel.decode(EvalProgress.self, from: line) { return "\(stage) call \(number)" }
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
