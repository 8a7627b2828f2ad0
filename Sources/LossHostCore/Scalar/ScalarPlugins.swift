/// Losses declared by a manifest over plain C functions, called through libffi.
public enum ScalarPlugins {
    /// File names that declare scalar plugins.
    public static let manifestSuffix = ".losshost.json"

    /// Loads the losses a manifest declares.
    public static func load(manifest path: String) -> Result<LoadedPlugin, PluginFailure> {
        .failure(PluginFailure(path: path, reason: .invalidDescriptor("scalar manifests are not supported yet")))
    }
}
