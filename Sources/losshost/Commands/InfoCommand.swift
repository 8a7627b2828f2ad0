import ArgumentParser
import LossHostCore
import LossKit

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
        let registry = LossRegistry.discover(plugins.searchPath, lazily: true)  // loads only the plugins it resolves
        let found = try registry.resolve(loss)
        let plugin = registry.plugin(found.pluginID)
        if format == .json {
            Output.write(LossListing.loss(found, plugin: plugin).text + "\n")
            return
        }
        let info = found.info
        var text = "\(found.qualifiedID): \(info.summary)\n\n"
        var facts = TextTable(["", ""])
        facts.rows = [
            ["plugin", "\(found.pluginID) \(plugin?.version ?? "") (\(plugin?.path ?? "built-in"), ABI \(plugin?.abiMajor ?? 0).\(plugin?.abiMinor ?? 0))"],
            ["kind", info.kind.description],
            ["value", info.reduce == .elementwise ? "one per element of pred" : "one per row"],
            ["pred", "\(info.predDoc)\(info.predColumns > 0 ? " (\(info.predColumns) columns)" : "")"],
            ["target", "\(info.targetDoc) (\(info.targetLayout))"],
            ["hessian", found.numericHessian ? "numeric (central differences, computed by the host)" : info.hessian.description],
            ["threads", info.threadSafe ? "thread-safe" : "serial only"],
            ["deterministic", info.deterministic ? "yes" : "no"],
        ]
        if found.numericGradient {
            facts.rows.insert(["gradient", "numeric (central differences of the value, computed by the host)"], at: 5)
        }
        text += facts.text.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
        if info.parameters.isEmpty {
            text += "\nNo parameters.\n"
        } else {
            var params = TextTable(["PARAM", "TYPE", "DEFAULT", "RANGE", "DESCRIPTION"])
            for p in info.parameters {
                params.add([p.name, p.type.description, p.type == .list ? "(none)" : formatNumber(p.defaultValue),
                            p.rangeDescription, p.doc])
            }
            text += "\n" + params.text
        }
        Output.write(text)
    }
}
