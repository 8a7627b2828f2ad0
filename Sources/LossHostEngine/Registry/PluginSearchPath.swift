import Foundation
import LossHostABI

/// The folders plugins are discovered in, in order. The current directory is
/// never searched unless the user names it.
public struct PluginSearchPath: Sendable, Codable {
    /// Where a folder came from, for `list`.
    public enum Origin: String, Sendable, Codable {
        case option = "--plugin-dir"
        case environment = "LOSSHOST_PLUGIN_PATH"
        case user = "user folder"
        case bundled = "bundled"
    }

    public struct Folder: Sendable, Equatable, Codable {
        public let path: String
        public let origin: Origin
        /// Bundled folders that hold other build products load only `liblosshost-plugin-*.so`.
        public let namePrefix: String?
    }

    public let folders: [Folder]

    /// `--plugin-dir` folders, then `LOSSHOST_PLUGIN_PATH`, then the user's
    /// data folder, then the plugins bundled next to the executable.
    public static func standard(optionFolders: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                                executablePath: String? = currentExecutablePath()) -> PluginSearchPath {
        var folders: [Folder] = optionFolders.map { Folder(path: PluginLoader.canonicalPath($0), origin: .option, namePrefix: nil) }
        for entry in (environment["LOSSHOST_PLUGIN_PATH"] ?? "").split(separator: ":") where !entry.isEmpty {
            folders.append(Folder(path: PluginLoader.canonicalPath(String(entry)), origin: .environment, namePrefix: nil))
        }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"].map { $0 + "/.local/share" })
        if let dataHome { folders.append(Folder(path: dataHome + "/losshost/plugins", origin: .user, namePrefix: nil)) }
        if let executablePath {
            let dir = (executablePath as NSString).deletingLastPathComponent
            folders.append(Folder(path: dir, origin: .bundled, namePrefix: "liblosshost-plugin-"))
            let installed = ((dir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib/losshost/plugins")
            folders.append(Folder(path: installed, origin: .bundled, namePrefix: nil))
        }
        var seen = Set<String>()
        return PluginSearchPath(folders: folders.filter { seen.insert($0.path).inserted })
    }

    /// The executable's own path, from `/proc/self/exe`.
    public static func currentExecutablePath() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    /// The plugin files in one folder, sorted by name; nil when the folder does not exist.
    public static func pluginFiles(in folder: Folder, formats: PluginFormats) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        return formats.droppingCompanions(names.filter { name in
            formats.isPluginFile(name) && (folder.namePrefix.map { name.hasPrefix($0) } ?? true)
        }.sorted().map { folder.path + "/" + $0 })
    }
}
