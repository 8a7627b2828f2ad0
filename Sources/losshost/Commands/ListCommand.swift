import ArgumentParser
import LossHostABI
import LossHostIO
import LossModel

/// `losshost list`: every loss that can be evaluated, and every plugin file that failed.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the available losses and the plugin files that failed to load.",
        discussion: """
            Loads the built-in losses, then every plugin found in: each --plugin-dir,
            the folders in LOSSHOST_PLUGIN_PATH (colon-separated), the user folder
            ($XDG_DATA_HOME/losshost/plugins, default ~/.local/share/losshost/plugins)
            and the plugins bundled next to the losshost executable. The current
            directory is never searched unless you name it.
            """
    )

    @OptionGroup var plugins: PluginOptions

    @Option(help: "Output format: text for people, json for scripts (one object: {\"losses\", \"failures\", \"searched\"}).")
    var format: OutputFormat = .text

    func run() throws {
        // From the scans' metadata: no plugin code runs in this process.
        let registry = self.plugins.registry(lazily: true)
        let plugins = registry.pluginMetadata
        let losses = plugins.flatMap(\.losses)
        switch format {
        case .json:
            Output.write(LossListing.json(registry).text + "\n")
        case .text:
            var table = TextTable(["LOSS", "KIND", "HESSIAN", "SUMMARY"])
            for loss in losses {
                table.add([loss.qualifiedID, loss.info.kind.description, loss.hessianDescription, loss.info.summary].map(Printable.escaped))
            }
            var text = table.text
            text += "\n\(counted(losses.count, "loss", "losses")) from \(counted(plugins.count, "plugin")).\nSearched:\n"
            for (folder, exists) in registry.searched {
                text += "  \(folder.origin.rawValue): \(Printable.escaped(folder.path))\(exists ? "" : " (not found)")\n"
            }
            if !registry.failures.isEmpty {
                text += "\nFailed to load (\(registry.failures.count)):\n"
                for failure in registry.failures {
                    text += "  \(Printable.escaped(failure.path)): \(Printable.escaped(failure.reason.description))\n"
                }
            }
            Output.write(text)
        }
    }
}
