import CLossHost
import Foundation

/// Loads plugin files: checks the file, `dlopen`s it by its canonical path,
/// finds the entry symbol, negotiates the ABI version and validates the table.
public enum PluginLoader {
    /// Loads one plugin file: a `.so`, or a file of one of `formats`. Never
    /// throws for a bad file; returns the reason instead.
    public static func load(path: String, formats: PluginFormats) -> Result<LoadedPlugin, PluginFailure> {
        let canonical = canonicalPath(path)
        if let format = formats.format(for: canonical) { return format.load(canonical) }
        do throws(LoadFailure) {
            try ELFCheck.check(canonical)
            let library = try DynamicLibrary.open(canonical)
            guard let symbol = library.symbol(HostABI.entrySymbol) else { throw .missingEntry }
            let entry = unsafeBitCast(symbol, to: lh_entry_fn.self)
            return .success(try fromEntry(entry, path: canonical))
        } catch {
            return .failure(PluginFailure(path: canonical, reason: error))
        }
    }

    /// Validates a table reached through an entry function: the path for
    /// plugins compiled into the host (the standard losses) and loaded ones alike.
    package static func fromEntry(_ entry: lh_entry_fn, path: String?) throws(LoadFailure) -> LoadedPlugin {
        guard let table = entry(HostABI.major, HostABI.minor) else { throw .entryReturnedNull }
        return try DescriptorReader.read(table, path: path, origin: .native)
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
