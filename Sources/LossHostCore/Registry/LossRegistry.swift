import Foundation
import LossKit
import StandardLosses

/// Every loss the host can evaluate, by `plugin/loss` id, plus the plugin files
/// that failed to load and why.
///
/// A registry discovered `lazily` lists a plugin whose scan passed by the ids
/// its scan cached, and `dlopen`s its file here only when one of its losses is
/// resolved (or `plugins`/`losses` is read): `eval` of one loss loads one file.
/// Resolution, ambiguity, suggestions and duplicate ids behave the same either way.
public struct LossRegistry: Sendable {
    /// One plugin per id, in search order; loaded, or loaded on first use.
    private var slots: [PluginSlot] = []
    public private(set) var failures: [PluginFailure] = []
    /// The folders searched, and whether each existed.
    public private(set) var searched: [(folder: PluginSearchPath.Folder, exists: Bool)] = []

    public init() {}

    /// Every plugin, in search order. On a lazy registry this loads them all.
    public var plugins: [LoadedPlugin] { slots.compactMap { try? $0.plugin() } }

    /// The built-in standard losses, then every plugin found on the search path.
    /// `lazily`: plugins whose scan passed are loaded only when used (see above).
    /// `scanner`: the folder rules, workers and cache to load with.
    public static func discover(_ path: PluginSearchPath, lazily: Bool = false,
                                scanner: PluginScanner = PluginScanner.current) -> LossRegistry {
        var registry = LossRegistry()
        registry.addBuiltIns()
        for folder in path.folders {
            let files = PluginSearchPath.pluginFiles(in: folder)
            registry.searched.append((folder, files != nil))
            if files == nil && folder.origin == .option {
                registry.failures.append(PluginFailure(path: folder.path, reason: .unreadable("no such folder")))
            }
            // Folder rules, a scan in a worker (cached), then dlopen here: see PluginScanner.
            scanner.prescan(files ?? [])
            for file in files ?? [] {
                if lazily, let found = scanner.metadata(file) {
                    registry.add(PluginSlot(id: found.plugin, path: PluginLoader.canonicalPath(file),
                                            lossIDs: found.lossIDs, scanner: scanner))
                } else {
                    registry.add(scanner.load(path: file))
                }
            }
        }
        scanner.cache?.save()
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
        case .success(let plugin): add(PluginSlot(plugin))
        case .failure(let failure): failures.append(failure)
        }
    }

    private mutating func add(_ slot: PluginSlot) {
        if let other = slots.first(where: { $0.id == slot.id }) {
            // The same file reached through two folders is not a conflict.
            if other.path != nil && other.path == slot.path { return }
            failures.append(PluginFailure(path: slot.path ?? "(built-in)",
                                          reason: .duplicatePlugin(id: slot.id, other: other.path ?? "the host (built-in)")))
        } else {
            slots.append(slot)
        }
    }

    /// Every loss, in plugin order. On a lazy registry this loads every plugin.
    public var losses: [LoadedLoss] { plugins.flatMap(\.losses) }

    /// The plugin with this id (loaded here if it was not yet).
    public func plugin(_ id: String) -> LoadedPlugin? {
        try? slots.first { $0.id == id }?.plugin()
    }

    /// The file of the plugin with this id, without loading it; nil for the built-ins.
    public func pluginPath(_ id: String) -> String? {
        slots.first { $0.id == id }?.path
    }

    /// Every loss id, in plugin order, with its plugin: known without loading anything.
    private var lossIDs: [(slot: PluginSlot, loss: String)] {
        slots.flatMap { slot in slot.lossIDs.map { (slot, $0) } }
    }

    /// Finds a loss by `plugin/loss`, or by a bare id when only one plugin has it.
    /// Only the plugin that serves it is loaded.
    public func resolve(_ id: String) throws(RegistryError) -> LoadedLoss {
        let all = lossIDs
        if let slash = id.firstIndex(of: "/") {
            let plugin = String(id[..<slash]), loss = String(id[id.index(after: slash)...])
            if let found = all.first(where: { $0.slot.id == plugin && $0.loss == loss }) { return try found.slot.loss(loss) }
            throw .unknown(id, suggestions: suggestions(for: loss, in: all))
        }
        let matches = all.filter { $0.loss == id }
        switch matches.count {
        case 1: return try matches[0].slot.loss(id)
        case 0: throw .unknown(id, suggestions: suggestions(for: id, in: all))
        default: throw .ambiguous(id, candidates: matches.map { "\($0.slot.id)/\($0.loss)" })
        }
    }

    private func suggestions(for id: String, in all: [(slot: PluginSlot, loss: String)]) -> [String] {
        all.map(\.loss).filter { $0.hasPrefix(String(id.prefix(2))) || $0.contains(id) || id.contains($0) }
    }
}

/// One plugin of a registry: loaded, or known by the ids its scan cached and
/// loaded (through its scanner: folder rules, cached scan, then `dlopen`) on first use.
final class PluginSlot: @unchecked Sendable {
    let id: String
    let path: String?
    let lossIDs: [String]
    private let scanner: PluginScanner?
    private let lock = NSLock()
    private var state: Result<LoadedPlugin, RegistryError>?

    init(_ plugin: LoadedPlugin) {
        id = plugin.id
        path = plugin.path
        lossIDs = plugin.losses.map(\.info.id)
        scanner = nil
        state = .success(plugin)
    }

    init(id: String, path: String, lossIDs: [String], scanner: PluginScanner) {
        self.id = id
        self.path = path
        self.lossIDs = lossIDs
        self.scanner = scanner
    }

    /// The plugin, loaded here on first use.
    func plugin() throws(RegistryError) -> LoadedPlugin {
        lock.lock()
        defer { lock.unlock() }
        if state == nil, let scanner, let path {
            switch scanner.load(path: path) {
            case .success(let plugin) where plugin.id == id && plugin.losses.map(\.info.id) == lossIDs:
                state = .success(plugin)
            case .success:
                state = .failure(.unavailable(id, reason: "\(path) changed since it was scanned; run the command again"))
            case .failure(let failure):
                state = .failure(.unavailable(id, reason: "\(failure.path): \(failure.reason)"))
            }
        }
        return try state!.get()
    }

    /// One of its losses, by its id in the plugin.
    func loss(_ loss: String) throws(RegistryError) -> LoadedLoss {
        guard let found = try plugin().losses.first(where: { $0.info.id == loss }) else {
            throw .unavailable(id, reason: "it no longer has a loss '\(loss)'")
        }
        return found
    }
}

/// A loss id that does not name exactly one loss.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    case unknown(String, suggestions: [String])
    case ambiguous(String, candidates: [String])
    /// A plugin listed from its cached scan could not be loaded when used.
    case unavailable(String, reason: String)

    public var description: String {
        switch self {
        case .unknown(let id, let suggestions):
            let hint = suggestions.isEmpty ? "" : " (did you mean \(suggestions.prefix(4).joined(separator: ", "))?)"
            return "unknown loss '\(id)'\(hint); `losshost list` shows the losses"
        case .ambiguous(let id, let candidates):
            return "ambiguous loss '\(id)': \(candidates.joined(separator: ", ")); name one with its plugin"
        case .unavailable(let plugin, let reason):
            return "cannot load plugin '\(plugin)': \(reason)"
        }
    }
}
