import ArgumentParser
import Foundation
import LossHostABI
import LossHostEngine
import LossHostScalar

/// Where to look for plugins and how strictly; shared by every command that loads losses.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"),
            help: ArgumentHelp("Also load every .so in this folder (repeatable). Searched before LOSSHOST_PLUGIN_PATH, the user folder and the bundled plugins.",
                               valueName: "dir"))
    var pluginDirs: [String] = []

    @Flag(name: .customLong("allow-unsafe-plugins"),
          help: "Load plugin files even from folders other users can write to, or that another user owns.")
    var allowUnsafePlugins = false

    @Option(name: .customLong("memory-limit"),
            help: ArgumentHelp("Address space each worker process (plugin scans, check, eval --isolate) may use, in MiB; 0 for no limit.",
                               valueName: "MiB"))
    var memoryLimit: Int = HostConfiguration.defaultWorkerMemoryMiB

    func validate() throws {
        guard memoryLimit >= 0 else { throw ValidationError("--memory-limit must be >= 0 (MiB; 0 for no limit)") }
        // A folder the user named must exist; missing default folders are only listed as not found.
        for dir in pluginDirs {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isFolder) else { throw ValidationError("--plugin-dir \(dir): no such folder") }
            guard isFolder.boolValue else { throw ValidationError("--plugin-dir \(dir): not a folder") }
        }
    }

    /// The plugin formats the command-line tool knows besides shared libraries.
    static let formats = PluginFormats([ScalarManifestFormat()])

    /// The host these options describe: `losshost-worker` next to this executable
    /// runs scans and checks, the scan cache is the user's, scalar manifests are a format.
    func configuration(threads: Int = 0, callTimeout: Double = HostConfiguration.defaultCallTimeout) -> HostConfiguration {
        let executable = PluginSearchPath.currentExecutablePath() ?? CommandLine.arguments[0]
        return HostConfiguration(
            searchPath: .standard(optionFolders: pluginDirs), formats: Self.formats,
            allowUnsafePlugins: allowUnsafePlugins,
            workerExecutable: HostConfiguration.workerExecutable(besides: executable),
            cacheDirectory: HostConfiguration.defaultCacheDirectory(), callTimeout: callTimeout,
            workerMemoryMiB: memoryLimit, threads: threads)
    }

    /// Discovers every plugin on the search path (`lazily`: see `LossRegistry.discover`).
    func registry(lazily: Bool = false) -> LossRegistry { .discover(configuration(), lazily: lazily) }
}
