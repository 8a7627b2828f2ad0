/// A kind of plugin file other than a shared library with the entry symbol,
/// such as a scalar-function manifest. Formats are registered with the loader
/// (in the host configuration); the loader names none of them.
public protocol PluginFormat: Sendable {
    /// The format's name, as a host configuration sent to a worker names it.
    var name: String { get }
    /// Whether the file named `path` is one of this format (by its name).
    func claims(_ path: String) -> Bool
    /// Loads the file at `path` (canonical). Never throws; a bad file is a failure.
    func load(_ path: String) -> Result<LoadedPlugin, PluginFailure>
    /// The other files whose code loading `path` runs (a manifest's libraries),
    /// canonical: folder rules and scan fingerprints cover them too.
    func companionFiles(of path: String) -> [String]
}

/// The formats a host knows besides shared libraries.
public struct PluginFormats: Sendable {
    public var formats: [any PluginFormat]

    public init(_ formats: [any PluginFormat] = []) {
        self.formats = formats
    }

    /// The format that claims `path`; nil for a shared library.
    public func format(for path: String) -> (any PluginFormat)? {
        formats.first { $0.claims(path) }
    }

    /// Whether a file of this name is a plugin: a `.so`, or one a format claims.
    public func isPluginFile(_ name: String) -> Bool {
        name.hasSuffix(".so") || format(for: name) != nil
    }

    /// The files a format's file names as its companions, canonical; empty for a shared library.
    public func companionFiles(of path: String) -> [String] {
        format(for: path)?.companionFiles(of: path) ?? []
    }

    /// `files` (absolute paths in one folder) without the shared libraries that a
    /// format's file among them uses: such a `.so` is plain C, not a plugin, and
    /// would otherwise be reported as missing the entry symbol.
    public func droppingCompanions(_ files: [String]) -> [String] {
        let claimed = Set(files.flatMap(companionFiles))
        guard !claimed.isEmpty else { return files }
        return files.filter { !$0.hasSuffix(".so") || !claimed.contains(PluginLoader.canonicalPath($0)) }
    }
}
