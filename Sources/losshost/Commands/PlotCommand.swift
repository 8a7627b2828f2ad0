import ArgumentParser

/// `losshost plot` (being written; see its issue).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIError("'plot' is not available yet")
    }
}
