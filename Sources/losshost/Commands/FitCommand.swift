import ArgumentParser
import Foundation
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostSystem
import LossHostTools
import LossModel
import SystemPackage

/// `losshost fit`: train a small linear model with any loss, then report metrics separately.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Train a small model with any loss and report metrics separately from the loss.",
        discussion: """
            Fits a linear model (linear regression, binary logistic or multiclass
            softmax) to a CSV file by minimising the chosen loss, built-in or from a
            plugin, using only the loss's gradient (L-BFGS with a line search) or,
            with --newton, its exact Hessian too (Newton / IRLS). The features are
            every column but the target; they are standardized inside, and the
            coefficients are reported on the original scale.

            At the end it shows the training loss curve and the metrics a person
            reads (MAE, RMSE, R² for regression; accuracy, precision, recall, F1,
            ROC-AUC, log-loss and the confusion matrix for classification) on the
            training data and on --test. The loss is what the model optimised; the
            metrics are how well it did what you meant.

            Binary labels are 0/1 and multiclass labels 0..C-1. A row is predicted
            positive when its probability is at least 0.5.

            Examples:
              losshost fit --data data/regression_train.csv --test data/regression_test.csv --loss huber --param delta=1
              losshost fit --data data/imbalanced_train.csv --target-col label --loss bce_with_logits --param pos_weight=99
              losshost fit --data data/three_class.csv --loss cross_entropy --format json
              losshost fit --data data/regression_train.csv --target-col y --loss mse --predictions-out pred.csv
            """
    )

    @Option(help: ArgumentHelp("Training data: CSV/TSV with an optional header row, or .npy.", valueName: "file"))
    var data: String

    @Option(name: .customLong("target-col"), help: ArgumentHelp("The target column: a header name or a 1-based number (default: the last column).", valueName: "name|n"))
    var targetColumn: String?

    @Option(help: ArgumentHelp("Held-out data with the same columns, for the test metrics.", valueName: "file"))
    var test: String?

    @Option(help: ArgumentHelp("The loss to minimise: a bare id or plugin/loss.", valueName: "loss"))
    var loss: String = "mse"

    @Option(name: .customLong("param"), help: ArgumentHelp("A loss parameter, NAME=VALUE (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp("linear, logistic or softmax (default: from the loss's kind).", valueName: "model"))
    var model: String?

    @Option(name: [.customLong("max-iter"), .customLong("epochs")], help: "The most optimiser iterations (full passes over the data).")
    var maxIterations: Int = 500

    @Option(help: "Seed of the small random starting point; the same seed gives the same result.")
    var seed: UInt64 = 0

    @Flag(help: "Newton / IRLS steps on the loss's exact Hessian (losses that declare one; one-output models).")
    var newton = false

    @Option(help: "L2 penalty on the standardized weights (not the intercept).")
    var l2: Double = 0

    @Option(help: ArgumentHelp("Write the training loss curve as an SVG file.", valueName: "file.svg"))
    var plot: String?

    @Option(name: .customLong("predictions-out"), help: ArgumentHelp("Write the fitted predictions (as the loss sees them) to FILE: CSV with a header, the prediction columns and the target column (for `eval`/`compare --data FILE --target-col NAME`), or .npy with the predictions alone.", valueName: "file"))
    var predictionsOut: String?

    @Option(name: .customLong("predictions-on"), help: ArgumentHelp("Which data --predictions-out predicts: train or test (default: test when --test is given, else train).", valueName: "train|test"))
    var predictionsOn: String?

    @Option(help: "Output format: text for people, json for scripts.")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        guard maxIterations >= 0 else { throw CLIError("--max-iter must be >= 0") }
        guard l2 >= 0, l2.isFinite else { throw CLIError("--l2 must be a finite number >= 0") }
        let predictOnTest: Bool
        switch predictionsOn {
        case nil: predictOnTest = test != nil
        case "train": predictOnTest = false
        case "test":
            guard test != nil else { throw CLIError("--predictions-on test needs --test FILE") }
            predictOnTest = true
        case let other?: throw CLIError("unknown --predictions-on '\(other)' (expected train or test)")
        }
        if predictionsOn != nil && predictionsOut == nil { throw CLIError("--predictions-on goes with --predictions-out FILE") }
        let registry = plugins.registry(lazily: true)  // loads only the plugins it resolves
        let found = try registry.resolve(loss)
        let parameters = try BoundParameters.bind(params, to: found.info)
        let kind: ModelKind
        if let model {
            guard let k = ModelKind(rawValue: model) else { throw CLIError("unknown model '\(model)' (expected linear, logistic or softmax)") }
            kind = k
        } else {
            guard let k = ModelKind.default(for: found.info.kind) else {
                throw CLIError("loss '\(found.qualifiedID)' is \(found.info.kind) (pred: \(found.info.predDoc)); fit's models give one value (linear), a logit (logistic) or class logits (softmax), none of which it takes")
            }
            kind = k
        }
        let train = try Dataset.read(path: data, targetColumn: targetColumn)
        let testSet = try test.map { path in try Dataset.read(path: path, targetColumn: targetColumn) }
        if let testSet, testSet.features.columns != train.features.columns {
            throw CLIError("\(test!): has \(testSet.features.columns) feature columns, the training data \(train.features.columns)")
        }
        var classes: Int? = nil
        // Training and test labels must both be labels the model can have.
        let labelled = [(data, train)] + (testSet.map { [(test!, $0)] } ?? [])
        if kind == .softmax {
            var counts: [Int] = []
            for (path, set) in labelled {
                do {
                    counts.append(try Trainer.classCount(set.target))
                } catch let error as EvaluationError {
                    let row = error.row.map { "row \($0 + set.firstLine): " } ?? ""
                    throw CLIError("\(path): \(row)\(error.message)")
                }
            }
            classes = counts.max()
        } else if kind == .logistic {
            for (path, set) in labelled {
                for (i, y) in set.target.enumerated() where y != 0 && y != 1 {
                    throw CLIError("\(path): row \(i + set.firstLine): label \(formatNumber(y)) is not 0 or 1 (a logistic model needs binary labels)")
                }
            }
        }
        nameInCrashLine(found)
        let instance = try LossInstance(found, parameters: parameters)
        let bar = ProgressBar(enabled: format == .text && FileDescriptor.standardError.isTerminal)
        let configuration = Trainer.Configuration(model: kind, newton: newton,
                                                  settings: .init(maxIterations: maxIterations), seed: seed, l2: l2)
        let result: Trainer.Result
        do {
            result = try Trainer.train(instance, data: train, configuration: configuration, classes: classes,
                                       progress: bar.enabled ? { bar.update($0, of: $1, loss: $2) } : nil)
            bar.finish()
        } catch let error as EvaluationError {
            bar.finish()
            // Point at the file line the loss refused, counted as eval does (a header counts).
            let row = error.row.map { "row \($0 + train.firstLine): " } ?? ""
            throw CLIError("\(data): \(row)\(found.qualifiedID): \(error.message)")
        }
        let trainMetrics = Trainer.metrics(result.model, on: train, classes: result.classes)
        let testMetrics = testSet.map { Trainer.metrics(result.model, on: $0, classes: result.classes) }
        if let plot {
            let curve = result.trace.values
            let figure = Figure(title: "Training loss: \(found.qualifiedID), \(kind.rawValue) model, \(result.trace.method.rawValue)", panels: [
                .init(title: "training loss per iteration", xLabel: "iteration", yLabel: "loss",
                      series: [.init(name: found.qualifiedID, x: curve.indices.map(Double.init), y: curve, color: 0)]),
            ])
            do {
                try SVGWriter.svg(figure).write(toFile: plot, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("\(plot): cannot write (\(error.localizedDescription))")
            }
        }
        var wrotePredictions: String?
        if let predictionsOut {
            let (on, file) = predictOnTest ? (testSet ?? train, test ?? data) : (train, data)
            try PredictionsFile.write(result.model, on: on, to: predictionsOut)
            wrotePredictions = "\(predictionsOut) (\(counted(on.rows, "row")) of \(file); target column \(on.targetName))"
        }
        let report = FitReport(loss: found, params: params, data: data, test: test, train: train, result: result,
                               trainMetrics: trainMetrics, testMetrics: testMetrics)
        switch format {
        case .json:
            guard case .object(var fields) = report.json else { return }
            if let predictionsOut {
                fields.append(("predictions", .object([("file", .string(predictionsOut)), ("on", .string(predictOnTest ? "test" : "train"))])))
            }
            Output.write(JSON.object(fields).text + "\n")
        case .text:
            Output.write(report.text)
            if let plot { Output.write("\nloss curve written to \(plot)\n") }
            if let wrotePredictions { Output.write("\(plot == nil ? "\n" : "")predictions written to \(wrotePredictions)\n") }
        }
    }
}

/// A one-line progress bar on standard error, drawn only for a terminal.
final class ProgressBar {
    let enabled: Bool
    private var drawn = false
    init(enabled: Bool) { self.enabled = enabled }

    func update(_ iteration: Int, of total: Int, loss: Double) {
        guard enabled else { return }
        let width = 30
        let filled = total > 0 ? min(width, iteration * width / total) : width
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] iteration \(iteration)  loss \(String(format: "%.6g", loss))   "
        Output.error(line)
        drawn = true
    }

    func finish() {
        guard enabled, drawn else { return }
        Output.error("\r" + String(repeating: " ", count: 72) + "\r")
    }
}

/// What `fit` prints.
struct FitReport {
    let loss: LoadedLoss
    let params: [String]
    let data: String
    let test: String?
    let train: Dataset
    let result: Trainer.Result
    let trainMetrics: Trainer.Evaluation
    let testMetrics: Trainer.Evaluation?

    var model: LinearModel { result.model }

    /// About ten points of the loss curve: the first, the last and evenly spaced ones.
    static func curveSamples(_ values: [Double], count: Int = 10) -> [(Int, Double)] {
        guard values.count > count else { return Array(values.enumerated()) }
        var picks = (0..<count).map { $0 * (values.count - 1) / (count - 1) }
        picks = Array(Set(picks)).sorted()
        return picks.map { ($0, values[$0]) }
    }

    var text: String {
        let shown = params.isEmpty ? "" : " (\(params.joined(separator: ", ")))"
        let trace = result.trace
        var out = "model    \(model.kind.rawValue)\(model.link == .sigmoid ? " (sigmoid output)" : "") fitted by \(trace.method.rawValue)\n"
        out += "loss     \(loss.qualifiedID)\(shown)\n"
        out += "data     \(data): \(counted(train.rows, "row")), features \(train.featureNames.joined(separator: ", ")), target \(train.targetName)\n"
        let steps = trace.iterations == 1 ? "1 iteration" : "\(trace.iterations) iterations"
        let limit = trace.reason.hasPrefix("reached the iteration limit") ? " (not converged: raise --max-iter)" : ""
        out += "stopped  after \(steps): \(trace.reason)\(limit)\n"
        out += "loss curve (training loss by iteration):\n"
        out += "  " + Self.curveSamples(trace.values).map { "\($0.0): \(String(format: "%.6g", $0.1))" }.joined(separator: "  ") + "\n"
        out += "\ncoefficients (original feature scale)\n"
        var header = ["feature"]
        header += model.outputs == 1 ? ["weight"] : (0..<model.outputs).map { "class \($0)" }
        var table = TextTable(header)
        for (j, name) in train.featureNames.enumerated() {
            table.add([name] + (0..<model.outputs).map { String(format: "%.6g", model.weights[j * model.outputs + $0]) })
        }
        table.add(["(intercept)"] + model.intercepts.map { String(format: "%.6g", $0) })
        out += indent(table.text)
        out += "\nmetrics (what a person reads; not the loss the model minimised)\n"
        out += indent(metricsTable)
        if let confusion = confusionText { out += "\n" + confusion }
        return out
    }

    private func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }

    private func rows(_ e: Trainer.Evaluation) -> [(String, Double)] {
        switch e {
        case .regression(let m): [("MAE", m.mae), ("RMSE", m.rmse), ("R²", m.r2)]
        case .binary(let m): [("accuracy", m.accuracy), ("precision", m.precision), ("recall", m.recall), ("F1", m.f1),
                              ("ROC-AUC", m.rocAUC), ("log-loss", m.logLoss)]
        case .multiclass(let m): [("accuracy", m.accuracy), ("precision (macro)", m.precision), ("recall (macro)", m.recall),
                                  ("F1 (macro)", m.f1), ("ROC-AUC (macro, one-vs-rest)", m.rocAUC), ("log-loss", m.logLoss)]
        }
    }

    private var metricsTable: String {
        let train = rows(trainMetrics), test = testMetrics.map(rows)
        var table = TextTable(test == nil ? ["metric", "train"] : ["metric", "train", "test"])
        for (i, (name, value)) in train.enumerated() {
            var cells = [name, String(format: "%.4f", value)]
            if let test { cells.append(String(format: "%.4f", test[i].1)) }
            table.add(cells)
        }
        return table.text
    }

    private var confusionText: String? {
        let (which, e) = testMetrics.map { ("test", $0) } ?? ("train", trainMetrics)
        let confusion: [[Int]]
        switch e {
        case .regression: return nil
        case .binary(let m): confusion = m.confusion
        case .multiclass(let m): confusion = m.confusion
        }
        var out = "confusion matrix (\(which); rows: true class, columns: predicted)\n"
        var table = TextTable([""] + confusion.indices.map { "pred \($0)" })
        for (i, row) in confusion.enumerated() { table.add(["true \(i)"] + row.map(String.init)) }
        out += indent(table.text)
        return out
    }

    static func metricsJSON(_ e: Trainer.Evaluation) -> JSON {
        switch e {
        case .regression(let m):
            return .object([("mae", .number(m.mae)), ("rmse", .number(m.rmse)), ("r2", .number(m.r2))])
        case .binary(let m):
            return .object([("accuracy", .number(m.accuracy)), ("precision", .number(m.precision)), ("recall", .number(m.recall)),
                            ("f1", .number(m.f1)), ("roc_auc", .number(m.rocAUC)), ("log_loss", .number(m.logLoss)),
                            ("confusion", .array(m.confusion.map { .array($0.map(JSON.int)) }))])
        case .multiclass(let m):
            return .object([("accuracy", .number(m.accuracy)), ("precision_macro", .number(m.precision)),
                            ("recall_macro", .number(m.recall)), ("f1_macro", .number(m.f1)),
                            ("roc_auc_macro", .number(m.rocAUC)), ("log_loss", .number(m.logLoss)),
                            ("confusion", .array(m.confusion.map { .array($0.map(JSON.int)) }))])
        }
    }

    var json: JSON {
        let trace = result.trace
        var metrics: [(String, JSON)] = [("train", Self.metricsJSON(trainMetrics))]
        if let testMetrics { metrics.append(("test", Self.metricsJSON(testMetrics))) }
        return .object([
            ("loss", .string(loss.qualifiedID)), ("params", .array(params.map(JSON.string))),
            ("model", .string(model.kind.rawValue)), ("link", .string(model.link.rawValue)),
            ("method", .string(trace.method.rawValue)), ("iterations", .int(trace.iterations)),
            ("converged", .bool(trace.converged)), ("stop_reason", .string(trace.reason)),
            ("gradient_max_abs", .number(trace.gradientNorm)),
            ("final_loss", .number(result.loss)), ("loss_curve", .numbers(trace.values)),
            ("features", .array(train.featureNames.map(JSON.string))), ("target", .string(train.targetName)),
            ("classes", model.kind == .softmax ? .int(result.classes) : .null),
            ("weights", .array((0..<model.features).map { j in .numbers(Array(model.weights[(j * model.outputs)..<((j + 1) * model.outputs)])) })),
            ("intercepts", .numbers(model.intercepts)),
            ("metrics", .object(metrics)),
        ])
    }
}
