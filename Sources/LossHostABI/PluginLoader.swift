import CLossHost
import Foundation

/// Loads plugin files: checks the file, `dlopen`s it by its canonical path,
/// finds the entry symbol, negotiates the ABI version and validates the table.
public enum PluginLoader {
    /// Loads one plugin file: a `.so`, or a file of one of `formats`. Never
    /// throws for a bad file; returns the reason instead.
    public static func load(path: String, formats: PluginFormats) -> Result<LoadedPlugin, PluginFailure> {
        let canonical = canonicalPath(path)
        if let kind = FileKind.nonRegularKind(canonical) {
            return .failure(PluginFailure(path: canonical, reason: .unreadable("not a regular file (\(kind))")))
        }
        if let format = formats.format(for: canonical) { return format.load(canonical) }
        do throws(LoadFailure) {
            try ELFCheck.check(canonical)
            // Its constructors and entry point run here: the floating-point environment is put back after them.
            let log = PluginStateLog()
            let opened = PluginCall.run("its constructor", log: log) { Result { () throws(LoadFailure) in try DynamicLibrary.open(canonical) } }
            let library = try opened.get()
            guard let symbol = library.symbol(HostABI.entrySymbol) else { throw .missingEntry }
            let entry = unsafeBitCast(symbol, to: lh_entry_fn.self)
            let table = PluginCall.run("its entry point", log: log) { entry(HostABI.major, HostABI.minor) }
            if let changed = log.take() { throw .crashed("\(changed) (while loading)") }
            guard let table else { throw .entryReturnedNull }
            return .success(try DescriptorReader.read(table, path: canonical, origin: .native))
        } catch {
            return .failure(PluginFailure(path: canonical, reason: error))
        }
    }

    /// Validates a table the host already holds (the built-in standard losses).
    public static func builtIn(_ table: UnsafePointer<lh_plugin>) throws(LoadFailure) -> LoadedPlugin {
        try DescriptorReader.read(table, path: nil, origin: .builtIn)
    }

    /// The absolute path with symbolic links resolved, so a plugin is always
    /// loaded from exactly the file that was checked.
    public static func canonicalPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).resolvingSymlinksInPath().standardizedFileURL.path
    }
}
