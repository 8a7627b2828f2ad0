import LossKit

/// The `swiftsample` plugin: robust (`tukey`, `fair`) and asymmetric (`expectile`)
/// regression losses, written with LossKit.
let table = PluginTable(
    id: "swiftsample", version: "1.0.0",
    summary: "sample Swift losses: bounded (tukey), asymmetric (expectile), smooth robust (fair)",
    losses: [
        .elementwise(Tukey.self),
        .elementwise(Expectile.self),
        .elementwise(Fair.self),
    ])

/// The one symbol the host looks up.
@_cdecl("losshost_plugin_entry")
public func losshost_plugin_entry(_ hostMajor: UInt32, _ hostMinor: UInt32) -> UnsafePointer<lh_plugin>? {
    table.entry(hostMajor: hostMajor, hostMinor: hostMinor)
}
