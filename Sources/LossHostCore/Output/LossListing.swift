import LossKit

/// The JSON of `losshost list --format json`, `losshost info ID --format json`
/// and the C host API's `lh_host_losses_json`: one encoder, so they never differ.
///
///     {"losses": [LOSS...], "failures": [{"path", "reason"}...],
///      "searched": [{"folder", "origin", "exists"}...]}
///
/// LOSS is what `info` prints: the loss's metadata, then its plugin's file
/// (`"(built-in)"` for the standard losses), version and ABI.
public enum LossListing {
    /// The whole listing of a registry. Loads every plugin of a lazy registry.
    public static func json(_ registry: LossRegistry) -> JSON {
        let plugins = registry.plugins
        let losses = plugins.flatMap { plugin in plugin.losses.map { loss($0, plugin: plugin) } }
        return .object([
            ("losses", .array(losses)),
            ("failures", .array(registry.failures.map { failure in
                .object([("path", .string(failure.path)), ("reason", .string(failure.reason.description))])
            })),
            ("searched", .array(registry.searched.map { entry in
                .object([("folder", .string(entry.folder.path)), ("origin", .string(entry.folder.origin.rawValue)),
                         ("exists", .bool(entry.exists))])
            })),
        ])
    }

    /// One loss, with its plugin's file, version and ABI.
    public static func loss(_ loss: LoadedLoss, plugin: LoadedPlugin?) -> JSON {
        .object(fields(loss) + [
            ("file", .string(plugin?.path ?? "(built-in)")),
            ("plugin_version", .string(plugin?.version ?? "")),
            ("abi", .string(plugin.map { "\($0.abiMajor).\($0.abiMinor)" } ?? "")),
        ])
    }

    /// The loss's own metadata, as key-value pairs in a fixed order.
    static func fields(_ loss: LoadedLoss) -> [(String, JSON)] {
        let info = loss.info
        return [
            ("id", .string(info.id)), ("plugin", .string(loss.pluginID)), ("qualified_id", .string(loss.qualifiedID)),
            ("kind", .string(info.kind.description)), ("summary", .string(info.summary)),
            ("reduce", .string(info.reduce == .elementwise ? "elementwise" : "row")),
            ("pred", .string(info.predDoc)), ("target", .string(info.targetDoc)),
            ("pred_columns", .int(info.predColumns)), ("target_layout", .string(info.targetLayout.description)),
            ("hessian", .string(loss.hessianDescription)),
            ("thread_safe", .bool(info.threadSafe)), ("deterministic", .bool(info.deterministic)),
            ("params", .array(info.parameters.map(\.json))),
        ] + (loss.numericGradient ? [("gradient", .string("numeric"))] : [])
    }
}
