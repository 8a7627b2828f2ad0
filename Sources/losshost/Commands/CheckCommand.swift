import ArgumentParser

/// `losshost check` (being written; see its issue).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIError("'check' is not available yet")
    }
}
