import Foundation
import LossHostABI
import LossHostEngine
import LossHostScalar

/// How a host is opened: `lh_host_config` read into Swift values, defaults
/// filled in (the CLI's defaults), and the core's `HostConfiguration` they make.
struct HostOptions: Sendable {
    /// Folders searched first, in order, like `--plugin-dir`.
    var pluginDirs: [String] = []
    /// Search only `pluginDirs` and the built-ins.
    var onlyPluginDirs = false
    var allowUnsafePlugins = false
    var allowNonFinite = false
    /// Evaluation threads; 0: every core.
    var threads = 0
    /// The `losshost-worker` executable that runs scans and checks.
    var workerExecutable: String
    /// Where the scan cache and cached check verdicts are kept.
    var cacheDir: String
    var scanTimeout = HostConfiguration.defaultScanTimeout
    /// Seconds one plugin call may take in a check (`check --timeout`).
    var callTimeout = HostConfiguration.defaultCallTimeout
    /// Seconds an isolated evaluation may take; `lh_host_loss_evaluate` runs in
    /// the caller's process, so nothing of the C API uses it yet.
    var evalTimeout = HostConfiguration.defaultEvalTimeout

    init(workerExecutable: String, cacheDir: String) {
        self.workerExecutable = workerExecutable
        self.cacheDir = cacheDir
    }

    /// The core configuration: search path, folder rules, workers, cache, limits, threads.
    var configuration: HostConfiguration {
        HostConfiguration(searchPath: searchPath, formats: PluginFormats([ScalarManifestFormat()]),
                          allowUnsafePlugins: allowUnsafePlugins, workerExecutable: workerExecutable,
                          cacheDirectory: cacheDir, scanTimeout: scanTimeout, callTimeout: callTimeout,
                          evalTimeout: evalTimeout, threads: threads)
    }

    /// The plugin folders, in search order.
    var searchPath: PluginSearchPath {
        if onlyPluginDirs { return .standard(optionFolders: pluginDirs, environment: [:], executablePath: nil) }
        // Bundled plugins are those next to the worker executable, as for the CLI.
        return .standard(optionFolders: pluginDirs, executablePath: workerExecutable)
    }
}
