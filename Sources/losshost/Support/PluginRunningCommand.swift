import ArgumentParser

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
