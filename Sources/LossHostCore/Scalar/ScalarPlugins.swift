import Foundation
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

extension LoadedLoss {
    /// How the gradient is obtained: `numeric` (central finite differences by
    /// the host) or `plugin` (computed by the plugin's own code).
    public var gradientSource: String { numericGradient ? "numeric" : "plugin" }

    /// The Hessian support as shown to people and scripts: `numeric` when the
    /// host computes it by finite differences, else the declared support.
    public var hessianDescription: String { numericHessian ? "numeric" : info.hessian.description }

    /// True for a scalar loss computed in float32 (a `float` pred or return
    /// type): `check` differentiates it with float-sized steps and tolerances.
    public var singlePrecision: Bool {
        if case .scalar(let facts) = origin { return facts.singlePrecision }
        return false
    }

    /// For a scalar (manifest) loss, how its C functions are called per
    /// element: `.libffi`, or `.direct` for an all-`double` signature of 2…6
    /// arguments (chosen once at load; the results are the same). Nil for
    /// native losses. `info` may show it as "libffi" or "direct".
    public var scalarCallPath: ScalarCallPath? {
        if case .scalar(let facts) = origin { return facts.callPath }
        return nil
    }
}

extension ScalarPlugins {
    /// `files` (absolute paths in one folder) without the shared libraries that a
    /// manifest among them names as its `"library"`: such a `.so` is plain C, not
    /// a plugin, and would otherwise be reported as missing the entry symbol.
    public static func droppingManifestLibraries(_ files: [String]) -> [String] {
        let manifests = files.filter { $0.hasSuffix(manifestSuffix) }
        guard !manifests.isEmpty else { return files }
        var claimed = Set<String>()
        for manifest in manifests { claimed.formUnion(ScalarManifest.libraryPaths(manifest)) }
        return files.filter { !$0.hasSuffix(".so") || !claimed.contains(PluginLoader.canonicalPath($0)) }
    }
}
