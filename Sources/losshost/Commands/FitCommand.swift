import ArgumentParser

/// `losshost fit` (being written; see its issue).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fit", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIError("'fit' is not available yet")
    }
}
