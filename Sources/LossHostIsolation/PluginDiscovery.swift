import LossHostABI
import LossHostEngine
import StandardLosses

extension LossRegistry {
    /// The built-in standard losses, then every plugin found on the
    /// configuration's search path, each through the folder rules and a scan in
    /// a worker (cached) before it is `dlopen`ed here.
    /// `lazily`: plugins whose scan passed are listed by the ids the scan cached
    /// and loaded only when used; `eval` of one loss loads one file.
    public static func discover(_ configuration: HostConfiguration, lazily: Bool = false) -> LossRegistry {
        discover(configuration, scanner: PluginScanner(configuration), lazily: lazily)
    }

    /// As `discover(_:lazily:)`, with a scanner the caller keeps (for run marks and isolation).
    public static func discover(_ configuration: HostConfiguration, scanner: PluginScanner, lazily: Bool = false) -> LossRegistry {
        var registry = LossRegistry()
        registry.addBuiltIns()
        for folder in configuration.searchPath.folders {
            let files = PluginSearchPath.pluginFiles(in: folder, formats: configuration.formats)
            registry.searched(folder, exists: files != nil)
            if files == nil && folder.origin == .option {
                registry.fail(PluginFailure(path: folder.path, reason: .unreadable("no such folder")))
            }
            scanner.prescan(files ?? [])
            for file in files ?? [] {
                if lazily, let found = scanner.metadata(file) {
                    registry.addLazily(id: found.plugin, path: PluginLoader.canonicalPath(file), lossIDs: found.lossIDs,
                                       load: { scanner.load(path: $0) })
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
            fail(PluginFailure(path: "(built-in)", reason: error))
        }
    }
}
