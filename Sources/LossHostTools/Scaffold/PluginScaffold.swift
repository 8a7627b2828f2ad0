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

    /// Validates `name` against the plugin id rules. The project names no path of this
    /// machine: C finds losshost.h through the installed Python package (or
    /// LOSSHOST_INCLUDE), Swift the losshost package through LOSSHOST_PACKAGE.
    public init(name: String, language: Language) throws(ScaffoldError) {
        try Self.validate(name: name)
        self.name = name
        self.language = language
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
            if own == "losshost" {
                throw ScaffoldError("\(folder): a Swift package folder must not have the name of the losshost package it depends on; pick another --output")
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
}

/// Why a project could not be made: one line for the user.
public struct ScaffoldError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
