import LossHostIO

extension LossListing {
    /// The listing of a registry, from what its plugins declare: a lazy
    /// registry loads none of them for it.
    public static func json(_ registry: LossRegistry) -> JSON {
        json(plugins: registry.pluginMetadata, failures: registry.failures,
             searched: registry.searched.map { ($0.folder.path, $0.folder.origin.rawValue, $0.exists) })
    }
}
