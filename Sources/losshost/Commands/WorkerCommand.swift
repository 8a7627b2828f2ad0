import ArgumentParser
import Foundation
import LossHostEngine
import LossHostIO
import LossHostIsolation

/// `losshost __worker eval …`: the CLI re-executed to run an isolated `eval`
/// (scans and checks run in `losshost-worker`). Hidden; it reports its plugin
/// calls (see EvalProgress), then prints eval's output.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: IsolatedEval.subcommand,
        abstract: "Internal: run an isolated eval in a separate process.",
        shouldDisplay: false,
        subcommands: [EvalWorker.self]
    )
}

/// Runs `eval` in this process, as the parent was asked to.
struct EvalWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate in this process.")

    @Argument(parsing: .captureForPassthrough, help: "The arguments given to `losshost eval`.") var arguments: [String] = []

    func run() throws {
        WorkerRuntime.prepare()
        // Plugin code prints to standard error; the pipe carries the progress reports, then the output.
        Output.protect()
        let command = try EvalCommand.parse(arguments + ["--in-worker"])
        try command.run(reporting: EvalProgressReporter(channel: Output.channel()))
    }
}

extension EvalCommand {
    /// Re-runs this `eval` in a worker; a crash there becomes a one-line error
    /// and is remembered, so the plugin's later runs are isolated too.
    func runIsolated(_ qualifiedID: String, because reason: String, pluginPath: String?,
                     configuration: HostConfiguration, scanner: PluginScanner) throws {
        if reason != "--isolate" {
            Output.warn("evaluating '\(qualifiedID)' in a separate process: \(reason)")
        }
        let all = Array(CommandLine.arguments.dropFirst())
        let arguments = Array(all.drop { $0 != "eval" }.dropFirst()).filter { $0 != "--isolate" }
        let cli = PluginSearchPath.currentExecutablePath() ?? CommandLine.arguments[0]
        switch IsolatedEval.run(arguments, configuration: configuration, executable: cli) {
        case .finished(let stdout, let stderr, let status, let leftover):
            if status == 0 { IsolatedEval.mark(pluginPath, nil, scanner: scanner) }
            Output.error(stderr)
            if let leftover { Output.warn("'\(qualifiedID)' \(leftover) while evaluating (in a separate worker process)") }
            Output.write(stdout)
            if status != 0 { Foundation.exit(status) }
        case .failed(let how):
            IsolatedEval.mark(pluginPath, "its last run \(how)", scanner: scanner)
            throw CLIError("'\(qualifiedID)' \(how) while evaluating (in a separate worker process; losshost is unharmed)")
        case .hung(let call, let seconds):
            IsolatedEval.mark(pluginPath, "its last run hung in \(call)", scanner: scanner)
            throw CLIError("'\(qualifiedID)' hung in \(call): no progress for \(formatSeconds(seconds)) s, so losshost killed its worker (SIGKILL to the process group; in a separate worker process; losshost is unharmed)")
        }
    }
}
