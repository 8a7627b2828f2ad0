import ArgumentParser
import Foundation
import LossHostCheck
import LossHostEngine
import LossHostIO
import LossHostIsolation

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
            and for every loss:      lifecycle, gradient, hessian, boosting, fused,
                                     composition, determinism, threads, robustness,
                                     memory, params, float32
            (see the README, "Checking a plugin", for what each one does).
            gradient, hessian, boosting, fused, composition, float32 and robustness
            run at the default parameters and at more points inside the declared
            ranges: both ends and random values (seeded). --param pins a value;
            --no-sweep checks at the defaults with the pins only (the verdict
            Python's host.loss(id, **params) trains on).
            A failing check names the first offending input, with expected vs got,
            and the parameters it used (and says when the defaults passed).
            A warning (WARN) is a finding that does not fail the plugin: a value
            whose formula cancels so much that differences of it cannot verify the
            gradient at some inputs (its noise is measured, and named in digits).
            --cached reuses the verdict of an earlier run with the same seed, --param,
            --no-sweep, --only and --timeout while the checked file (the plugin file,
            or losshost itself for the built-ins) is unchanged; give --seed with it.
            The exit status is 1 when any check fails.

            Examples:
              losshost check csample
              losshost check ./libmy_loss.so --only '*.gradient' --seed 42
              losshost check std/huber --format json
              losshost check std/huber --param delta=0.1
              losshost check std/huber --param delta=0.1 --no-sweep
              losshost check ./libmy_loss.so --seed 1 --cached
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

    @Option(name: .customLong("param"),
            help: ArgumentHelp("Pin a parameter, NAME=VALUE (repeatable; a list is NAME=1,2,0.5), at every parameter point: the other parameters still take their defaults, both ends of their ranges and random values.",
                               valueName: "name=value"))
    var params: [String] = []

    @Flag(name: .customLong("no-sweep"),
          help: "Check at the default parameters with the --param pins only, not at the ends of the ranges or random values.")
    var noSweep = false

    @Option(help: ArgumentHelp("Seconds a check may run without progress before its worker is killed and the check fails.", valueName: "seconds"))
    var timeout: Double = HostConfiguration.defaultCallTimeout

    @Flag(help: "Reuse the verdict of an earlier run on the unchanged file with the same seed and options (kept next to the scan cache); the report says \"cached\".")
    var cached = false

    @Option(help: "Output format: text (a table) for people, json for scripts.")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        guard timeout > 0 else { throw CLIError("--timeout must be > 0") }
        if cached && self.seed == nil { throw CLIError("--cached needs --seed N: a verdict is reused only for the same seed") }
        let seed = self.seed ?? UInt64.random(in: 1...999_999)
        let options = CheckOptions(target: target, seed: seed, only: only,
                                   configuration: plugins.configuration(callTimeout: timeout), params: params,
                                   sweep: !noSweep)
        // An id that names nothing is one line with the CLI's fix (the C API resolves it first
        // too); --cached keys its verdict on the resolved file.
        let resolved = cached || !CheckRunner.isPathTarget(target) ? try resolve() : nil
        let session = CheckSession(options)
        let run = { () throws(CLIError) -> [CheckResult] in
            do {
                return inProcess ? try session.runInProcess() : try session.runIsolated()
            } catch {
                throw CLIError("\(error)")
            }
        }
        var verdict: CheckVerdictCache.Verdict? = nil
        if cached, let resolved { verdict = try cachedVerdict(options, resolved, run) }
        let results = try verdict?.results ?? run()
        let failed = results.filter { $0.outcome == .fail }.count
        switch format {
        case .json:
            Output.write(CheckResult.report(target: target, seed: seed, results: results, verdict: verdict).text + "\n")
        case .text:
            var table = TextTable(["CHECK", "RESULT", "DETAIL"])
            for r in results { table.add([r.check, r.outcome.rawValue.uppercased(), r.detail]) }
            let passed = results.filter { $0.outcome == .pass }.count, warned = results.filter { $0.outcome == .warn }.count
            let skipped = results.count - passed - warned - failed
            let warnings = warned > 0 ? ", \(counted(warned, "warning"))" : ""
            let reused = verdict?.cached == true ? "; cached: the verdict of an earlier run on the unchanged file" : ""
            Output.write(table.text + "\n\(passed) passed\(warnings), \(failed) failed, \(skipped) skipped (seed \(seed); repeat with --seed \(seed)\(reused))\n")
        }
        if failed > 0 { Foundation.exit(1) }
    }

    /// The target as the registry resolves it (the file a verdict is kept for).
    private func resolve() throws(CLIError) -> CheckTarget {
        do {
            return try CheckTarget.resolve(target, registry: plugins.registry(lazily: true), builtIns: Bundle.main.executablePath)
        } catch {
            throw CLIError(error.detail, kind: error.kind)
        }
    }

    /// The verdict from the check-verdict cache, or `run()`'s, then kept there.
    private func cachedVerdict(_ options: CheckOptions, _ resolved: CheckTarget,
                               _ run: () throws(CLIError) -> [CheckResult]) throws(CLIError) -> CheckVerdictCache.Verdict {
        guard let directory = options.configuration.cacheDirectory else { return CheckVerdictCache.Verdict(results: try run(), key: nil, cached: false) }
        return try CheckVerdictCache(cacheDirectory: directory).verdict(options, target: resolved, reuse: true, run: run)
    }
}
