import ArgumentParser
import Foundation
import LossHostEngine
import LossHostSystem

/// The `losshost` command.
@main
struct LossHost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "losshost",
        abstract: "Load, evaluate and check loss functions from C-ABI plugins.",
        discussion: """
            A model learns what it optimizes: the loss decides how outliers, false
            positives against false negatives and confident mistakes are punished.
            losshost loads losses from shared libraries (built-in, bundled, or any
            .so dropped into a plugin folder) and evaluates them with gradients and
            Hessians.
            """,
        version: "0.1.0",
        subcommands: [
            ListCommand.self, InfoCommand.self, EvalCommand.self, CheckCommand.self, CompareCommand.self,
            PlotCommand.self, FitCommand.self, DemoCommand.self, BenchCommand.self, NewCommand.self,
        ]
    )

    /// Parses and runs; every error is one line on standard error and a non-zero exit.
    static func main() {
        // A reader that goes away (`| head`) is an EPIPE for Output.write, not a signal.
        SignalAction.ignore(SIGPIPE)
        do {
            var command = try parseAsRoot()
            if command is any PluginRunningCommand { Output.protect() }
            try command.run()
        } catch {
            // An id that names no loss: the CLI's way to list them.
            let error = (error as? RegistryError).map { CLIError($0.description, kind: $0.kind) } ?? error
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            Output.error("losshost: error: \(message)\n")
            Foundation.exit(code.rawValue)
        }
    }
}
