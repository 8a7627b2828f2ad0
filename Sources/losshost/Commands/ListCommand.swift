import ArgumentParser
import LossHostCore
import LossKit

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

    @Flag(name: .customLong("allow-unsafe-plugins"),
          help: "Load plugin files even from folders other users can write to, or that another user owns.")
    var allowUnsafePlugins = false

    @Option(help: "Output format: text for people, json for scripts (one object: {\"losses\", \"failures\", \"searched\"}).")
    var format: OutputFormat = .text

    func run() throws {
        if allowUnsafePlugins { PluginScanner.current.allowUnsafeLocations = true }
        let registry = plugins.registry()
        switch format {
        case .json:
            Output.write(LossListing.json(registry).text + "\n")
        case .text:
            var table = TextTable(["LOSS", "KIND", "HESSIAN", "SUMMARY"])
            for loss in registry.losses {
                table.add([loss.qualifiedID, loss.info.kind.description, loss.hessianDescription, loss.info.summary])
            }
            var text = table.text
            text += "\n\(registry.losses.count) losses from \(registry.plugins.count) plugins.\nSearched:\n"
            for (folder, exists) in registry.searched {
                text += "  \(folder.origin.rawValue): \(folder.path)\(exists ? "" : " (not found)")\n"
            }
            if !registry.failures.isEmpty {
                text += "\nFailed to load (\(registry.failures.count)):\n"
                for failure in registry.failures { text += "  \(failure.path): \(failure.reason)\n" }
            }
            Output.write(text)
        }
    }
}
