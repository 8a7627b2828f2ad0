import ArgumentParser

/// `losshost demo` (being written; see its issue).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIError("'demo' is not available yet")
    }
}
