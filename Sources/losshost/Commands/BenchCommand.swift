import ArgumentParser
import Foundation
import LossHostIO
import LossHostSystem
import LossHostTools
import SystemPackage

/// `losshost bench [LOSS...]`: speed on generated data, as ratios measured in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time losses on generated data: against a plain memory pass, one thread, and the plugin build.",
        discussion: """
            For each loss, generates data that fits it (fixed seed), warms up, then
            times value + gradient with --reduction mean, repeated, interleaving in
            the same run:
              - the loss on --threads threads and on 1 thread,
              - the floor: one plain pass over the same bytes (read pred and
                target, write the gradient), chunked and threaded the same way,
              - the same loss through the dlopen'ed liblosshost-standard.so next to
                the executable (PLUGIN = plugin time / built-in time).
            Then the host overhead of one 1-row `eval` (the public evaluate call
            minus the bare plugin call). Times are medians; SPREAD is (max - min) /
            median. Ratios measured in one run are what to compare across
            machines, not absolute times.

            Without LOSS: \(Benchmark.defaultLosses.joined(separator: ", ")).
            --n defaults to 10000000 rows for element-wise losses and 1000000 for
            row losses (with --classes columns). Generated data is held in one
            block of at most \(Benchmark.workingSetBytes >> 20) MB (pred, target, gradient); larger cases
            are timed as passes over it. The 1-row overhead loop makes --n calls
            (1000 to 200000) in min(--repeats, 3) rounds. A progress line goes to
            stderr on a terminal, or always with --progress.
            """
    )

    @Argument(help: ArgumentHelp("Losses to time (default: \(Benchmark.defaultLosses.joined(separator: ", "))).",
                                 valueName: "loss"))
    var losses: [String] = []

    @Option(name: .customLong("n"), help: "Rows of generated data.")
    var rows: Int?

    @Option(help: "Columns (classes) for multiclass losses.")
    var classes: Int = 10

    @Option(help: "Worker threads; 0 means one per core.")
    var threads: Int = 0

    @Option(help: ArgumentHelp("Element type: f64 or f32.", valueName: "f64|f32"))
    var dtype: String = "f64"

    @Option(help: "Timed repeats per measurement.")
    var repeats: Int = 7

    @Option(help: "Output format: text for people, json for scripts.")
    var format: OutputFormat = .text

    @Flag(help: "Also time the scalar-plugin (libffi) path against the native ABI, ns per element.")
    var ffi = false

    @Flag(help: "Print a progress line on stderr even when it is not a terminal.")
    var progress = false

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        guard let type = DType(rawValue: dtype) else { throw CLIError("unknown --dtype '\(dtype)' (expected f64 or f32)") }
        guard threads >= 0 else { throw CLIError("--threads must be >= 0") }
        guard repeats >= 1 else { throw CLIError("--repeats must be >= 1") }
        guard classes >= 2 else { throw CLIError("--classes must be >= 2") }
        if let rows, rows < 1 { throw CLIError("--n must be >= 1") }
        let registry = plugins.registry()
        let terminal = FileDescriptor.standardError.isTerminal
        let started = Benchmark.now()
        let forced = progress
        let progress: (String) -> Void = { line in
            let text = "bench: \(line) (\(Int(Benchmark.now() - started)) s)"
            if terminal {
                Output.error("\r\u{1B}[2K\(text)")
            } else if forced {
                Output.error("\(text)\n")
            }
        }
        let options = Benchmark.Options(losses: losses, rows: rows, classes: classes, threads: threads, dtype: type,
                                        repeats: repeats)
        let report = try Benchmark.run(registry, options, entering: nameInCrashLine, progress: progress)
        var scalar: ScalarBenchmarkResult? = nil
        if ffi {
            progress("scalar plugin (libffi) path")
            scalar = try ScalarBenchmark.run(repeats: repeats)
        }
        if terminal { Output.error("\r\u{1B}[2K") }
        switch format {
        case .json:
            var out = json(report)
            if let scalar, case .object(var fields) = out {
                fields.append(("ffi", .object([
                    ("elements", .int(scalar.elements)), ("repeats", .int(scalar.repeats)),
                    ("ffi_value_ns", .number(scalar.ffiValue)), ("ffi_value_gradient_ns", .number(scalar.ffiValueGradient)),
                    ("native_value_ns", .number(scalar.nativeValue)),
                    ("native_value_gradient_ns", .number(scalar.nativeValueGradient)),
                ])))
                out = .object(fields)
            }
            Output.write(out.text + "\n")
        case .text:
            Output.write(text(report))
            if let scalar { Output.write("\n" + scalar.text) }
        }
    }

    private func stats(_ s: Benchmark.Stats) -> JSON {
        .object([("median_s", .number(s.median)), ("min_s", .number(s.min)), ("max_s", .number(s.max)),
                 ("samples_s", .numbers(s.samples))])
    }

    private func json(_ r: Benchmark.Report) -> JSON {
        let cases: [JSON] = r.cases.map { c in
            var fields: [(String, JSON)] = [
                ("loss", .string(c.loss)), ("rows", .int(c.rows)), ("columns", .int(c.columns)),
                ("dtype", .string(c.dtype.rawValue)), ("threads", .int(c.threads)), ("bytes", .int(c.bytes)),
                ("time", stats(c.time)), ("ns_per_element", .number(c.nsPerElement)),
                ("gb_per_s", .number(c.gigabytesPerSecond)),
                ("floor", stats(c.floor)), ("floor_ratio", .number(c.floorRatio)),
                ("time_1_thread", stats(c.timeOneThread)), ("floor_1_thread", stats(c.floorOneThread)),
                ("floor_ratio_1_thread", .number(c.floorRatioOneThread)), ("speedup_vs_1_thread", .number(c.speedup)),
            ]
            if let p = c.plugin { fields.append(("plugin", stats(p))) }
            fields.append(("plugin_ratio", c.pluginRatio.map { .number($0) } ?? .null))
            if let note = c.pluginNote { fields.append(("plugin_note", .string(note))) }
            return .object(fields)
        }
        var fields: [(String, JSON)] = [
            ("cores", .int(r.cores)), ("cpu", .string(r.cpu)), ("vector_math", .string(r.vectorMath)), ("threads", .int(r.threads)),
            ("dtype", .string(r.dtype.rawValue)), ("repeats", .int(r.repeats)), ("cases", .array(cases)),
        ]
        if let o = r.overhead {
            fields.append(("call_overhead", .object([("loss", .string(o.loss)), ("evaluate_ns", .number(o.evaluateNs)),
                                                      ("direct_ns", .number(o.directNs)), ("overhead_ns", .number(o.overheadNs))])))
        }
        return .object(fields)
    }

    private func text(_ r: Benchmark.Report) -> String {
        func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
        var out = "machine  \(r.cores) cores, \(r.cpu), vector math \(r.vectorMath)\n"
        out += "run      \(r.threads) thread\(r.threads == 1 ? "" : "s"), \(r.dtype.rawValue), value + gradient, mean, median of \(r.repeats)\n\n"
        var table = TextTable(["LOSS", "SHAPE", "TIME ms", "SPREAD", "NS/ELEM", "GB/s", "x FLOOR", "x FLOOR 1T",
                               "SPEEDUP vs 1T", "PLUGIN"])
        for c in r.cases {
            table.add([c.loss, "\(c.rows) x \(c.columns)", f(c.time.median * 1e3), "\(f(c.time.spread * 100, 0))%",
                       f(c.nsPerElement), f(c.gigabytesPerSecond, 1), f(c.floorRatio), f(c.floorRatioOneThread),
                       f(c.speedup), c.pluginRatio.map { f($0, 3) } ?? "n/a"])
        }
        out += table.text
        out += "\nx FLOOR: time / a plain pass over the same bytes (read pred + target, write gradient), same threads.\n"
        out += "PLUGIN: the dlopen'ed liblosshost-standard.so / the built-in table.\n"
        for c in r.cases where c.pluginNote != nil { out += "  \(c.loss): plugin n/a: \(c.pluginNote!)\n" }
        if let o = r.overhead {
            out += "\n1-row eval (\(o.loss)): \(f(o.evaluateNs, 0)) ns per call, of which the plugin call \(f(o.directNs, 0)) ns: host overhead \(f(o.overheadNs, 0)) ns\n"
        }
        return out
    }
}
