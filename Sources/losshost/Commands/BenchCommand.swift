import ArgumentParser

/// `losshost bench` (being written; see its issue).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIError("'bench' is not available yet")
    }
}
