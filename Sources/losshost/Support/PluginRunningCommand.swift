import ArgumentParser
import LossHostABI
import LossHostIsolation

/// A command that runs plugin code in this process: its output goes through
/// `Output`, on a descriptor no plugin can close or print into.
protocol PluginRunningCommand: ParsableCommand {
    var plugins: PluginOptions { get }
}

extension ListCommand: PluginRunningCommand {}
extension InfoCommand: PluginRunningCommand {}
extension EvalCommand: PluginRunningCommand {}
extension CheckCommand: PluginRunningCommand {}
extension CompareCommand: PluginRunningCommand {}
extension PlotCommand: PluginRunningCommand {}
extension FitCommand: PluginRunningCommand {}
extension DemoCommand: PluginRunningCommand {}
extension BenchCommand: PluginRunningCommand {}

extension PluginRunningCommand {
    /// Before `compare`, `plot`, `fit` or `bench` runs `loss`'s code: a crash in one of
    /// its plugin calls is then one line naming it (`PluginCrashLine`), pointing at
    /// `losshost check`; a crash in the host's own losses stays a host bug's report.
    func nameInCrashLine(_ loss: LoadedLoss) {
        PluginCrashLine.install(loss.origin == .builtIn ? nil : loss.qualifiedID, errorDescriptor: Output.errorDescriptor,
                                next: .check)
    }
}
