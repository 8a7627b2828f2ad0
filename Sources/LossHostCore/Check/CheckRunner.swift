import Foundation

/// Runs a check plan in this process (in a worker, or with `--in-process`),
/// reporting progress through `emit`: each check's start, each change of
/// stage (create, evaluate, destroy), each result.
public enum CheckRunner {
    public enum Event: Sendable {
        case start(index: Int, check: String, loss: String?)
        case stage(String)
        case result(index: Int, CheckResult)
        /// The target could not be resolved; nothing ran.
        case error(String)
    }

    /// Runs the checks from `start` on; the checks of `skipLosses` are reported as skipped.
    public static func run(_ options: CheckOptions, start: Int = 0, skipLosses: Set<String> = [],
                           emit: @escaping @Sendable (Event) -> Void) {
        let stage = StageReporter(emit)
        _ = StreamGuard.shared.take()  // takes its copies of 0, 1 and 2 now, before any plugin code runs
        // libdispatch opens its descriptors on first use: let it, before plugin code can close
        // descriptor 1 and so hand that number to dispatch (the thread check runs on dispatch).
        DispatchQueue.concurrentPerform(iterations: 8) { _ in usleep(1_000) }
        let loaded: Result<(LoadedPlugin, [LoadedLoss]), PluginFailure>
        if isPathTarget(options.target) {
            guard FileManager.default.fileExists(atPath: options.target) else { return emit(.error("no such file: \(options.target)")) }
            if start == 0 { emit(.start(index: 0, check: "plugin.load", loss: nil)) }
            stage.set("load")
            let scanner = PluginScanner(worker: nil, allowUnsafeLocations: options.allowUnsafePlugins)
            let streams = StandardStreams.snapshot()
            let result = scanner.load(path: options.target)
            if let changed = StandardStreams.snapshot().change(since: streams) {
                // What `list` refuses it for (see ScanWorker).
                loaded = .failure(PluginFailure(path: PluginLoader.canonicalPath(options.target), reason: .crashed(changed)))
            } else {
                loaded = result.map { ($0, $0.losses) }
            }
        } else {
            let registry = LossRegistry.discover(.standard(optionFolders: options.pluginDirs))
            if let plugin = registry.plugins.first(where: { $0.id == options.target }) {
                loaded = .success((plugin, plugin.losses))
            } else {
                do {
                    let loss = try registry.resolve(options.target)
                    guard let plugin = registry.plugins.first(where: { $0.id == loss.pluginID }) else { return }
                    loaded = .success((plugin, [loss]))
                } catch {
                    if let failure = registry.failures.first(where: { $0.path.hasSuffix("/" + options.target) }) {
                        loaded = .failure(failure)
                    } else {
                        return emit(.error("\("\(error)".replacingOccurrences(of: "unknown loss", with: "unknown loss or plugin"))"))
                    }
                }
            }
            if start == 0 { emit(.start(index: 0, check: "plugin.load", loss: nil)) }
        }
        let plugin: LoadedPlugin, losses: [LoadedLoss]
        switch loaded {
        case .failure(let failure):
            return emit(.result(index: 0, CheckResult(check: "plugin.load", outcome: .fail, detail: failure.reason.description)))
        case .success(let found): (plugin, losses) = found
        }
        let plan = CheckPlan(losses: losses.map(\.info.id), only: options.only)
        var contexts: [String: LossCheckContext] = [:]
        for (index, item) in plan.items.enumerated() where index >= start {
            if index > 0 { emit(.start(index: index, check: item.name, loss: item.loss)) }
            let result: CheckResult
            if let lossID = item.loss, skipLosses.contains(lossID) {
                result = CheckResult(check: item.name, outcome: .skip, detail: "not run: an earlier check of '\(lossID)' crashed")
            } else {
                result = runOne(item, plugin: plugin, losses: losses, options: options, contexts: &contexts, stage: stage)
            }
            emit(.result(index: index, result))
        }
    }

    /// True when `target` names a plugin file rather than a loss or plugin id.
    public static func isPathTarget(_ target: String) -> Bool {
        target.hasSuffix(".so") || (target.contains("/") && FileManager.default.fileExists(atPath: target))
    }

    private static func runOne(_ item: CheckPlan.Item, plugin: LoadedPlugin, losses: [LoadedLoss], options: CheckOptions,
                               contexts: inout [String: LossCheckContext], stage: StageReporter) -> CheckResult {
        let result = runChecked(item, plugin: plugin, losses: losses, options: options, contexts: &contexts, stage: stage)
        // A plugin that closed or replaced stdin, stdout or stderr fails the check it did it in.
        if let why = StreamGuard.shared.take() { return CheckResult(check: item.name, outcome: .fail, detail: why) }
        return result
    }

    private static func runChecked(_ item: CheckPlan.Item, plugin: LoadedPlugin, losses: [LoadedLoss], options: CheckOptions,
                                   contexts: inout [String: LossCheckContext], stage: StageReporter) -> CheckResult {
        let detail: String
        do {
            switch item.kind {
            case nil where item.name == "plugin.load":
                let where_ = plugin.path ?? "built into the host"
                let minor = plugin.abiMinor > HostABI.minor ? " (a newer minor; the host reads the fields it knows)" : ""
                detail = "'\(plugin.id)' \(plugin.version), ABI \(plugin.abiMajor).\(plugin.abiMinor)\(minor), from \(where_)"
            case nil:
                detail = try MetadataCheck.run(plugin)
            case let kind?:
                let lossID = item.loss!
                let context: LossCheckContext
                if let existing = contexts[lossID] {
                    context = existing
                } else {
                    context = LossCheckContext(loss: losses.first { $0.info.id == lossID }!, seed: options.seed,
                                               stage: { stage.set($0) })
                    contexts[lossID] = context
                }
                switch kind {
                case .lifecycle: detail = try LifecycleCheck.run(context)
                case .gradient: detail = try GradientCheck.run(context)
                case .hessian: detail = try HessianCheck.run(context)
                case .fused: detail = try FusedCheck.run(context)
                case .composition: detail = try CompositionCheck.run(context)
                case .determinism: detail = try DeterminismCheck.run(context)
                case .threads: detail = try ThreadSafetyCheck.run(context)
                case .robustness: detail = try RobustnessCheck.run(context)
                case .memory: detail = try MemoryCheck.run(context)
                case .params: detail = try ParamRangeCheck.run(context)
                case .float32: detail = try Float32Check.run(context)
                }
            }
        } catch let failure as CheckFailure {
            return CheckResult(check: item.name, outcome: .fail, detail: failure.detail)
        } catch let skipped as CheckSkipped {
            return CheckResult(check: item.name, outcome: .skip, detail: skipped.reason)
        } catch {
            return CheckResult(check: item.name, outcome: .fail, detail: "\(error)")
        }
        return CheckResult(check: item.name, outcome: .pass, detail: detail)
    }
}

/// Reports a stage only when it changes; called from several threads.
/// Also repeats an unchanged stage (at most ten times a second): each call into the plugin is
/// progress, so `--timeout` limits one call (a hang), not a slow plugin's whole check.
final class StageReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = ""
    private var lastEmit = Date.distantPast
    private let emit: @Sendable (CheckRunner.Event) -> Void

    init(_ emit: @escaping @Sendable (CheckRunner.Event) -> Void) { self.emit = emit }

    func set(_ stage: String) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard stage != current || now.timeIntervalSince(lastEmit) >= 0.1 else { return }
        current = stage
        lastEmit = now
        emit(.stage(stage))
    }
}
