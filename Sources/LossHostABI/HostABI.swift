import CLossHost

/// The ABI version this host speaks.
public enum HostABI {
    public static let major = UInt32(LOSSHOST_ABI_MAJOR)
    public static let minor = UInt32(LOSSHOST_ABI_MINOR)
    public static let entrySymbol = "losshost_plugin_entry"
}
