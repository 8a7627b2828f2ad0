import ArgumentParser
import LossHostCore

/// Where to look for plugins; shared by every command that loads losses.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"),
            help: ArgumentHelp("Also load every .so in this folder (repeatable). Searched before LOSSHOST_PLUGIN_PATH, the user folder and the bundled plugins.",
                               valueName: "dir"))
    var pluginDirs: [String] = []

    @Option(name: .customLong("memory-limit"),
            help: ArgumentHelp("Address space each worker process (plugin scans, check, eval --isolate) may use, in MiB; 0 for no limit.",
                               valueName: "MiB"))
    var memoryLimit: Int = WorkerLimits.defaultMemoryMiB

    func validate() throws {
        guard memoryLimit >= 0 else { throw ValidationError("--memory-limit must be >= 0 (MiB; 0 for no limit)") }
    }

    var searchPath: PluginSearchPath { .standard(optionFolders: pluginDirs) }

    /// Discovers every plugin on the search path.
    func registry() -> LossRegistry { .discover(searchPath) }
}
