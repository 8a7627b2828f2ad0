import ArgumentParser
import Foundation
import LossHostCore

/// `losshost check TARGET`: validates a plugin, a loss or a plugin file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a plugin's losses are right and safe: metadata, gradients, Hessians, memory, threads.",
        discussion: """
            TARGET is a loss id (huber, std/huber), a plugin id (csample) or the path
            of a plugin file (./libmy_loss.so). The checks run in a separate worker
            process, so a plugin that crashes, exits or hangs fails the check that was
            running (naming the signal and the stage: create, evaluate, destroy) and
            the remaining checks still run.

            Checks, for the plugin:  load, metadata
            and for every loss:      lifecycle, gradient, hessian, fused, composition,
                                     determinism, threads, robustness, memory, params,
                                     float32
            (see the README, "Checking a plugin", for what each one does).
            A failing check names the first offending input, with expected vs got.
            The exit status is 1 when any check fails.

            Examples:
              losshost check csample
              losshost check ./libmy_loss.so --only '*.gradient' --seed 42
              losshost check std/huber --format json
            """
    )

    @Argument(help: "A loss id, a plugin id, or the path of a plugin file.")
    var target: String

    @Option(help: "Seed for the random inputs; the report prints the seed used, so a run can be repeated exactly.")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Run only the checks whose name matches: a glob like '*.gradient', or any part of the name like 'huber'.",
                               valueName: "pattern"))
    var only: String?

    @Flag(name: .customLong("in-process"),
          help: "Run the checks inside this process (for debugging under a debugger). A crashing plugin then takes losshost down with it.")
    var inProcess = false

    @Option(help: ArgumentHelp("Seconds a check may run without progress before its worker is killed and the check fails.", valueName: "seconds"))
    var timeout: Double = 10

    @Flag(name: .customLong("allow-unsafe-plugins"),
          help: "Load plugin files even from folders other users can write to, or that another user owns.")
    var allowUnsafePlugins = false

    @Option(help: "Output format: text (a table) for people, json for scripts.")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        guard timeout > 0 else { throw CLIError("--timeout must be > 0") }
        if allowUnsafePlugins { PluginScanner.current.allowUnsafeLocations = true }
        let seed = self.seed ?? UInt64.random(in: 1...999_999)
        let options = CheckOptions(target: target, seed: seed, only: only, timeout: timeout,
                                   pluginDirs: plugins.pluginDirs, allowUnsafePlugins: allowUnsafePlugins)
        let session = CheckSession(options)
        let results: [CheckResult]
        do {
            results = inProcess ? try session.runInProcess() : try session.runIsolated()
        } catch {
            throw CLIError("\(error)")
        }
        let failed = results.filter { $0.outcome == .fail }.count
        switch format {
        case .json:
            Output.write(CheckResult.report(target: target, seed: seed, results: results).text + "\n")
        case .text:
            var table = TextTable(["CHECK", "RESULT", "DETAIL"])
            for r in results { table.add([r.check, r.outcome.rawValue.uppercased(), r.detail]) }
            let passed = results.filter { $0.outcome == .pass }.count
            let skipped = results.count - passed - failed
            Output.write(table.text + "\n\(passed) passed, \(failed) failed, \(skipped) skipped (seed \(seed); repeat with --seed \(seed))\n")
        }
        if failed > 0 { Foundation.exit(1) }
    }
}
