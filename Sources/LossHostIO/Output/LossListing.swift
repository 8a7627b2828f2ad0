import LossHostABI
import LossModel

/// The JSON of `losshost list --format json`, `losshost info ID --format json`
/// and the C host API's `lh_host_losses_json`: one encoder, so they never differ.
///
///     {"losses": [LOSS...], "failures": [{"path", "reason"}...],
///      "searched": [{"folder", "origin", "exists"}...]}
///
/// LOSS is what `info` prints: the loss's metadata, then its plugin's file
/// (`"(built-in)"` for the standard losses), version and ABI. It is built from
/// what each plugin declares (its scan, for a lazy registry): no plugin code runs.
public enum LossListing {
    /// The whole listing: plugins in search order, the failures, the folders searched.
    public static func json(plugins: [PluginMetadata], failures: [PluginFailure],
                            searched: [(folder: String, origin: String, exists: Bool)]) -> JSON {
        .object([
            ("losses", .array(plugins.flatMap { plugin in plugin.losses.map { loss($0, plugin: plugin) } })),
            ("failures", .array(failures.map { failure in
                .object([("path", .string(failure.path)), ("reason", .string(failure.reason.description))])
            })),
            ("searched", .array(searched.map { entry in
                .object([("folder", .string(entry.folder)), ("origin", .string(entry.origin)), ("exists", .bool(entry.exists))])
            })),
        ])
    }

    /// One loss, with its plugin's file, version and ABI.
    public static func loss(_ loss: LossMetadata, plugin: PluginMetadata?) -> JSON {
        guard case .object(let fields) = loss.json else { return loss.json }
        return .object(fields + [
            ("file", .string(plugin?.path ?? "(built-in)")),
            ("plugin_version", .string(plugin?.version ?? "")),
            ("abi", .string(plugin.map { "\($0.abiMajor).\($0.abiMinor)" } ?? "")),
        ])
    }

    /// One loaded loss, as `loss(_:plugin:)` shows its metadata.
    public static func loss(_ loss: LoadedLoss, plugin: LoadedPlugin?) -> JSON {
        self.loss(loss.metadata, plugin: plugin?.metadata)
    }
}
