import ArgumentParser
import Foundation
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostTools
import LossModel

/// `losshost plot LOSS... --out FILE.svg`: loss and gradient curves.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot losses and their gradients over the residual, margin or logit.",
        discussion: """
            Draws, on one figure, each loss (solid) and its gradient (dashed, same
            colour): the gradient is the pull a training step puts on a prediction,
            so a flat gradient means "this error no longer matters" and a growing one
            means "this error dominates". The legend names every loss with all its
            parameters, defaults included. Where a curve jumps (mae's gradient at 0)
            it is drawn with a gap, not a steep line.

            The x axis is the residual pred - target for regression losses (target
            0 unless --target), the logit or score for binary losses (target 1
            unless --target; losses that take a probability see sigmoid(x)), and the
            true class's logit with the others at 0 for multiclass losses (3
            classes, true class --target, default 0). Default range: -3:3 for
            residuals, -5:5 for logits.

            Examples:
              losshost plot mse mae huber:delta=1 --out regression.svg
              losshost plot bce_with_logits focal hinge --ascii
              losshost plot csample/cauchy swiftsample/tukey mse --range -6:6 --out robust.svg
              losshost plot mse huber mae --range -20:20 --log-y --out wide.svg
            """
    )

    @Argument(help: ArgumentHelp("Losses to plot: id or plugin/loss, optionally with :name=value,name=value.", valueName: "loss"))
    var losses: [String]

    @Option(help: ArgumentHelp("Write the figure as SVG to this file.", valueName: "file.svg"))
    var out: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The x range, A:B (e.g. -4:4).", valueName: "a:b"))
    var range: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The target value (regression), label (binary) or true class (multiclass).", valueName: "t"))
    var target: Double?

    @Option(name: .customLong("param"), help: ArgumentHelp("NAME=VALUE for every loss that has parameter NAME (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "Points sampled per curve.")
    var points: Int = 241

    @Flag(help: "Draw the curves as text on standard output (the default when --out is not given).")
    var ascii = false

    @Flag(name: .customLong("log-y"), help: "Plot the loss values on a log scale (6 decades), so one large loss does not flatten the others; gradients stay linear.")
    var logY = false

    @Option(help: "Output format: text, or json for the sampled numbers.")
    var format: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard !losses.isEmpty else { throw ValidationError("name at least one loss") }
        guard points >= 2 && points <= 100_000 else { throw ValidationError("--points must be in 2...100000") }
    }

    static func parseRange(_ text: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Double(parts[0].trimmingCharacters(in: .whitespaces)),
              let b = Double(parts[1].trimmingCharacters(in: .whitespaces)), a.isFinite, b.isFinite, a < b else {
            throw CLIError("--range '\(text)' is not A:B with A < B (e.g. -4:4)")
        }
        guard (b - a).isFinite else { throw CLIError("--range '\(text)' is too wide: B - A overflows a float64") }
        return a...b
    }

    func run() throws {
        let registry = plugins.registry(lazily: true)  // loads only the plugins it resolves
        let xRange = try range.map(Self.parseRange)
        if let target, !target.isFinite { throw CLIError("--target \(formatNumber(target)) must be a finite number") }
        var samples: [LossCurves.Sample] = []
        for spec in losses {
            let (found, assignments) = try LossSpec.resolve(spec, common: params, in: registry)
            let bound = try BoundParameters.bind(assignments, to: found.info)
            nameInCrashLine(found)
            let instance = try LossInstance(found, parameters: bound)
            let label = Self.label(found, bound)
            do {
                samples.append(try LossCurves.sample(instance, label: label, range: xRange, target: target, points: points))
            } catch {
                throw CLIError("\(found.qualifiedID): \(error.message)")
            }
        }
        let figure = LossCurves.figure(samples, target: target, logY: logY)
        if let out {
            do {
                try SVGWriter.svg(figure).write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("\(out): cannot write (\(error.localizedDescription))")
            }
        }
        switch format {
        case .json:
            Output.write(JSON.array(samples.map { s in
                .object([("loss", .string(s.label)), ("axis", .string(s.axis.rawValue)), ("x", .numbers(s.x)),
                         ("value", .numbers(s.value)), ("gradient", .numbers(s.gradient)),
                         ("value_jumps", .array(s.valueJumps.map { .array([.number(s.x[$0]), .number(s.x[$0 + 1])]) })),
                         ("gradient_jumps", .array(s.gradientJumps.map { .array([.number(s.x[$0]), .number(s.x[$0 + 1])]) }))])
            }).text + "\n")
        case .text:
            if ascii || out == nil { Output.write(ASCIIChart.render(figure)) }
            if let out { Output.write("wrote \(out): \(samples.count * 2) curves (\(counted(samples.count, "loss", "losses")) and \(samples.count == 1 ? "its gradient" : "their gradients"))\n") }
        }
    }

    /// "std/huber (delta=1)": the loss with every parameter it ran with, defaults
    /// included (a list not given is left out).
    static func label(_ found: LoadedLoss, _ bound: BoundParameters) -> String {
        let shown: [String] = zip(found.info.parameters, bound.values).compactMap { p, v in
            switch v {
            case .scalar(let x): "\(p.name)=\(formatNumber(x))"
            case .list(let xs): xs.isEmpty ? nil : "\(p.name)=\(xs.map(formatNumber).joined(separator: ","))"
            }
        }
        return shown.isEmpty ? found.qualifiedID : "\(found.qualifiedID) (\(shown.joined(separator: ", ")))"
    }
}
