import Foundation
import LossHostABI
import LossHostEngine

/// What `check TARGET` names, resolved without loading any plugin here: what
/// the workers are told to check, and the file whose fingerprint stands for it
/// (`builtIns`, the program or library holding the built-in losses, for those).
public struct CheckTarget: Sendable, Equatable {
    public var workerTarget: String
    /// nil when the built-ins' file is not known.
    public var file: String?

    /// A plugin file, a plugin id or a loss id, as `registry` resolves it; the
    /// error is one line (no such file, unknown loss or plugin, ambiguous id).
    public static func resolve(_ target: String, registry: LossRegistry, builtIns: String?) throws(CheckFailure) -> CheckTarget {
        if CheckRunner.isPathTarget(target) {
            guard FileManager.default.fileExists(atPath: target) else { throw CheckFailure("no such file: \(target)") }
            let path = PluginLoader.canonicalPath(target)
            return CheckTarget(workerTarget: path, file: path)
        }
        if let plugin = registry.pluginMetadata.first(where: { $0.id == target }) {
            return CheckTarget(workerTarget: plugin.path ?? plugin.id, file: plugin.path ?? builtIns)
        }
        do {
            let (qualifiedID, path) = try registry.locate(target)
            return CheckTarget(workerTarget: qualifiedID, file: path ?? builtIns)
        } catch {
            throw CheckFailure(error.description.replacingOccurrences(of: "unknown loss", with: "unknown loss or plugin"), kind: error.kind)
        }
    }
}
