import Foundation
import LossHostABI
import LossKit

/// Losses declared by a manifest over plain C functions, called through libffi.
///
/// A manifest's losses become ordinary LossKit `LossExport`s (their evaluator
/// calls the C functions through a prepared `ffi_cif`), are packaged with
/// `PluginTable` into a real `lh_plugin` table, and that table is validated by
/// the same `DescriptorReader` as every native plugin. From there on `list`,
/// `info`, `eval` and `check` cannot tell them apart, except for the
/// loss's `origin`, which carries its `ScalarLossFacts`.
public enum ScalarPlugins {
    /// File names that declare scalar plugins.
    public static let manifestSuffix = ".losshost.json"

    /// Loads the losses a manifest declares. A bad manifest is a failure whose
    /// path is `manifest:line` and whose reason is `.manifest(line:message:)`.
    public static func load(manifest path: String) -> Result<LoadedPlugin, PluginFailure> {
        let manifest: ScalarManifest
        do throws(ManifestError) {
            manifest = try ScalarManifest.read(path)
        } catch {
            return .failure(PluginFailure(path: "\(path):\(error.line)", reason: .manifest(line: error.line, message: error.message)))
        }
        let table = PluginTable(id: manifest.pluginID, version: manifest.version, summary: manifest.summary,
                                losses: manifest.losses.map { $0.function.export($0.info) })
        do throws(LoadFailure) {
            let plugin = try DescriptorReader.read(table.pointer, path: path, origin: .native)
            return .success(marked(plugin, manifest))
        } catch {
            return .failure(PluginFailure(path: path, reason: error))
        }
    }

    /// The plugin with each loss's finite-difference marks set.
    static func marked(_ plugin: LoadedPlugin, _ manifest: ScalarManifest) -> LoadedPlugin {
        var losses = plugin.losses
        for i in losses.indices {
            guard let declared = manifest.losses.first(where: { $0.info.id == losses[i].info.id }) else { continue }
            losses[i].origin = .scalar(ScalarLossFacts(
                numericGradient: declared.numericGradient, numericHessian: declared.numericHessian,
                singlePrecision: declared.function.singlePrecision, callPath: declared.function.callPath))
        }
        return LoadedPlugin(id: plugin.id, version: plugin.version, summary: plugin.summary, abiMajor: plugin.abiMajor,
                            abiMinor: plugin.abiMinor, path: plugin.path, losses: losses)
    }
}

/// Scalar manifests as a plugin format: register it in the host configuration
/// and the loader, folder rules and scans treat manifests like any plugin file.
public struct ScalarManifestFormat: PluginFormat {
    public init() {}

    public var name: String { "scalar-manifest" }

    public func claims(_ path: String) -> Bool { path.hasSuffix(ScalarPlugins.manifestSuffix) }

    public func load(_ path: String) -> Result<LoadedPlugin, PluginFailure> { ScalarPlugins.load(manifest: path) }

    public func companionFiles(of path: String) -> [String] { ScalarManifest.libraryPaths(path) }
}
