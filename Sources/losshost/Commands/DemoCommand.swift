import ArgumentParser
import Foundation
import LossHostEngine
import LossHostIO
import LossHostTools
import LossModel

/// `losshost demo`: three lessons about what a loss really optimizes, with real numbers.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show, with real numbers, how the loss decides what a model learns.",
        discussion: """
            Runs `fit` and `compare` on the small datasets bundled in data/ (made by
            scripts/make_datasets.py) and prints three lessons:

              1. outliers: the same linear model fit with mse, huber and mae;
              2. imbalance: a 1 %-positive problem under plain bce and under losses
                 that price a missed positive higher;
              3. a plugin loss (C, loaded through the ABI) doing a built-in's job.

            Finishes in a second or two. The data folder is found next to the
            package the executable was built from, or given with --data-dir.
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The folder with the bundled CSV files (default: data/ of this package).", valueName: "dir"))
    var dataDir: String?

    @Option(help: "Output format: text for people, json for scripts (every lesson's numbers).")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        guard let dir = dataDir ?? BundledData.locate() else {
            throw CLIError("cannot find the bundled data/ folder; give it with --data-dir (it is made by scripts/make_datasets.py)")
        }
        let registry = plugins.registry()
        let demo = Demo(dir: dir, registry: registry)
        let lessons = [try demo.outliers(), try demo.imbalance(), try demo.pluginLoss()]
        if format == .json {
            Output.write(JSON.object([("data", .string(dir)), ("lessons", .array(lessons.map(\.json))),
                                      ("try", .array(Demo.tryLines(dir).map(JSON.string)))]).text + "\n")
            return
        }
        var out = "losshost demo: a model learns what its loss optimizes (data: \(dir))\n"
        out += lessons.map(\.text).joined()
        out += "\nTry it yourself:\n" + Demo.tryLines(dir).map { "  \($0)\n" }.joined() + "\n"
        Output.write(out)
    }
}

/// One lesson of the demo: what it prints, and its numbers for `--format json`.
struct Lesson {
    var text: String
    var json: JSON
}

/// The lessons; each returns its text.
struct Demo {
    let dir: String
    let registry: LossRegistry

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func instance(_ id: String, _ params: [String] = []) throws -> LossInstance? {
        guard let found = try? registry.resolve(id) else { return nil }
        return try LossInstance(found, parameters: BoundParameters.bind(params, to: found.info))
    }

    func fit(_ instance: LossInstance, _ data: Dataset, _ model: ModelKind, newton: Bool = false) throws -> Trainer.Result {
        try Trainer.train(instance, data: data, configuration: .init(model: model, newton: newton, settings: .init(maxIterations: 500)))
    }

    /// Commands that carry on from the lessons; each works as printed.
    static func tryLines(_ dir: String) -> [String] {
        let data = dir.contains(" ") ? "'\(dir)'" : dir
        return [
            "losshost plot mse huber mae --out regression.svg",
            "losshost fit --data \(data)/imbalanced_train.csv --test \(data)/imbalanced_test.csv --loss focal --param alpha=0.9",
            "losshost fit --data \(data)/regression_train.csv --target-col y --loss mse --predictions-out pred.csv",
            "losshost compare mse mae huber --data pred.csv --target-col y",
        ]
    }

    /// A fit's row of a lesson's JSON.
    static func fitJSON(_ id: String, _ params: [String], _ result: Trainer.Result, _ metrics: [(String, JSON)]) -> JSON {
        .object([("loss", .string(id)), ("params", .array(params.map(JSON.string))),
                 ("weights", .numbers(result.model.weights)), ("intercepts", .numbers(result.model.intercepts)),
                 ("iterations", .int(result.trace.iterations))] + metrics)
    }

    static func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
    static func pct(_ x: Double) -> String { String(format: "%.0f%%", 100 * x) }

    // MARK: 1. outliers

    func outliers() throws -> Lesson {
        let train = try Dataset.read(path: path("regression_train.csv"), targetColumn: "y")
        let test = try Dataset.read(path: path("regression_test.csv"), targetColumn: "y")
        var out = """

            1. OUTLIERS: the loss decides which rows the model listens to
               regression_train.csv: \(train.rows) rows of y = 3 + 2*x1 - 1*x2 + noise, and 8 of them
               (4%) have y raised by 40 to 60, like a broken sensor. The test set is clean.
               The same linear model, fit with each loss (coefficients, and error on the test set):


            """
        var table = TextTable(["   loss", "x1", "x2", "intercept", "test MAE", "test RMSE"])
        table.add(["   (the truth)", "2", "-1", "3", "", ""])
        let runs: [(String, [String], String)] = [
            ("mse", [], "std/mse"), ("huber", ["delta=1"], "std/huber (delta=1)"), ("mae", [], "std/mae"),
            ("csample/cauchy", ["c=1"], "csample/cauchy (c=1, plugin)"),
        ]
        var mseFit: Trainer.Result?
        var testMAE: [String: Double] = [:]
        var fits: [JSON] = []
        for (id, params, label) in runs {
            guard let loss = try instance(id, params) else { continue }
            let result = try fit(loss, train, .linear)
            if id == "mse" { mseFit = result }
            let m = Metrics.regression(pred: result.model.scores(test.features), target: test.target)
            testMAE[id] = m.mae
            fits.append(Self.fitJSON(loss.loss.qualifiedID, params, result, [("test_mae", .number(m.mae)), ("test_rmse", .number(m.rmse))]))
            table.add(["   " + label, Self.f(result.model.weights[0]), Self.f(result.model.weights[1]),
                       Self.f(result.model.intercepts[0]), Self.f(m.mae), Self.f(m.rmse)])
        }
        out += table.text
        var json: [(String, JSON)] = [("lesson", .string("outliers")), ("train", .string(path("regression_train.csv"))),
                                      ("test", .string(path("regression_test.csv"))), ("fits", .array(fits))]
        // Why: compare the losses on the mse fit's own training predictions.
        guard let mseFit, let mse = try instance("mse"), let huber = try instance("huber", ["delta=1"]),
              let mae = try instance("mae") else { return Lesson(text: out, json: .object(json)) }
        let pred = Matrix(rows: train.rows, columns: 1, values: mseFit.model.scores(train.features))
        let target = Matrix(rows: train.rows, columns: 1, values: train.target)
        let byMSE = try Comparison.analyse(mse, label: "mse", pred: pred, target: target, top: 8)
        let rows = byMSE.top.map(\.row)
        let byHuber = try Comparison.analyse(huber, label: "huber", pred: pred, target: target, top: 8)
        let byMAE = try Comparison.analyse(mae, label: "mae", pred: pred, target: target, top: 8)
        json.append(("top_8_rows_share", .object([("mse", .number(byMSE.topShare)),
                                                  ("huber", .number(Comparison.share(of: rows, in: byHuber))),
                                                  ("mae", .number(Comparison.share(of: rows, in: byMAE)))])))
        let cauchy = testMAE["csample/cauchy"] != nil
            ? "; the plugin's cauchy loss, whose\n   pull fades for large errors, all but ignores them"
            : ""
        out += """

               Why (compare, on the mse fit's training predictions): the 8 rows with the largest
               errors make \(Self.pct(byMSE.topShare)) of the mse total, but \(Self.pct(Comparison.share(of: rows, in: byHuber))) of huber's and \(Self.pct(Comparison.share(of: rows, in: byMAE))) of mae's.
               mse's gradient is 2 x error, so a row 50 off pulls 100 times harder than a row 0.5 off
               and the 8 outliers drag the whole line up; huber and mae cap the pull of any one row
               (at delta and at 1), so they follow the other 192 rows\(cauchy). On clean test data the robust
               fits are \(Self.f((testMAE["mse"] ?? .nan) / max(testMAE["huber"] ?? .nan, 1e-12), 1))x more accurate (test MAE \(Self.f(testMAE["huber"] ?? .nan)) against \(Self.f(testMAE["mse"] ?? .nan))).

            """
        return Lesson(text: out, json: .object(json))
    }

    // MARK: 2. imbalance

    func imbalance() throws -> Lesson {
        let train = try Dataset.read(path: path("imbalanced_train.csv"), targetColumn: "label")
        let test = try Dataset.read(path: path("imbalanced_test.csv"), targetColumn: "label")
        let positives = Int(train.target.reduce(0, +)), testPositives = Int(test.target.reduce(0, +))
        let ratio = Double(train.rows - positives) / Double(max(positives, 1))
        let ratioText = formatNumber(ratio.rounded())
        var out = """

            2. IMBALANCE: accuracy can be high while the model misses what matters
               imbalanced_train.csv: \(train.rows) rows, \(positives) positive (\(Self.pct(Double(positives) / Double(train.rows)))). A model that always says
               "negative" already scores accuracy \(Self.f(1 - Double(testPositives) / Double(test.rows))). Logistic model, threshold 0.5,
               metrics on the \(test.rows)-row test set (\(testPositives) positive):


            """
        var table = TextTable(["   loss", "accuracy", "precision", "recall", "F1", "ROC-AUC", "caught", "false alarms"])
        let runs: [(String, [String], String)] = [
            ("bce_with_logits", [], "bce_with_logits (plain bce)"),
            ("bce_with_logits", ["pos_weight=\(ratioText)"], "bce_with_logits (pos_weight=\(ratioText))"),
            ("focal", ["alpha=0.99", "gamma=2"], "focal (alpha=0.99, gamma=2)"),
            ("csample/cost_sensitive_logistic", ["fn_cost=20", "fp_cost=1"], "csample/cost_sensitive_logistic (fn 20 : fp 1)"),
        ]
        var fits: [JSON] = []
        var pluginRan = false
        for (id, params, label) in runs {
            guard let loss = try instance(id, params) else { continue }
            if id.hasPrefix("csample/") { pluginRan = true }
            let result = try fit(loss, train, .logistic)
            let m = Metrics.binary(probability: result.model.probabilities(test.features), label: test.target)
            fits.append(Self.fitJSON(loss.loss.qualifiedID, params, result, [
                ("test", .object([("accuracy", .number(m.accuracy)), ("precision", .number(m.precision)),
                                  ("recall", .number(m.recall)), ("f1", .number(m.f1)), ("roc_auc", .number(m.rocAUC)),
                                  ("caught", .int(m.truePositives)), ("positives", .int(testPositives)),
                                  ("false_alarms", .int(m.falsePositives))])),
            ]))
            table.add(["   " + label, Self.f(m.accuracy), Self.f(m.precision), Self.f(m.recall), Self.f(m.f1), Self.f(m.rocAUC),
                       "\(m.truePositives)/\(testPositives)", "\(m.falsePositives)"])
        }
        out += table.text
        let knobs = pluginRan ? "pos_weight, focal's alpha and the plugin's fn_cost" : "pos_weight and focal's alpha"
        out += """

               Plain bce treats a missed positive and a false alarm alike, and with 99 negatives per
               positive the cheapest model rarely says "positive": high accuracy, low recall.
               \(knobs) put a price on missing a positive, and
               the same model then trades precision for recall. ROC-AUC barely moves: the ranking is
               much the same, the loss moved the decision. Pick the loss for the mistake you can afford.

            """
        return Lesson(text: out, json: .object([("lesson", .string("imbalance")), ("train", .string(path("imbalanced_train.csv"))),
                                                ("test", .string(path("imbalanced_test.csv"))), ("fits", .array(fits))]))
    }

    // MARK: 3. a plugin loss doing a built-in's job

    func pluginLoss() throws -> Lesson {
        guard let bce = try instance("bce_with_logits"),
              let csl = try instance("csample/cost_sensitive_logistic", ["fn_cost=1", "fp_cost=1"]) else {
            return Lesson(text: "\n3. A PLUGIN LOSS: skipped (the csample plugin is not installed next to losshost)\n",
                          json: .object([("lesson", .string("plugin_loss")), ("skipped", .string("the csample plugin is not installed next to losshost"))]))
        }
        let train = try Dataset.read(path: path("imbalanced_train.csv"), targetColumn: "label")
        // Newton on each loss's exact Hessian (the plugin's own): both reach the optimum to rounding.
        let a = try fit(bce, train, .logistic, newton: true), b = try fit(csl, train, .logistic, newton: true)
        let coefficientGap = zip(a.model.weights + a.model.intercepts, b.model.weights + b.model.intercepts)
            .map { abs($0 - $1) }.max() ?? .nan
        // The two losses on the same logits.
        let logits = Matrix(rows: train.rows, columns: 1, values: a.model.scores(train.features))
        let target = Matrix(rows: train.rows, columns: 1, values: train.target)
        let va = try Comparison.analyse(bce, label: "bce", pred: logits, target: target, top: 1)
        let vb = try Comparison.analyse(csl, label: "csl", pred: logits, target: target, top: 1)
        var out = """

            3. A PLUGIN LOSS: any loss behind the C ABI trains the same way
               csample/cost_sensitive_logistic is written in C and loaded from a shared library. With
               fn_cost = fp_cost = 1 it is binary cross entropy, and losshost cannot tell it from the
               built-in bce_with_logits. Both fit by Newton steps on the loss's own exact Hessian:


            """
        var table = TextTable(["   loss", "loss on the same logits", "x1", "x2", "intercept", "Newton steps"])
        table.add(["   std/bce_with_logits", String(format: "%.12f", va.value), Self.f(a.model.weights[0], 6),
                   Self.f(a.model.weights[1], 6), Self.f(a.model.intercepts[0], 6), "\(a.trace.iterations)"])
        table.add(["   csample/cost_sensitive_logistic", String(format: "%.12f", vb.value), Self.f(b.model.weights[0], 6),
                   Self.f(b.model.weights[1], 6), Self.f(b.model.intercepts[0], 6), "\(b.trace.iterations)"])
        out += table.text
        out += """

               Largest coefficient difference: \(String(format: "%.1e", coefficientGap)). Its fn_cost = 20 in lesson 2 is the same
               knob as pos_weight = 20: a plugin extends what the host can optimize without touching it.

            """
        return Lesson(text: out, json: .object([
            ("lesson", .string("plugin_loss")), ("train", .string(path("imbalanced_train.csv"))),
            ("fits", .array([Self.fitJSON(bce.loss.qualifiedID, [], a, [("loss_on_same_logits", .number(va.value))]),
                             Self.fitJSON(csl.loss.qualifiedID, ["fn_cost=1", "fp_cost=1"], b, [("loss_on_same_logits", .number(vb.value))])])),
            ("largest_coefficient_difference", .number(coefficientGap)),
        ]))
    }
}
