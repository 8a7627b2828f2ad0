import CLossHost
import LossKit
import StandardLosses

/// The standard losses as a loadable plugin (`liblosshost-standard.so`).
@_cdecl("losshost_plugin_entry")
public func losshost_plugin_entry(_ hostMajor: UInt32, _ hostMinor: UInt32) -> UnsafePointer<lh_plugin>? {
    StandardPlugin.table.entry(hostMajor: hostMajor, hostMinor: hostMinor)
}
