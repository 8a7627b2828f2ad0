import ArgumentParser
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostIsolation
import LossHostTools
import LossModel

/// `losshost eval LOSS --pred FILE --target FILE`: the contract of LOSSES.md.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a loss on predictions and targets, with its gradient and Hessian.",
        discussion: """
            FILE is CSV or TSV of numbers (one row per sample, an optional header
            row), a NumPy .npy file (float32/float64/int32/int64, 1-D or 2-D), or -
            for CSV on standard input. --data FILE --target-col NAME reads both from
            one table instead (what `fit --predictions-out` writes). The gradient
            and Hessian (diagonal) are those of the reduced value; with
            --reduction none, those of the sum.

            Examples:
              losshost eval huber --pred p.csv --target y.csv --param delta=2 --grad
              losshost eval cross_entropy --pred logits.npy --target labels.csv --format json
              losshost eval huber --data predictions.csv --target-col y
              losshost eval bce_with_logits --target labels.csv --optimal-constant

            --optimal-constant is a flag of eval, not a command of its own: it takes
            the same loss, --param, --target and --weight as an evaluation and
            answers the question an evaluation starts from (which constant pred
            scores best on these targets), so it is read and checked the same way.
            """
    )

    @Argument(help: "The loss: a bare id such as huber when it is unique, or plugin/loss.")
    var loss: String

    @OptionGroup var inputs: PredictionSource

    @Option(help: ArgumentHelp("Per-sample weights: N numbers >= 0.", valueName: "file"))
    var weight: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A loss parameter, NAME=VALUE (repeatable); a list is NAME=1,2,0.5.", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "How values are reduced: mean (the default), sum or none.")
    var reduction: Reduction?

    @Flag(name: .customLong("grad"), help: "Also compute the gradient with respect to pred.")
    var gradient = false

    @Flag(help: "Also compute the Hessian diagonal with respect to pred.")
    var hessian = false

    @Flag(name: .customLong("allow-nonfinite"), help: "Accept NaN and infinite input values instead of refusing them.")
    var allowNonFinite = false

    @Option(help: "Worker threads for large inputs; 0 means one per core.")
    var threads: Int = 0

    @Option(help: "Element type to evaluate in: f64, f32, or auto (f32 when pred is a float32 .npy, else f64). f32 uses the plugin's float32 evaluation (ABI 1.1), or the host converts for a float64-only plugin.")
    var dtype: EvalDType = .auto

    @Option(name: .customLong("out"), help: ArgumentHelp("Write per-element outputs as .npy instead of printing them: the values (--reduction none) to FILE.npy, the gradient to FILE-gradient.npy, the Hessian to FILE-hessian.npy, in the evaluation's dtype (one-column outputs are 1-D). The reduced value is still printed.", valueName: "FILE.npy"))
    var out: String?

    @Flag(name: .customLong("optimal-constant"), help: "Instead of evaluating pred, print the constant prediction (one value per pred column, in the loss's pred space) that minimises the weighted loss on these targets. Needs --target, takes no --pred.")
    var optimalConstant = false

    @Option(name: .customLong("pred-columns"), help: ArgumentHelp("With --optimal-constant: the pred columns (classes) of the constant. Default: the loss's declared count; for class-index targets the largest index + 1; else the target's columns.", valueName: "n"))
    var predColumns: Int?

    @Option(help: "Output format: text for people, json for scripts.")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    @Flag(help: "Evaluate in a separate worker process: a plugin that crashes or hangs gives a one-line error instead of killing losshost. Automatic for plugins whose earlier run crashed.")
    var isolate = false

    @Option(help: ArgumentHelp("Seconds an isolated evaluation may take in all before its worker is killed (SIGKILL).", valueName: "seconds"))
    var timeout: Double = HostConfiguration.defaultEvalTimeout

    @Option(name: .customLong("call-timeout"),
            help: ArgumentHelp("Seconds one plugin call of an isolated evaluation may make no progress before its worker is killed (SIGKILL to its process group) and the call is named.", valueName: "seconds"))
    var callTimeout: Double = HostConfiguration.defaultCallTimeout

    func run() throws {
        guard threads >= 0 else { throw CLIError("--threads must be >= 0") }
        guard timeout > 0 else { throw CLIError("--timeout must be > 0") }
        guard callTimeout > 0 else { throw CLIError("--call-timeout must be > 0") }
        let fromStdin = [("--pred", inputs.pred), ("--target", inputs.target), ("--data", inputs.data), ("--weight", weight)]
            .filter { $0.1 == "-" }.map(\.0)
        if fromStdin.count > 1 {
            throw CLIError("\(fromStdin.joined(separator: " and ")) are \(fromStdin.count == 2 ? "both" : "all") -: standard input can be read only once; save all but one to a file")
        }
        var configuration = plugins.configuration(threads: threads)
        configuration.evalTimeout = timeout
        configuration.callTimeout = callTimeout
        let scanner = PluginScanner(configuration)
        let registry = LossRegistry.discover(configuration, scanner: scanner, lazily: true)  // loads only the plugins it resolves
        let located = try registry.locate(loss)
        let request = try request(configuration)
        let pluginPath = located.path
        if let why = isolate ? "--isolate" : IsolatedEval.automaticReason(for: pluginPath, scanner: scanner) {
            return try runIsolated(request, located.qualifiedID, because: why, pluginPath: pluginPath, scanner: scanner)
        }
        // Until this run finishes, the plugin counts as crashed: if it kills the host (even
        // while loading here), the next run is isolated.
        IsolatedEval.mark(pluginPath, "an earlier run did not finish", scanner: scanner)
        // A crash in one of the plugin's calls is then one line (and the mark isolates the next runs).
        if pluginPath != nil { PluginCrashLine.install(located.qualifiedID, errorDescriptor: Output.errorDescriptor) }
        defer { IsolatedEval.mark(pluginPath, nil, scanner: scanner) }
        let result: EvaluateResult
        do { result = try request.evaluate(in: registry) } catch { throw CLIError(error.message, kind: error.kind) }
        // The plugin's part is done: a reader that goes away (`| head`) must not leave the mark.
        IsolatedEval.mark(pluginPath, nil, scanner: scanner)
        write(result)
    }

    /// The evaluation this command asks for, its flags checked.
    private func request(_ configuration: HostConfiguration) throws -> EvaluateRequest {
        var constant: EvaluateRequest.OptimalConstantQuery? = nil
        if optimalConstant {
            if inputs.pred != nil || inputs.data != nil {
                throw CLIError("--optimal-constant takes --target FILE and no --pred or --data (it finds the best constant prediction)")
            }
            guard inputs.target != nil else { throw CLIError("--optimal-constant needs --target FILE") }
            if gradient || hessian || out != nil || reduction != nil {
                throw CLIError("--optimal-constant prints one constant: it takes no --grad, --hessian, --out or --reduction")
            }
            if let predColumns, predColumns < 1 { throw CLIError("--pred-columns must be >= 1") }
            constant = .init(predColumns: predColumns)
        } else if inputs.pred == nil && inputs.data == nil {
            throw CLIError("missing --pred FILE (only --optimal-constant needs no predictions)")
        }
        var files = inputs.files
        files.weight = weight
        return EvaluateRequest(configuration: configuration, loss: loss, parameters: params, inputs: files,
                               reduction: reduction ?? .mean, gradient: gradient, hessian: hessian, dtype: dtype.dtype,
                               allowNonFinite: allowNonFinite, out: out, optimalConstant: constant)
    }

    /// Runs the evaluation in a worker; a crash there becomes a one-line error
    /// and is remembered, so the plugin's later runs are isolated too.
    private func runIsolated(_ request: EvaluateRequest, _ qualifiedID: String, because reason: String, pluginPath: String?,
                             scanner: PluginScanner) throws {
        if reason != "--isolate" {
            Output.warn("evaluating '\(qualifiedID)' in a separate process: \(reason)")
        }
        switch IsolatedEval.run(request) {
        case .answered(let answer, let stderr, let leftover):
            IsolatedEval.mark(pluginPath, nil, scanner: scanner)
            Output.error(stderr)
            if let leftover { Output.warn("'\(qualifiedID)' \(leftover) while evaluating (in a separate worker process)") }
            switch answer {
            case .success(let result): write(result)
            case .failure(let failure): throw CLIError(failure.message, kind: failure.kind)
            }
        case .failed(let how):
            IsolatedEval.mark(pluginPath, "its last run \(how)", scanner: scanner)
            throw CLIError("'\(qualifiedID)' \(how) while evaluating (in a separate worker process; losshost is unharmed)")
        case .hung(let call, let seconds):
            IsolatedEval.mark(pluginPath, "its last run hung in \(call)", scanner: scanner)
            throw CLIError("'\(qualifiedID)' hung in \(call): no progress for \(formatSeconds(seconds)) s, so losshost killed its worker (SIGKILL to the process group; in a separate worker process; losshost is unharmed)")
        }
    }

    /// Prints an evaluation's result: the constant, the files `--out` wrote, or the value and arrays.
    private func write(_ result: EvaluateResult) {
        if let changed = result.stateChange {
            Output.warn("'\(result.qualifiedID)' \(changed); losshost restored it after every call")
        }
        if let constant = result.optimalConstant { return writeConstant(constant, result) }
        let reduction = self.reduction ?? .mean
        if let files = result.files { return writeSummary(result, reduction, files: files) }
        switch format {
        case .json: Output.write(json(result, reduction).text + "\n")
        case .text: Output.write(text(result, reduction))
        }
    }

    /// `--optimal-constant`: the best constant prediction for the targets.
    private func writeConstant(_ constant: [Double], _ r: EvaluateResult) {
        switch format {
        case .json:
            Output.write(JSON.object([
                ("loss", .string(r.lossID)), ("plugin", .string(r.pluginID)),
                ("rows", .int(r.rows)), ("optimal_constant", .numbers(constant)),
            ]).text + "\n")
        case .text:
            let shown = params.isEmpty ? "" : "  (\(params.joined(separator: ", ")))"
            var text = "loss              \(r.qualifiedID)\(shown)\n"
            text += "rows              \(r.rows)\n"
            text += "optimal constant  \(constant.map { "\($0)" }.joined(separator: " "))\n"
            Output.write(text)
        }
    }

    /// The reduced value and the files `--out` wrote, instead of the arrays.
    private func writeSummary(_ r: EvaluateResult, _ reduction: Reduction, files: [EvaluateResult.OutputFile]) {
        switch format {
        case .json:
            let fields: [(String, JSON)] = r.identity.fields + [
                ("reduction", .string(reduction.rawValue)), ("shape", .array([.int(r.rows), .int(r.columns)])),
                (reduction == .none ? "sum" : "value", .number(r.value)),
                ("files", .object(files.map { ($0.what, .string($0.path)) })),
            ]
            Output.write(JSON.object(fields).text + "\n")
        case .text:
            var text = "loss       \(r.qualifiedID)\n"
            text += "shape      \(r.rows) x \(r.columns)\n"
            text += "reduction  \(reduction.rawValue)\n"
            text += "dtype      \(r.dtype.rawValue)\n"
            text += reduction == .none ? "sum        \(r.value)\n" : "value      \(r.value)\n"
            for file in files { text += "wrote      \(file.path) (\(file.what))\n" }
            Output.write(text)
        }
    }

    private func json(_ r: EvaluateResult, _ reduction: Reduction) -> JSON {
        var fields: [(String, JSON)] = r.identity.fields + [
            ("reduction", .string(reduction.rawValue)), ("shape", .array([.int(r.rows), .int(r.columns)])),
            ("value", reduction == .none ? .numbers(r.values ?? []) : .number(r.value)),
        ]
        if let g = r.gradient { fields.append(("gradient", .numbers(g))) }
        if let h = r.hessian { fields.append(("hessian", .numbers(h))) }
        return .object(fields)
    }

    private func text(_ r: EvaluateResult, _ reduction: Reduction) -> String {
        let shown = params.isEmpty ? "" : "  (\(params.joined(separator: ", ")))"
        var out = "loss       \(r.qualifiedID)\(shown)\n"
        out += "shape      \(r.rows) x \(r.columns)\n"
        out += "reduction  \(reduction.rawValue)\n"
        out += "value      \(reduction == .none ? "\(counted(r.values?.count ?? 0, "value")), sum \(r.sum)" : "\(r.value)")\n"
        let perRowValues = r.rowwise
        var header = ["ROW", "COL"]
        if reduction == .none { header.append("VALUE") }
        if r.gradient != nil { header.append("GRADIENT") }
        if r.hessian != nil { header.append("HESSIAN") }
        guard header.count > 2 else { return out }
        var table = TextTable(header)
        let limit = 20
        let count = r.rows * r.columns
        for i in 0..<min(count, limit) {
            let row = i / max(r.columns, 1), col = i % max(r.columns, 1)
            var cells = ["\(row + 1)", "\(col + 1)"]
            if reduction == .none {
                cells.append(perRowValues ? (col == 0 ? "\(r.values![row])" : "") : "\(r.values![i])")
            }
            if let g = r.gradient { cells.append("\(g[i])") }
            if let h = r.hessian { cells.append("\(h[i])") }
            table.add(cells)
        }
        out += "\n" + table.text
        if count > limit { out += "… \(count - limit) more (use --format json for all)\n" }
        return out
    }
}
