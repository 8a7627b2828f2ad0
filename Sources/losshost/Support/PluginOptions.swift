import ArgumentParser
import LossHostCore

/// Where to look for plugins; shared by every command that loads losses.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"),
            help: ArgumentHelp("Also load every .so in this folder (repeatable). Searched before LOSSHOST_PLUGIN_PATH, the user folder and the bundled plugins.",
                               valueName: "dir"))
    var pluginDirs: [String] = []

    var searchPath: PluginSearchPath { .standard(optionFolders: pluginDirs) }

    /// Discovers every plugin on the search path.
    func registry() -> LossRegistry { .discover(searchPath) }
}
