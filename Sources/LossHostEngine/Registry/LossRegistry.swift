import Foundation
import LossHostABI
import LossHostIO
import LossModel
import Synchronization

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

    /// Records a folder that was searched, and whether it existed.
    public mutating func searched(_ folder: PluginSearchPath.Folder, exists: Bool) {
        searched.append((folder, exists))
    }

    /// Records a failure that is no plugin's load result (a missing folder).
    public mutating func fail(_ failure: PluginFailure) {
        failures.append(failure)
    }

    /// Adds a plugin known by what its scan declared, loaded by `loader` on first use.
    public mutating func addLazily(_ metadata: PluginMetadata, loader: any PluginLoading) {
        add(PluginSlot(metadata: metadata, loader: loader))
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

    /// What every plugin declares, in search order, without loading any (a
    /// lazy registry has it from the scans): what `list` shows.
    public var pluginMetadata: [PluginMetadata] { slots.map(\.metadata) }

    /// What the loss `resolve` would find declares, without loading its plugin: what `info` shows.
    public func resolveMetadata(_ id: String) throws(RegistryError) -> (loss: LossMetadata, plugin: PluginMetadata) {
        let (slot, loss) = try find(id)
        guard let found = slot.metadata.losses.first(where: { $0.info.id == loss }) else {
            throw .unavailable(slot.id, reason: "it no longer has a loss '\(loss)'")
        }
        return (found, slot.metadata)
    }

    /// The `plugin/loss` id `resolve` would find, and the file of its plugin
    /// (nil for a built-in), without loading it.
    public func locate(_ id: String) throws(RegistryError) -> (qualifiedID: String, path: String?) {
        let (slot, loss) = try find(id)
        return ("\(slot.id)/\(loss)", slot.path)
    }

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
        let (slot, loss) = try find(id)
        return try slot.loss(loss)
    }

    /// The slot and the loss id in it that `id` names, without loading anything.
    private func find(_ id: String) throws(RegistryError) -> (PluginSlot, String) {
        let all = lossIDs
        if let slash = id.firstIndex(of: "/") {
            let plugin = String(id[..<slash]), loss = String(id[id.index(after: slash)...])
            if let found = all.first(where: { $0.slot.id == plugin && $0.loss == loss }) { return (found.slot, loss) }
        } else {
            let matches = all.filter { $0.loss == id }
            switch matches.count {
            case 1: return (matches[0].slot, id)
            case 0: break
            default: throw .ambiguous(id, candidates: matches.map { "\($0.slot.id)/\($0.loss)" })
            }
        }
        throw notFound(id)
    }

    /// Why `id` names no loss: a file given for an id, a plugin whose file was
    /// refused, or an unknown id with suggestions and the files that failed.
    private func notFound(_ id: String) -> RegistryError {
        if Self.looksLikeFile(id) { return .file(id) }
        let failed = failures.filter { if case .duplicatePlugin = $0.reason { false } else { true } }
        let plugin = id.firstIndex(of: "/").map { String(id[..<$0]) }
        if let plugin, !slots.contains(where: { $0.id == plugin }),
           let refused = failed.first(where: { Self.fileName($0.path, couldHold: plugin) }) {
            return .refused(id, path: refused.path, reason: refused.reason.description)
        }
        let suggestions = LossSuggestions.suggestions(for: id, in: lossIDs.map { ($0.slot.id, $0.loss) })
        return .unknown(id, suggestions: suggestions, failedFiles: failed.map { "\($0.path): \($0.reason)" })
    }

    /// A loss id never contains a dot or starts with a path; a file name does.
    static func looksLikeFile(_ id: String) -> Bool {
        id.hasPrefix("/") || id.hasPrefix("./") || id.hasPrefix("../") || id.hasPrefix("~") || id.contains(".so")
            || id.hasSuffix(".json")
    }

    /// Whether a plugin file's name suggests it holds plugin `id`: `libID.so`,
    /// `liblosshost-plugin-ID.so`, `ID.so`, or a scalar manifest `ID.losshost.json`.
    static func fileName(_ path: String, couldHold id: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let bare = name.replacingOccurrences(of: ".losshost.json", with: "").replacingOccurrences(of: ".so", with: "")
        return [id, "lib" + id, "liblosshost-plugin-" + id].contains(bare)
    }
}

/// How a lazy registry loads a plugin it knows from a scan: folder rules,
/// the cached scan, then `dlopen` (the isolation layer's scanner).
public protocol PluginLoading: Sendable {
    /// Checks, scans and loads one plugin file.
    func load(path: String) -> Result<LoadedPlugin, PluginFailure>
    /// What a scan of the file declares now (scanning it again if it changed).
    func metadata(_ path: String) -> PluginMetadata?
}

/// One plugin of a registry: loaded, or known by what its scan declared and
/// loaded (by its loader) on first use.
final class PluginSlot: Sendable {
    /// What the plugin declares: from its table once loaded, else from its scan.
    let metadata: PluginMetadata
    private let loader: (any PluginLoading)?
    private let state: Mutex<Result<LoadedPlugin, RegistryError>?>

    var id: String { metadata.id }
    var path: String? { metadata.path }
    var lossIDs: [String] { metadata.losses.map(\.info.id) }

    init(_ plugin: LoadedPlugin) {
        metadata = plugin.metadata
        loader = nil
        state = Mutex(.success(plugin))
    }

    init(metadata: PluginMetadata, loader: any PluginLoading) {
        self.metadata = metadata
        self.loader = loader
        state = Mutex(nil)
    }

    /// The plugin, loaded here on first use.
    func plugin() throws(RegistryError) -> LoadedPlugin {
        let result = state.withLock { state in
            if state == nil, let loader, let path { state = load(loader, path) }
            return state!
        }
        return try result.get()
    }

    private func load(_ loader: any PluginLoading, _ path: String) -> Result<LoadedPlugin, RegistryError> {
        switch loader.load(path: path) {
        case .success(let plugin) where plugin.id == id && plugin.losses.map(\.info.id) == lossIDs:
            return .success(plugin)
        case .success(let plugin):
            return .failure(.unavailable(id, reason: Self.mismatch(plugin, scanned: metadata, rescanned: loader.metadata(path))))
        case .failure(let failure):
            return .failure(.unavailable(id, reason: "\(failure.path): \(failure.reason)"))
        }
    }

    /// Why a plugin loaded here is not the one its scan described: the file
    /// changed meanwhile (a new scan agrees with the load), or the plugin
    /// describes itself one way in a scan worker and another way here.
    static func mismatch(_ loaded: LoadedPlugin, scanned: PluginMetadata, rescanned: PluginMetadata?) -> String {
        let here = "'\(loaded.id)' with losses \(loaded.losses.map(\.info.id).joined(separator: ", "))"
        if let rescanned, rescanned.id == loaded.id, rescanned.losses.map(\.info.id) == loaded.losses.map(\.info.id),
           rescanned.id != scanned.id || rescanned.losses.map(\.info.id) != scanned.losses.map(\.info.id) {
            return "\(loaded.path ?? "") changed while losshost was running; run the command again"
        }
        let there = "'\(scanned.id)' with losses \(scanned.losses.map(\.info.id).joined(separator: ", "))"
        return "\(loaded.path ?? "") declares \(there) when scanned in a worker but \(here) when loaded in losshost; a plugin must describe itself the same way in every process"
    }

    /// One of its losses, by its id in the plugin.
    func loss(_ loss: String) throws(RegistryError) -> LoadedLoss {
        guard let found = try plugin().losses.first(where: { $0.info.id == loss }) else {
            throw .unavailable(id, reason: "it no longer has a loss '\(loss)'")
        }
        return found
    }
}

/// A loss id that does not name exactly one loss. The message names no client's
/// way to list the losses: `kind` is `.unknownLoss` for an unknown id, and each
/// client adds its own.
public enum RegistryError: KindedFailure, Sendable, CustomStringConvertible {
    /// No loss has this id; `failedFiles` ("path: reason") were not loaded.
    case unknown(String, suggestions: [String], failedFiles: [String] = [])
    case ambiguous(String, candidates: [String])
    /// A plugin listed from its cached scan could not be loaded when used.
    case unavailable(String, reason: String)
    /// The plugin named in the id is in a file that was refused or failed to load.
    case refused(String, path: String, reason: String)
    /// A file path where a loss id belongs.
    case file(String)

    public var kind: FailureKind? {
        if case .unknown = self { return .unknownLoss }
        return nil
    }

    public var description: String {
        switch self {
        case .unknown(let id, let suggestions, let failedFiles):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.prefix(4).joined(separator: ", "))?"
            let failed = switch failedFiles.count {
            case 0: ""
            case 1: "; 1 plugin file was not loaded, \(failedFiles[0])"
            default: "; \(failedFiles.count) plugin files were not loaded"
            }
            return "unknown loss '\(id)'\(hint)\(failed)"
        case .ambiguous(let id, let candidates):
            return "ambiguous loss '\(id)': \(candidates.joined(separator: ", ")); name one with its plugin"
        case .unavailable(let plugin, let reason):
            return "cannot load plugin '\(plugin)': \(reason)"
        case .refused(let id, let path, let reason):
            return "loss '\(id)' is not available: its plugin file \(path) was not loaded (\(reason))"
        case .file(let path):
            let folder = (path as NSString).deletingLastPathComponent
            let dir = folder.isEmpty ? "." : folder
            return "'\(path)' is a file, not a loss id: add --plugin-dir \(dir) and name a loss as plugin/loss (`losshost list --plugin-dir \(dir)` shows them)"
        }
    }
}
