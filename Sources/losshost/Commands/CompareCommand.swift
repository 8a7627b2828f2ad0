import ArgumentParser

/// `losshost compare` (being written; see its issue).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIError("'compare' is not available yet")
    }
}
