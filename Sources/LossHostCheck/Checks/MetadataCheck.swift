import LossHostIO
import LossHostABI
import LossModel

/// What the loader does not already refuse: summaries and docs present, kinds
/// and shapes consistent. (Ids, ranges and defaults are validated at load.)
enum MetadataCheck {
    static func run(_ plugin: LoadedPlugin) throws -> String {
        if plugin.summary.isEmpty { throw CheckFailure("plugin '\(plugin.id)' has no summary") }
        if plugin.version.isEmpty { throw CheckFailure("plugin '\(plugin.id)' has no version") }
        for loss in plugin.losses {
            let info = loss.info, at = "loss '\(info.id)'"
            if info.predDoc.isEmpty { throw CheckFailure("\(at): pred_doc is empty") }
            if info.targetDoc.isEmpty { throw CheckFailure("\(at): target_doc is empty") }
            for p in info.parameters where p.doc.isEmpty { throw CheckFailure("\(at) param '\(p.name)': doc is empty") }
            if info.kind == .multiclass && info.reduce != .rowwise {
                throw CheckFailure("\(at): a multiclass loss must be a row loss (reduce = LH_ROWWISE)")
            }
            if info.kind == .multiclass && info.predColumns == 1 {
                throw CheckFailure("\(at): a multiclass loss needs pred_columns 0 (any) or >= 2, not 1")
            }
            if info.targetLayout == .oneColumn && info.reduce == .elementwise && info.predColumns != 1 {
                throw CheckFailure("\(at): an element-wise loss with an N x 1 target needs pred_columns 1")
            }
        }
        let params = plugin.losses.map(\.info.parameters.count).reduce(0, +)
        return "plugin '\(plugin.id)' \(plugin.version): \(counted(plugin.losses.count, "loss", "losses")), \(counted(params, "param")), ids unique, summaries and docs present, kinds and shapes consistent"
    }
}
