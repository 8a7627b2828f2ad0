import ArgumentParser
import Foundation
import LossHostTools

/// `losshost new NAME`: a ready plugin project to edit, build and check.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a new plugin project (C or Swift) with one example loss, ready to build and check.",
        discussion: """
            NAME is the plugin id ([a-z][a-z0-9_]*, at most 63 bytes) and the library's
            name, libNAME.so. The project has one example loss, NAME/logcosh, with a
            parameter, its value, gradient and Hessian, and a README on how to build,
            check and use it:

              --lang c      NAME.c and a Makefile: `make` builds libNAME.so against
                            losshost.h from the installed losshost Python package
                            (make LOSSHOST_INCLUDE=DIR: from DIR), `make check` runs
                            losshost check on it;
              --lang swift  a SwiftPM package on LossKit (a path dependency on the
                            losshost package at ../losshost, or $LOSSHOST_PACKAGE):
                            `swift build -c release` builds .build/release/libNAME.so.

            Examples:
              losshost new my_losses
              losshost new my_losses --lang swift --output ~/src/my_losses
            """
    )

    @Argument(help: "The plugin id, also the library's name (libNAME.so).")
    var name: String

    @Option(help: ArgumentHelp("The language of the project: c or swift.", valueName: "c|swift"))
    var lang: String = "c"

    @Option(help: ArgumentHelp("The project folder, missing or empty (default: ./NAME).", valueName: "dir"))
    var output: String?

    func run() throws {
        guard let language = PluginScaffold.Language(rawValue: lang) else {
            throw CLIError("unknown --lang '\(lang)' (expected c or swift)")
        }
        let scaffold = try PluginScaffold(name: name, language: language)
        let folder = output ?? name
        try scaffold.write(to: folder)
        let build = language == .c ? "make && make check" : "swift build -c release && losshost check .build/release/lib\(name).so"
        Output.write("""
            wrote \(folder): plugin '\(name)' in \(language == .c ? "C" : "Swift"), with one example loss, \(name)/logcosh
              \(scaffold.files.map(\.path).joined(separator: ", "))
            next: cd \(folder) && \(build)

            """)
    }
}
