import ArgumentParser
import Foundation
import Synchronization
import LossHostABI
import LossHostCheck
import LossHostEngine
import LossHostIsolation
import LossHostTools
#if canImport(Glibc)
import Glibc
#endif

/// `losshost __worker …`: the host re-executed as a worker, for code that may
/// crash. Hidden; it speaks JSON lines on standard output (see WorkerChannel).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: WorkerProcess.subcommand,
        abstract: "Internal: run plugin code in a separate process for list, eval and check.",
        shouldDisplay: false,
        subcommands: [ScanWorker.self, CheckWorker.self, EvalWorker.self]
    )

    /// The limits its parent passed, and no core files: a crashing plugin is
    /// expected here, and reported by the parent.
    static func prepare() {
        WorkerLimits.applyInWorker()
        exitWithParent()
    }

    /// `prepare`, for a worker that reports (scan, check): its reports move off
    /// stdout first, so nothing a plugin prints can corrupt them (see WorkerChannel).
    static func prepareReporting() -> WorkerChannel {
        WorkerLimits.applyInWorker()
        let channel = WorkerChannel.takeStandardOutput()
        channel.reportFaultsOutsideCalls()
        exitWithParent()
        return channel
    }

    /// A worker runs in a process group of its own (a plugin's kill(0, …) stays
    /// inside it), so Ctrl-C or a killed host does not reach it: it ends itself
    /// as soon as its parent is gone, instead of spinning on as an orphan.
    static func exitWithParent() {
        let parent = getppid()
        Thread.detachNewThread {
            while true {
                usleep(100_000)
                if getppid() != parent { _exit(125) }
            }
        }
    }
}

/// Loads one plugin file and reports whether it loaded.
struct ScanWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scan", abstract: "Load one plugin file.")

    @Argument(help: "The plugin file, as an absolute canonical path.")
    var path: String

    func run() throws {
        let channel = WorkerCommand.prepareReporting()
        let streams = StandardStreams.snapshot()
        let result = PluginLoader.load(path: path, formats: PluginOptions.formats)
        if let changed = StandardStreams.snapshot().change(since: streams) {
            // Loaded in the host, it would do the same to list's and eval's output: refuse it.
            channel.send(ScanMessage.refused(reason: changed))
        } else {
            switch result {
            case .success(let plugin):
                // Its metadata lets a command build its registry without loading this file (see LossRegistry).
                channel.send(ScanMessage.loaded(plugin.metadata))
            case .failure(let failure):
                channel.send(ScanMessage.failed(reason: failure.reason.description))
            }
        }
        channel.send(ScanMessage.done)
    }
}

/// Runs check plan items from `--start` on and reports each as a JSON line.
struct CheckWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Run the checks of a target.")

    @Argument(help: "A loss id, a plugin id, or the path of a plugin file.") var target: String
    @Option(help: "Seed for the random inputs.") var seed: UInt64 = 0
    @Option(help: "Index in the check plan of the first check to run (after a crashed worker).") var start: Int = 0
    @Option(help: "Run only the checks whose name matches.") var only: String?
    @OptionGroup var plugins: PluginOptions
    @Option(name: .customLong("skip-loss"), help: "Report this loss's checks as skipped (an earlier one crashed).")
    var skipLosses: [String] = []
    @Option(name: .customLong("param"), help: "Pin a parameter, NAME=VALUE.") var params: [String] = []
    @Flag(name: .customLong("no-sweep"), help: "Check at the base parameter point only.") var noSweep = false

    func run() throws {
        let channel = WorkerCommand.prepareReporting()
        let options = CheckOptions(target: target, seed: seed, only: only, configuration: plugins.configuration(), params: params,
                                   sweep: !noSweep)
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

/// Runs `eval` in this process, as the parent was asked to.
struct EvalWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate in this process.")

    @Argument(parsing: .captureForPassthrough, help: "The arguments given to `losshost eval`.") var arguments: [String] = []

    func run() throws {
        WorkerCommand.prepare()
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
        switch IsolatedEval.run(arguments, configuration: configuration) {
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
