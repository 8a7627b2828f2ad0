/// Why a plugin file could not be used. Each case is one line for `list`.
public enum LoadFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case notELF
    case wrongArchitecture(String)
    case dlopenFailed(String)
    case missingEntry
    case entryReturnedNull
    case abiTooNew(major: UInt32, minor: UInt32)
    case abiTooOld(major: UInt32, minor: UInt32)
    case invalidDescriptor(String)
    case duplicatePlugin(id: String, other: String)
    case unsafeLocation(String)
    case crashed(String)
    /// A scalar-plugin manifest error; the failure's path ends in `:line`.
    case manifest(line: Int, message: String)

    public var description: String {
        switch self {
        case .unreadable(let why): "cannot read the file: \(why)"
        case .notELF: "not a shared object (no ELF header)"
        case .wrongArchitecture(let arch): "a shared object for another architecture (\(arch))"
        case .dlopenFailed(let why): "dlopen failed: \(why)"
        case .missingEntry: "missing entry symbol 'losshost_plugin_entry'"
        case .entryReturnedNull: "the entry point returned NULL (the plugin refused this host's ABI version)"
        case .abiTooNew(let major, let minor):
            "built for ABI \(major).\(minor), newer than this host's \(HostABI.major).\(HostABI.minor)"
        case .abiTooOld(let major, let minor):
            "built for ABI \(major).\(minor), older than this host's \(HostABI.major).\(HostABI.minor)"
        case .invalidDescriptor(let why): "invalid descriptor: \(why)"
        case .duplicatePlugin(let id, let other): "plugin id '\(id)' is already provided by \(other)"
        case .unsafeLocation(let why): "refused: \(why)"
        case .crashed(let why): why
        case .manifest(_, let message): message
        }
    }
}
