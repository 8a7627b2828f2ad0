import LossKit
import StandardLosses

/// Every loss the host can evaluate, by `plugin/loss` id, plus the plugin files
/// that failed to load and why.
public struct LossRegistry: Sendable {
    public private(set) var plugins: [LoadedPlugin] = []
    public private(set) var failures: [PluginFailure] = []
    /// The folders searched, and whether each existed.
    public private(set) var searched: [(folder: PluginSearchPath.Folder, exists: Bool)] = []

    public init() {}

    /// The built-in standard losses, then every plugin found on the search path.
    public static func discover(_ path: PluginSearchPath) -> LossRegistry {
        var registry = LossRegistry()
        registry.addBuiltIns()
        for folder in path.folders {
            let files = PluginSearchPath.pluginFiles(in: folder)
            registry.searched.append((folder, files != nil))
            if files == nil && folder.origin == .option {
                registry.failures.append(PluginFailure(path: folder.path, reason: .unreadable("no such folder")))
            }
            // Folder rules, a scan in a worker (cached), then dlopen here: see PluginScanner.
            PluginScanner.current.prescan(files ?? [])
            for file in files ?? [] { registry.add(PluginScanner.current.load(path: file)) }
        }
        PluginScanner.current.cache?.save()
        return registry
    }

    /// Adds the standard losses through the same validation as any plugin.
    public mutating func addBuiltIns() {
        do throws(LoadFailure) {
            add(.success(try PluginLoader.builtIn(StandardPlugin.table.pointer)))
        } catch {
            failures.append(PluginFailure(path: "(built-in)", reason: error))
        }
    }

    /// Adds a load result; a plugin id that is already taken is a failure.
    public mutating func add(_ result: Result<LoadedPlugin, PluginFailure>) {
        switch result {
        case .success(let plugin):
            if let other = plugins.first(where: { $0.id == plugin.id }) {
                // The same file reached through two folders is not a conflict.
                if other.path != nil && other.path == plugin.path { return }
                failures.append(PluginFailure(path: plugin.path ?? "(built-in)",
                                              reason: .duplicatePlugin(id: plugin.id, other: other.path ?? "the host (built-in)")))
            } else {
                plugins.append(plugin)
            }
        case .failure(let failure):
            failures.append(failure)
        }
    }

    /// Every loss, in plugin order.
    public var losses: [LoadedLoss] { plugins.flatMap(\.losses) }

    /// Finds a loss by `plugin/loss`, or by a bare id when only one plugin has it.
    public func resolve(_ id: String) throws(RegistryError) -> LoadedLoss {
        if let slash = id.firstIndex(of: "/") {
            let plugin = String(id[..<slash]), loss = String(id[id.index(after: slash)...])
            if let found = losses.first(where: { $0.pluginID == plugin && $0.info.id == loss }) { return found }
            throw .unknown(id, suggestions: suggestions(for: loss))
        }
        let matches = losses.filter { $0.info.id == id }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw .unknown(id, suggestions: suggestions(for: id))
        default: throw .ambiguous(id, candidates: matches.map(\.qualifiedID))
        }
    }

    private func suggestions(for id: String) -> [String] {
        losses.map(\.info.id).filter { $0.hasPrefix(String(id.prefix(2))) || $0.contains(id) || id.contains($0) }
    }
}

/// A loss id that does not name exactly one loss.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    case unknown(String, suggestions: [String])
    case ambiguous(String, candidates: [String])

    public var description: String {
        switch self {
        case .unknown(let id, let suggestions):
            let hint = suggestions.isEmpty ? "" : " (did you mean \(suggestions.prefix(4).joined(separator: ", "))?)"
            return "unknown loss '\(id)'\(hint); `losshost list` shows the losses"
        case .ambiguous(let id, let candidates):
            return "ambiguous loss '\(id)': \(candidates.joined(separator: ", ")); name one with its plugin"
        }
    }
}
