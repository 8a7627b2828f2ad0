import Foundation
import Synchronization
import LossHostABI
import LossHostEngine
import LossHostIsolation
import LossModel

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
            let scanner = PluginScanner(worker: nil, allowUnsafeLocations: options.configuration.allowUnsafePlugins,
                                        formats: options.configuration.formats)
            let streams = StandardStreams.snapshot()
            let result = scanner.load(path: options.target)
            if let changed = StandardStreams.snapshot().change(since: streams) {
                // What `list` refuses it for (see ScanWorker).
                loaded = .failure(PluginFailure(path: PluginLoader.canonicalPath(options.target), reason: .crashed(changed)))
            } else {
                loaded = result.map { ($0, $0.losses) }
            }
        } else {
            // Only the plugin that serves the target is loaded here; the others are known from their scans.
            let registry = LossRegistry.discover(options.configuration, lazily: true)
            if let plugin = registry.plugin(options.target) {
                loaded = .success((plugin, plugin.losses))
            } else {
                do {
                    let loss = try registry.resolve(options.target)
                    guard let plugin = registry.plugin(loss.pluginID) else { return }
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
        let pinned: [String: [String]]
        do throws(EvaluationError) {
            pinned = try pinnedParameters(options.params, losses: losses.map(\.info), target: options.target)
        } catch {
            return emit(.error(error.message))
        }
        let plan = CheckPlan(losses: losses.map(\.info.id), only: options.only)
        var contexts: [String: LossCheckContext] = [:]
        for (index, item) in plan.items.enumerated() where index >= start {
            if index > 0 { emit(.start(index: index, check: item.name, loss: item.loss)) }
            let result: CheckResult
            if let lossID = item.loss, skipLosses.contains(lossID) {
                result = CheckResult(check: item.name, outcome: .skip, detail: "not run: an earlier check of '\(lossID)' crashed")
            } else {
                result = runOne(item, plugin: plugin, losses: losses, options: options, pinned: pinned, contexts: &contexts, stage: stage)
            }
            emit(.result(index: index, result))
        }
    }

    /// True when `target` names a plugin file rather than a loss or plugin id.
    public static func isPathTarget(_ target: String) -> Bool {
        target.hasSuffix(".so") || (target.contains("/") && FileManager.default.fileExists(atPath: target))
    }

    /// The `--param` assignments that apply to each loss (those naming its parameters), each
    /// checked against the loss's ranges. A name no loss of the target declares is an error.
    static func pinnedParameters(_ params: [String], losses: [LossInfo], target: String) throws(EvaluationError) -> [String: [String]] {
        var pinned: [String: [String]] = [:]
        if losses.count == 1, let info = losses.first {
            _ = try BoundParameters.bind(params, to: info)
            return [info.id: params]
        }
        for assignment in params {
            guard let name = BoundParameters.name(of: assignment) else {
                throw EvaluationError("--param '\(assignment)' is not NAME=VALUE", input: .parameter)
            }
            let declaring = losses.filter { $0.parameters.contains { $0.name == name } }
            guard !declaring.isEmpty else {
                let known = Set(losses.flatMap { $0.parameters.map(\.name) }).sorted()
                let hint = known.isEmpty ? "its losses have no parameters" : "its losses' parameters: \(known.joined(separator: ", "))"
                throw EvaluationError("unknown param '\(name)' for '\(target)' (\(hint))", input: .parameter)
            }
            for info in declaring { pinned[info.id, default: []].append(assignment) }
        }
        for info in losses {
            do throws(EvaluationError) {
                _ = try BoundParameters.bind(pinned[info.id] ?? [], to: info)
            } catch {
                throw EvaluationError("loss '\(info.id)': \(error.message)", input: .parameter)
            }
        }
        return pinned
    }

    private static func runOne(_ item: CheckPlan.Item, plugin: LoadedPlugin, losses: [LoadedLoss], options: CheckOptions,
                               pinned: [String: [String]], contexts: inout [String: LossCheckContext], stage: StageReporter) -> CheckResult {
        let result = runChecked(item, plugin: plugin, losses: losses, options: options, pinned: pinned, contexts: &contexts, stage: stage)
        // A plugin that closed or replaced stdin, stdout or stderr fails the check it did it in.
        if let why = StreamGuard.shared.take() { return CheckResult(check: item.name, outcome: .fail, detail: why) }
        // One that left the floating-point environment changed (the host put it back) fails it too.
        if let lossID = item.loss, let why = contexts[lossID]?.stateLog.take() {
            return CheckResult(check: item.name, outcome: .fail, detail: "\(why) (losshost restored it; a plugin must leave the floating-point environment as it found it)")
        }
        return result
    }

    private static func runChecked(_ item: CheckPlan.Item, plugin: LoadedPlugin, losses: [LoadedLoss], options: CheckOptions,
                                   pinned: [String: [String]], contexts: inout [String: LossCheckContext], stage: StageReporter) -> CheckResult {
        let detail: String
        var contextUsed: LossCheckContext? = nil
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
                    let loss = losses.first { $0.info.id == lossID }!
                    let columns = loss.info.predColumns > 0 ? loss.info.predColumns : (loss.info.kind == .multiclass ? 4 : 3)
                    let points: [ParameterPoint]
                    do throws(EvaluationError) {
                        points = try ParameterPoint.all(for: loss.info, pinned: pinned[lossID] ?? [], sweep: options.sweep,
                                                        columns: columns, seed: options.seed)
                    } catch {
                        throw CheckFailure(error.message)
                    }
                    context = LossCheckContext(loss: loss, seed: options.seed, points: points, stage: { stage.set($0) })
                    contexts[lossID] = context
                }
                contextUsed = context
                switch kind {
                case .lifecycle: detail = try LifecycleCheck.run(context)
                case .gradient: detail = try GradientCheck.run(context)
                case .hessian: detail = try HessianCheck.run(context)
                case .boosting: detail = try BoostingCheck.run(context, facts: BoostingFacts(context.loss, abiMinor: plugin.abiMinor))
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
            // The checks that run at every parameter point name it themselves; these run at the base point.
            let atBase: Set<CheckPlan.LossCheckKind> = [.determinism, .threads, .memory]
            let suffix = item.kind.map { atBase.contains($0) } == true ? contextUsed?.base.suffix ?? "" : ""
            return CheckResult(check: item.name, outcome: .fail, detail: failure.detail + suffix)
        } catch let warning as CheckWarning {
            return CheckResult(check: item.name, outcome: .warn, detail: warning.detail)
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
final class StageReporter: Sendable {
    private struct State {
        var current = ""
        var lastEmit = Date.distantPast
    }
    private let state = Mutex(State())
    private let emit: @Sendable (CheckRunner.Event) -> Void

    init(_ emit: @escaping @Sendable (CheckRunner.Event) -> Void) { self.emit = emit }

    /// Emits under the lock: stage lines keep their order across threads.
    func set(_ stage: String) {
        state.withLock { state in
            let now = Date()
            guard stage != state.current || now.timeIntervalSince(state.lastEmit) >= 0.1 else { return }
            state.current = stage
            state.lastEmit = now
            emit(.stage(stage))
        }
    }
}
