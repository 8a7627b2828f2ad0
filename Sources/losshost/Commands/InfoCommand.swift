import ArgumentParser
import LossHostABI
import LossHostIO
import LossModel

/// `losshost info LOSS`: everything a loss declares.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a loss's summary, parameters (defaults and ranges), kind and shapes."
    )

    @Argument(help: "The loss: a bare id such as huber when it is unique, or plugin/loss.")
    var loss: String

    @OptionGroup var plugins: PluginOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        // From the scan's metadata: no plugin code runs in this process.
        let registry = plugins.registry(lazily: true)
        let (found, plugin) = try registry.resolveMetadata(loss)
        if format == .json {
            Output.write(LossListing.loss(found, plugin: plugin).text + "\n")
            return
        }
        let info = found.info
        var text = "\(found.qualifiedID): \(Printable.escaped(info.summary))\n\n"
        var facts = TextTable(["", ""])
        facts.rows = [
            ["plugin", "\(found.pluginID) \(Printable.escaped(plugin.version)) (\(Printable.escaped(plugin.path ?? "built-in")), ABI \(plugin.abiMajor).\(plugin.abiMinor))"],
            ["kind", info.kind.description],
            ["value", info.reduce == .elementwise ? "one per element of pred" : "one per row"],
            ["pred", "\(Printable.escaped(info.predDoc))\(info.predColumns > 0 ? " (\(counted(info.predColumns, "column")))" : "")"],
            ["target", "\(Printable.escaped(info.targetDoc)) (\(info.targetLayout))"],
            ["domains", domains(info)],
            ["link", info.link == .identity ? "identity (pred is on the user's scale)" : "\(info.link) (turns pred into the user's scale)"],
            ["hessian", found.numericHessian ? "numeric (central differences, computed by the host)" : info.hessian.description],
            ["curvature", info.curvature.summary],
            ["threads", info.threadSafe ? "thread-safe" : "serial only"],
            ["deterministic", info.deterministic ? "yes" : "no"],
        ]
        if found.numericGradient {
            facts.rows.insert(["gradient", "numeric (central differences of the value, computed by the host)"], at: 7)
        }
        text += facts.text.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
        if info.parameters.isEmpty {
            text += "\nNo parameters.\n"
        } else {
            var params = TextTable(["PARAM", "TYPE", "DEFAULT", "RANGE", "DESCRIPTION"])
            for p in info.parameters {
                params.add([p.name, p.type.description, p.type == .list ? "(none)" : formatNumber(p.defaultValue),
                            p.rangeDescription, Printable.escaped(p.doc)])
            }
            text += "\n" + params.text
        }
        Output.write(text)
    }

    /// "pred logit, target probability", or "not declared" for a 1.0/1.1 plugin.
    private func domains(_ info: LossInfo) -> String {
        guard info.predDomain != .unspecified || info.targetDomain != .unspecified else { return "not declared" }
        let rest = info.predDomainRest.map { " (columns after the first: \($0))" } ?? ""
        return "pred \(info.predDomain)\(rest), target \(info.targetDomain)"
    }
}
