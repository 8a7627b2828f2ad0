import Foundation

/// A new plugin project, as `losshost new` writes it: sources with one example
/// loss, a build file and a README, for C (a Makefile) or Swift (a SwiftPM
/// package on LossKit).
public struct PluginScaffold: Sendable {
    public enum Language: String, Sendable, CaseIterable {
        case c, swift
    }

    /// The plugin id, also the library's name (`libNAME.so`).
    public let name: String
    public let language: Language
    /// The losshost package: its `include/losshost.h` for C, its path for the Swift dependency.
    public let losshostRoot: String
    /// The `losshost` executable the README and the Makefile's `check` run.
    public let losshostExecutable: String

    /// Validates `name` against the plugin id rules.
    public init(name: String, language: Language, losshostRoot: String, losshostExecutable: String) throws(ScaffoldError) {
        try Self.validate(name: name)
        self.name = name
        self.language = language
        self.losshostRoot = losshostRoot
        self.losshostExecutable = losshostExecutable
    }

    /// Ids the host or the Swift build already use.
    static let reserved: Set<String> = ["std", "losskit", "closshost", "losshostcore", "standardlosses", "cffi", "losshost"]

    /// A plugin id: `[a-z][a-z0-9_]*`, at most 63 bytes, not one the host reserves.
    public static func validate(name: String) throws(ScaffoldError) {
        let lower = UInt8(ascii: "a")...UInt8(ascii: "z"), digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        let isID = name.utf8.first.map(lower.contains) == true
            && name.utf8.allSatisfy { lower.contains($0) || digit.contains($0) || $0 == UInt8(ascii: "_") }
        guard isID, name.utf8.count <= 63 else {
            throw ScaffoldError("'\(name)' is not a plugin id: use a lowercase letter, then lowercase letters, digits or _ (at most 63 bytes), e.g. my_losses")
        }
        guard !reserved.contains(name) else {
            throw ScaffoldError("'\(name)' is taken by losshost itself; pick another plugin id")
        }
    }

    /// The project's files, as paths relative to its folder and their text.
    public var files: [(path: String, text: String)] {
        switch language {
        case .c: CPluginTemplate(scaffold: self).files
        case .swift: SwiftPluginTemplate(scaffold: self).files
        }
    }

    /// Writes the project into `folder`, which must be missing or empty.
    public func write(to folder: String) throws(ScaffoldError) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ScaffoldError("\(folder): exists and is not a folder") }
            let entries = (try? manager.contentsOfDirectory(atPath: folder)) ?? []
            guard entries.isEmpty else { throw ScaffoldError("\(folder): is not empty; pick a new folder with --output") }
        }
        if language == .swift {
            // SwiftPM names a path dependency by its folder; the two must differ.
            let own = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent.lowercased()
            if own == SwiftPluginTemplate.packageIdentity(of: losshostRoot) {
                throw ScaffoldError("\(folder): a Swift package folder must not have the same name as the losshost folder (\(losshostRoot)); pick another --output")
            }
        }
        for file in files {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(file.path)
            do {
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: url)
            } catch {
                throw ScaffoldError("\(url.path): cannot write (\(error.localizedDescription))")
            }
        }
    }

    /// The losshost package above `executable` (a folder with Package.swift,
    /// include/losshost.h and Sources/LossKit), or an installed prefix
    /// (`bin/losshost` with `include/losshost.h`); nil when neither is found.
    public static func locateLosshost(executable: String?) -> String? {
        guard let executable else { return nil }
        let manager = FileManager.default
        var dir = (executable as NSString).deletingLastPathComponent
        let prefix = (dir as NSString).deletingLastPathComponent
        while true {
            let header = (dir as NSString).appendingPathComponent("include/losshost.h")
            if manager.fileExists(atPath: (dir as NSString).appendingPathComponent("Package.swift")),
               manager.fileExists(atPath: header),
               manager.fileExists(atPath: (dir as NSString).appendingPathComponent("Sources/LossKit")) {
                return dir
            }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { break }
            dir = parent
        }
        if manager.fileExists(atPath: (prefix as NSString).appendingPathComponent("include/losshost.h")) { return prefix }
        return nil
    }
}

/// Why a project could not be made: one line for the user.
public struct ScaffoldError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
