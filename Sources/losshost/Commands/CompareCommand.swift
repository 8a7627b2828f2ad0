import ArgumentParser
import Foundation
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostIsolation
import LossHostTools
import LossModel

/// `losshost compare LOSS... --pred FILE --target FILE`: which rows drive each loss.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Evaluate the same predictions under several losses and show which rows drive each.",
        discussion: """
            For each loss: its value (the mean) and the rows that contribute most to
            its total, with their share of it. "MSE is driven by two outliers, MAE is
            not" shows up as two rows holding most of mse's total while mae's is
            spread out.

            A loss may carry parameters after a colon: huber:delta=2 or
            csample/cost_sensitive_logistic:fn_cost=10,fp_cost=1. --param NAME=VALUE
            applies to every loss that has that parameter.

            Examples:
              losshost compare mse mae huber --pred p.csv --target y.csv
              losshost compare bce_with_logits focal:gamma=2 --pred logits.csv --target labels.csv --top 3 --format json
              losshost compare mse mae huber --data predictions.csv --target-col y
            """
    )

    @Argument(help: ArgumentHelp("Losses to compare: id or plugin/loss, optionally with :name=value,name=value.", valueName: "loss"))
    var losses: [String]

    @OptionGroup var inputs: PredictionSource

    @Option(help: ArgumentHelp("Per-sample weights: N numbers >= 0.", valueName: "file"))
    var weight: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("NAME=VALUE for every loss that has parameter NAME (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "How many top contributing rows to show per loss.")
    var top: Int = 5

    @Option(help: "Output format: text for people, json for scripts.")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard !losses.isEmpty else { throw ValidationError("name at least one loss") }
        guard top >= 0 else { throw ValidationError("--top must be >= 0") }
    }

    func run() throws {
        let registry = plugins.registry(lazily: true)  // loads only the plugins it resolves
        let read = try inputs.read()
        let predMatrix = read.pred.matrix, targetMatrix = read.target.matrix
        let weights = try weight.map { path throws(InputError) in try MatrixReader.readWeights(path: path).values }
        var entries: [Comparison.Entry] = []
        var identities: [[(String, JSON)]] = []
        for spec in losses {
            let (found, assignments) = try LossSpec.resolve(spec, common: params, in: registry)
            let bound = try BoundParameters.bind(assignments, to: found.info)
            nameInCrashLine(found)
            let instance = try LossInstance(found, parameters: bound)
            do {
                let entry = try Comparison.analyse(instance, label: found.qualifiedID, parameters: assignments,
                                                   pred: predMatrix, target: targetMatrix, weight: weights, top: top)
                entries.append(entry)
                identities.append(found.identityJSON(bound, dtype: entry.dtype))
            } catch {
                let at = read.locate(error.input, row: error.row, column: error.column).map { "\($0): " } ?? ""
                throw CLIError("\(at)\(found.qualifiedID): \(error.message)")
            }
        }
        switch format {
        case .json:
            Output.write(JSON.array(zip(identities, entries).map(Self.json)).text + "\n")
        case .text:
            Output.write(Self.text(entries, pred: predMatrix, target: targetMatrix))
        }
    }

    /// One loss's record: `identity` (loss, plugin, qualified_id, params, dtype, as `eval` writes them), then its rows.
    static func json(_ identity: [(String, JSON)], _ e: Comparison.Entry) -> JSON {
        .object(identity + [
            ("value", .number(e.value)), ("sum", .number(e.sum)), ("top_share", .number(e.topShare)),
            ("top", .array(e.top.map { c in
                .object([("row", .int(c.row + 1)), ("contribution", .number(c.contribution)), ("share", .number(c.share))])
            })),
        ])
    }

    static func text(_ entries: [Comparison.Entry], pred: Matrix, target: Matrix) -> String {
        var summary = TextTable(["LOSS", "VALUE (mean)", "TOP ROWS' SHARE"])
        for e in entries {
            let name = e.parameters.isEmpty ? e.loss : "\(e.loss) (\(e.parameters.joined(separator: ", ")))"
            summary.add([name, String(format: "%.6g", e.value), e.top.isEmpty ? "" : "\(percent(e.topShare)) in \(counted(e.top.count, "row"))"])
        }
        var out = summary.text
        for e in entries where !e.top.isEmpty {
            let name = e.parameters.isEmpty ? e.loss : "\(e.loss) (\(e.parameters.joined(separator: ", ")))"
            out += "\n\(name): top \(counted(e.top.count, "row")) of \(pred.rows)\n"
            var table = TextTable(["  ROW", "PRED", "TARGET", "CONTRIBUTION", "SHARE"])
            for c in e.top {
                table.add(["  \(c.row + 1)", cell(pred, c.row), cell(target, c.row), String(format: "%.6g", c.contribution), percent(c.share)])
            }
            out += table.text
        }
        return out
    }

    static func percent(_ x: Double) -> String { x.isFinite ? String(format: "%.1f%%", 100 * x) : "n/a" }

    static func cell(_ m: Matrix, _ row: Int) -> String {
        let values = (0..<min(m.columns, 3)).map { String(format: "%.4g", m.values[row * m.columns + $0]) }
        return values.joined(separator: " ") + (m.columns > 3 ? " …" : "")
    }
}

/// `id` or `id:name=value,name=value`, with shared `--param`s for the losses that have them.
enum LossSpec {
    static func resolve(_ spec: String, common: [String], in registry: LossRegistry) throws -> (LoadedLoss, [String]) {
        var id = spec, own: [String] = []
        if let colon = spec.firstIndex(of: ":") {
            id = String(spec[..<colon])
            own = spec[spec.index(after: colon)...].split(separator: ",").map(String.init)
        }
        let found = try registry.resolve(id)
        let ownNames = Set(own.map { $0.split(separator: "=").first.map(String.init) ?? $0 })
        let shared = common.filter { a in
            let name = a.split(separator: "=").first.map(String.init) ?? a
            return !ownNames.contains(name) && found.info.parameters.contains { $0.name == name }
        }
        return (found, own + shared)
    }
}
