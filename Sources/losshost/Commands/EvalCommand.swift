import ArgumentParser
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostIsolation
import LossHostTools
import LossKit

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

    /// Set by the worker that runs an isolated evaluation.
    @Flag(name: .customLong("in-worker"), help: .hidden)
    var inWorker = false

    func run() throws { try run(reporting: nil) }

    /// Runs; in an isolated evaluation's worker, `progress` reports its plugin calls until the output starts.
    func run(reporting progress: EvalProgressReporter?) throws {
        let reduction = self.reduction ?? .mean
        guard threads >= 0 else { throw CLIError("--threads must be >= 0") }
        guard timeout > 0 else { throw CLIError("--timeout must be > 0") }
        guard callTimeout > 0 else { throw CLIError("--call-timeout must be > 0") }
        let fromStdin = [("--pred", inputs.pred), ("--target", inputs.target), ("--data", inputs.data), ("--weight", weight)]
            .filter { $0.1 == "-" }.map(\.0)
        if fromStdin.count > 1 {
            throw CLIError("\(fromStdin.joined(separator: " and ")) are \(fromStdin.count == 2 ? "both" : "all") -: standard input can be read only once; save all but one to a file")
        }
        // Where --out writes is fixed now, before plugin code can change the directory or umask.
        let output = try out.map { path throws(InputError) in try OutputFiles(path, wanted: wantedOutputs(reduction)) }
        var configuration = plugins.configuration(threads: threads)
        configuration.evalTimeout = timeout
        configuration.callTimeout = callTimeout
        let scanner = PluginScanner(configuration)
        let registry = LossRegistry.discover(configuration, scanner: scanner, lazily: true)  // loads only the plugins it resolves
        let located = try registry.locate(loss)
        let pluginPath = located.path
        if !inWorker, let why = isolate ? "--isolate" : IsolatedEval.automaticReason(for: pluginPath, scanner: scanner) {
            return try runIsolated(located.qualifiedID, because: why, pluginPath: pluginPath, configuration: configuration,
                                   scanner: scanner)
        }
        // Until this run finishes, the plugin counts as crashed: if it kills the host (even
        // while loading here), the next run is isolated.
        if !inWorker { IsolatedEval.mark(pluginPath, "an earlier run did not finish", scanner: scanner) }
        // A crash in one of the plugin's calls is then one line (and the mark isolates the next runs).
        if !inWorker, pluginPath != nil { PluginCrashLine.install(located.qualifiedID, errorDescriptor: Output.errorDescriptor) }
        defer { if !inWorker { IsolatedEval.mark(pluginPath, nil, scanner: scanner) } }
        let found = try registry.resolve(loss)
        if optimalConstant { return try runOptimalConstant(found, progress) }
        guard inputs.pred != nil || inputs.data != nil else {
            throw CLIError("missing --pred FILE (only --optimal-constant needs no predictions)")
        }
        let parameters = try BoundParameters.bind(params, to: found.info)
        // Non-finite values are the engine's to refuse (as for the C host API): the readers take them.
        let read = try inputs.read(allowNonFinite: true)
        let weightMatrix = try weight.map { path throws(InputError) in try MatrixReader.readWeights(path: path, allowNonFinite: true) }
        let weights = weightMatrix?.values
        let instance = try LossInstance(found, parameters: parameters)
        let options = EvaluationOptions(reduction: reduction, gradient: gradient, hessian: hessian, threads: threads,
                                        dtype: dtype.dtype, allowNonFinite: allowNonFinite)
        var result: Evaluation
        do {
            result = try Evaluator.evaluate(instance, pred: read.pred, target: read.target, weight: weights, options: options)
        } catch {
            // Weights that are all 0 make the mean undefined: the weight file is what to fix.
            if let weight, error.input != .weight, reduction == .mean, weights?.allSatisfy({ $0 == 0 }) == true {
                throw CLIError(Self.withFix("\(weight): \(error.message)", error.kind))
            }
            throw CLIError(Self.withFix(locate(error, read, weightFirstLine: weightMatrix?.firstLine ?? 1), error.kind))
        }
        // The plugin's part is done: a reader that goes away (`| head`) must not leave the mark.
        if !inWorker { IsolatedEval.mark(pluginPath, nil, scanner: scanner) }
        progress?.finish()
        if let changed = instance.stateLog.take() {
            Output.warn("'\(found.qualifiedID)' \(changed); losshost restored it after every call")
        }
        if let output {
            let files = try output.write(result, perRowValues: found.info.reduce == .rowwise)
            return writeSummary(result, found, parameters, reduction, files: files)
        }
        result.widenFloat32()
        switch format {
        case .json: Output.write(json(result, found, parameters, reduction).text + "\n")
        case .text: Output.write(text(result, found, reduction))
        }
    }

    /// What --out would write: the values (--reduction none), the gradient, the Hessian.
    private func wantedOutputs(_ reduction: Reduction) -> [String] {
        (reduction == .none ? ["values"] : []) + (gradient ? ["gradient"] : []) + (hessian ? ["hessian"] : [])
    }

    /// `--optimal-constant`: the best constant prediction for the targets.
    private func runOptimalConstant(_ found: LoadedLoss, _ progress: EvalProgressReporter?) throws {
        if inputs.pred != nil || inputs.data != nil {
            throw CLIError("--optimal-constant takes --target FILE and no --pred or --data (it finds the best constant prediction)")
        }
        guard let target = inputs.target else { throw CLIError("--optimal-constant needs --target FILE") }
        if gradient || hessian || out != nil || reduction != nil {
            throw CLIError("--optimal-constant prints one constant: it takes no --grad, --hessian, --out or --reduction")
        }
        if let predColumns, predColumns < 1 { throw CLIError("--pred-columns must be >= 1") }
        let parameters = try BoundParameters.bind(params, to: found.info)
        let targetArray = try MatrixReader.readArray(path: target, allowNonFinite: true)
        let weightMatrix = try weight.map { path throws(InputError) in try MatrixReader.readWeights(path: path, allowNonFinite: true) }
        let columns = predColumns ?? OptimalConstant.defaultPredColumns(found.info, target: targetArray)
        let instance = try LossInstance(found, parameters: parameters)
        let constant: [Double]
        do {
            constant = try OptimalConstant.find(instance, predColumns: columns, target: targetArray, weight: weightMatrix?.values,
                                                threads: threads, allowNonFinite: allowNonFinite)
        } catch {
            throw CLIError(Self.withFix(locateTarget(error, target: target, firstLine: targetArray.firstLine,
                                                     weightFirstLine: weightMatrix?.firstLine ?? 1), error.kind))
        }
        progress?.finish()
        switch format {
        case .json:
            Output.write(JSON.object([
                ("loss", .string(found.info.id)), ("plugin", .string(found.pluginID)),
                ("rows", .int(targetArray.rows)), ("optimal_constant", .numbers(constant)),
            ]).text + "\n")
        case .text:
            let shown = params.isEmpty ? "" : "  (\(params.joined(separator: ", ")))"
            var text = "loss              \(found.qualifiedID)\(shown)\n"
            text += "rows              \(targetArray.rows)\n"
            text += "optimal constant  \(constant.map { "\($0)" }.joined(separator: " "))\n"
            Output.write(text)
        }
    }

    /// The reduced value and the files `--out` wrote, instead of the arrays.
    private func writeSummary(_ r: Evaluation, _ loss: LoadedLoss, _ parameters: BoundParameters, _ reduction: Reduction,
                              files: [(String, String)]) {
        switch format {
        case .json:
            let fields: [(String, JSON)] = loss.identityJSON(parameters, dtype: r.dtype) + [
                ("reduction", .string(reduction.rawValue)), ("shape", .array([.int(r.rows), .int(r.columns)])),
                (reduction == .none ? "sum" : "value", .number(r.value)),
                ("files", .object(files.map { ($0.0, .string($0.1)) })),
            ]
            Output.write(JSON.object(fields).text + "\n")
        case .text:
            var text = "loss       \(loss.qualifiedID)\n"
            text += "shape      \(r.rows) x \(r.columns)\n"
            text += "reduction  \(reduction.rawValue)\n"
            text += "dtype      \(r.dtype.rawValue)\n"
            text += reduction == .none ? "sum        \(r.value)\n" : "value      \(r.value)\n"
            for (what, file) in files { text += "wrote      \(file) (\(what))\n" }
            Output.write(text)
        }
    }

    /// A library message with eval's own fix for its kind, in parentheses.
    static func withFix(_ message: String, _ kind: FailureKind?) -> String {
        let fix: String? = switch kind {
        case .nonFiniteInput: "use --allow-nonfinite to accept it"
        case .undefinedMean: "use --reduction sum"
        case .unwrittenOutput, nil: nil
        }
        return fix.map { "\(message) (\($0))" } ?? message
    }

    /// Prefixes an engine error with the file and the row and column a person
    /// sees in it (a header row counts as a line).
    private func locate(_ error: EvaluationError, _ read: PredictionSource.Inputs, weightFirstLine: Int) -> String {
        if error.input == .weight, let weight {
            guard let row = error.row else { return "\(weight): \(error.message)" }
            let column = error.column.map { ", column \($0 + 1)" } ?? ""
            return "\(weight): row \(row + weightFirstLine)\(column): \(error.message)"
        }
        guard let at = read.locate(error.input, row: error.row, column: error.column) else { return error.message }
        return "\(at): \(error.message)"
    }

    /// As `locate`, for `--optimal-constant`, which reads only targets (and weights).
    private func locateTarget(_ error: EvaluationError, target: String, firstLine: Int, weightFirstLine: Int) -> String {
        let (file, first) = error.input == .weight ? (weight ?? target, weightFirstLine) : (target, firstLine)
        guard error.input == .target || error.input == .weight else { return error.message }
        guard let row = error.row else { return "\(file): \(error.message)" }
        return "\(file): row \(row + first)\(error.column.map { ", column \($0 + 1)" } ?? ""): \(error.message)"
    }

    private func json(_ r: Evaluation, _ loss: LoadedLoss, _ parameters: BoundParameters, _ reduction: Reduction) -> JSON {
        var fields: [(String, JSON)] = loss.identityJSON(parameters, dtype: r.dtype) + [
            ("reduction", .string(reduction.rawValue)), ("shape", .array([.int(r.rows), .int(r.columns)])),
            ("value", reduction == .none ? .numbers(r.values ?? []) : .number(r.value)),
        ]
        if let g = r.gradient { fields.append(("gradient", .numbers(g))) }
        if let h = r.hessian { fields.append(("hessian", .numbers(h))) }
        return .object(fields)
    }

    private func text(_ r: Evaluation, _ loss: LoadedLoss, _ reduction: Reduction) -> String {
        let shown = params.isEmpty ? "" : "  (\(params.joined(separator: ", ")))"
        var out = "loss       \(loss.qualifiedID)\(shown)\n"
        out += "shape      \(r.rows) x \(r.columns)\n"
        out += "reduction  \(reduction.rawValue)\n"
        out += "value      \(reduction == .none ? "\(counted(r.values?.count ?? 0, "value")), sum \(r.sum)" : "\(r.value)")\n"
        let perRowValues = loss.info.reduce == .rowwise
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
