import Dispatch
import Foundation
import LossHostABI
import LossHostEngine
import LossHostIO
import LossKit
import LossHostSystem

/// `losshost bench`: times losses on generated data against a plain memory
/// pass over the same bytes (the floor), against themselves on one thread, and
/// through the dlopen'ed standard plugin against the built-in table, all
/// interleaved in one run so the ratios hold on a noisy machine.
public enum Benchmark {
    public struct Options: Sendable {
        public var losses: [String]
        /// Rows; nil: 10 M for element-wise losses, 1 M for row losses.
        public var rows: Int?
        public var classes: Int
        /// 0: every core.
        public var threads: Int
        public var dtype: DType
        public var repeats: Int
        /// The standard plugin to compare with; nil: next to the executable.
        public var pluginPath: String?

        public init(losses: [String] = [], rows: Int? = nil, classes: Int = 10, threads: Int = 0, dtype: DType = .f64,
                    repeats: Int = 7, pluginPath: String? = nil) {
            self.losses = losses
            self.rows = rows
            self.classes = classes
            self.threads = threads
            self.dtype = dtype
            self.repeats = repeats
            self.pluginPath = pluginPath
        }
    }

    /// The cases `bench` runs without loss names.
    public static let defaultLosses = ["mse", "huber", "bce_with_logits", "focal", "cross_entropy"]

    /// Median and spread of repeated timings, in seconds.
    public struct Stats: Sendable {
        public var samples: [Double]
        public var median: Double {
            let s = samples.sorted()
            return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
        public var min: Double { samples.min() ?? .nan }
        public var max: Double { samples.max() ?? .nan }
        /// (max − min) / median.
        public var spread: Double { (max - min) / median }
    }

    public struct CaseResult: Sendable {
        public var loss: String
        public var rows: Int
        public var columns: Int
        public var targetColumns: Int
        public var dtype: DType
        public var threads: Int
        /// Bytes one evaluation moves at least: pred and target read, gradient written.
        public var bytes: Int
        public var time: Stats
        public var timeOneThread: Stats
        public var floor: Stats
        public var floorOneThread: Stats
        /// The same loss through the dlopen'ed plugin, same threads; nil if not found.
        public var plugin: Stats?
        public var pluginNote: String?

        public var elements: Int { rows * columns }
        public var nsPerElement: Double { time.median / Double(elements) * 1e9 }
        public var gigabytesPerSecond: Double { Double(bytes) / time.median / 1e9 }
        public var floorRatio: Double { time.median / floor.median }
        public var floorRatioOneThread: Double { timeOneThread.median / floorOneThread.median }
        public var speedup: Double { timeOneThread.median / time.median }
        public var pluginRatio: Double? { plugin.map { $0.median / time.median } }
    }

    /// Host cost of one 1-row evaluation beyond the plugin call itself.
    public struct CallOverhead: Sendable {
        public var loss: String
        /// ns per `Evaluator.evaluate` call on one row (the whole public API).
        public var evaluateNs: Double
        /// ns per direct `lh_loss.evaluate` call on the same row.
        public var directNs: Double
        public var overheadNs: Double { evaluateNs - directNs }
    }

    public struct Report: Sendable {
        public var cores: Int
        public var cpu: String
        /// The vector math level the kernels ran at (`VectorMathLevel.best`).
        public var vectorMath: String
        public var threads: Int
        public var dtype: DType
        public var repeats: Int
        public var cases: [CaseResult]
        public var overhead: CallOverhead?
    }

    /// `entering` is told each loss before its code runs.
    public static func run(_ registry: LossRegistry, _ options: Options, entering: (LoadedLoss) -> Void = { _ in },
                           progress: @escaping (String) -> Void = { _ in }) throws -> Report {
        let threads = options.threads > 0 ? options.threads : System.coreCount
        let plugin = loadPlugin(options.pluginPath)
        var cases: [CaseResult] = []
        for name in options.losses.isEmpty ? defaultLosses : options.losses {
            let loss = try registry.resolve(name)
            entering(loss)
            let instance = try LossInstance(loss, parameters: .defaults(for: loss.info))
            var pluginInstance: LossInstance? = nil
            var note: String? = nil
            switch plugin {
            case .success(let p):
                if loss.origin == .builtIn, let l = p.losses.first(where: { $0.info.id == loss.info.id }) {
                    pluginInstance = try LossInstance(l, parameters: .defaults(for: l.info))
                } else {
                    note = "not a standard loss"
                }
            case .failure(let why): note = why.reason.description
            }
            let rows = options.rows ?? (loss.info.reduce == .elementwise ? 10_000_000 : 1_000_000)
            let result: CaseResult
            switch options.dtype {
            case .f64:
                result = try measure(instance, pluginInstance, loss.info, rows: rows, classes: options.classes, Double.self,
                                     threads: threads, repeats: options.repeats, label: loss.qualifiedID, progress: progress)
            case .f32:
                result = try measure(instance, pluginInstance, loss.info, rows: rows, classes: options.classes, Float.self,
                                     threads: threads, repeats: options.repeats, label: loss.qualifiedID, progress: progress)
            }
            var r = result
            r.pluginNote = note
            cases.append(r)
        }
        let first = try registry.resolve((options.losses.isEmpty ? defaultLosses : options.losses)[0])
        entering(first)
        progress("per-call overhead")
        // As many calls as rows (at most 200 000), as many rounds as repeats (at most 3).
        let calls = min(200_000, max(1_000, options.rows ?? 200_000))
        let overhead = try callOverhead(try LossInstance(first, parameters: .defaults(for: first.info)),
                                        classes: options.classes, calls: calls, rounds: min(3, options.repeats))
        return Report(cores: System.coreCount, cpu: cpuModel(), vectorMath: VectorMathLevel.best.description, threads: threads, dtype: options.dtype,
                      repeats: options.repeats, cases: cases, overhead: overhead)
    }

    // MARK: - Timing

    /// Seconds on a monotonic clock.
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The most bytes of generated pred, target and gradient `bench` holds: larger
    /// cases run in passes over one block of rows this size.
    public static let workingSetBytes = 256 << 20

    private static func measure<S: KernelScalar>(
        _ instance: LossInstance, _ pluginInstance: LossInstance?, _ info: LossInfo, rows: Int, classes: Int, _: S.Type,
        threads: Int, repeats: Int, label: String, progress: (String) -> Void
    ) throws -> CaseResult {
        let shape = DataSet.make(info, rows: 1, classes: classes)
        let d = shape.columns, tc = shape.targetColumns
        let rowBytes = (2 * d + tc) * MemoryLayout<S>.size
        let blockRows = min(rows, max(1, workingSetBytes / rowBytes))
        let passes = (rows + blockRows - 1) / blockRows
        let (pred, target): ([S], [S]) = {
            let data = DataSet.make(info, rows: blockRows, classes: classes)  // the Double copy lives only here
            return (data.pred.map { S(fromDouble: $0) }, data.target.map { S(fromDouble: $0) })
        }()
        var gradient = [S](repeating: 0, count: blockRows * d)  // touched once here, reused by every run
        /// The rows of pass k.
        func passRows(_ k: Int) -> Int { min(blockRows, rows - k * blockRows) }
        var time = Stats(samples: []), time1 = Stats(samples: []), floor = Stats(samples: []), floor1 = Stats(samples: [])
        var plugin: Stats? = pluginInstance == nil ? nil : Stats(samples: [])
        try pred.withUnsafeBufferPointer { p in
            try target.withUnsafeBufferPointer { t in
                try gradient.withUnsafeMutableBufferPointer { g in
                    let pp = p.baseAddress!, tp = t.baseAddress!, gp = g.baseAddress!
                    func timed(_ body: () throws -> Void) rethrows -> Double {
                        let start = now()
                        try body()
                        return now() - start
                    }
                    func eval(_ i: LossInstance, _ n: Int) throws {
                        for k in 0..<passes {
                            let r = Evaluator.run(i, rows: passRows(k), predColumns: d, targetColumns: tc, pred: pp, target: tp,
                                                  weight: nil, values: nil, gradient: gp, hessian: nil,
                                                  reduction: .mean, threads: n)
                            if case .failure(let error) = r { throw error }
                        }
                    }
                    func floorPass(_ n: Int) {
                        for k in 0..<passes {
                            memoryPass(pp, tp, gp, rows: passRows(k), columns: d, targetColumns: tc, threads: n)
                        }
                    }
                    // Warm up: page in, load code, spin up the worker threads.
                    try eval(instance, threads)
                    try eval(instance, 1)
                    floorPass(threads)
                    if let pluginInstance { try eval(pluginInstance, threads) }
                    for r in 0..<repeats {
                        progress("\(label): repeat \(r + 1)/\(repeats)")
                        time.samples.append(try timed { try eval(instance, threads) })
                        if let pluginInstance { plugin!.samples.append(try timed { try eval(pluginInstance, threads) }) }
                        floor.samples.append(timed { floorPass(threads) })
                        time1.samples.append(try timed { try eval(instance, 1) })
                        floor1.samples.append(timed { floorPass(1) })
                    }
                }
            }
        }
        let bytes = (rows * d * 2 + rows * tc) * MemoryLayout<S>.size
        return CaseResult(loss: label, rows: rows, columns: d, targetColumns: tc, dtype: S.self == Float.self ? .f32 : .f64,
                          threads: threads, bytes: bytes, time: time, timeOneThread: time1, floor: floor,
                          floorOneThread: floor1, plugin: plugin, pluginNote: nil)
    }

    /// The floor: one plain pass over the same bytes, chunked and threaded as
    /// the evaluator does: read pred and target, write the gradient.
    static func memoryPass<S: KernelScalar>(_ p: UnsafePointer<S>, _ t: UnsafePointer<S>, _ g: UnsafeMutablePointer<S>,
                                            rows: Int, columns d: Int, targetColumns tc: Int, threads: Int) {
        let chunkRows = max(1, Evaluator.chunkElements / max(d, 1))
        let chunkCount = max(1, (rows + chunkRows - 1) / chunkRows)
        let sink = UnsafeMutablePointer<Double>.allocate(capacity: chunkCount)
        defer { sink.deallocate() }
        let one = { (c: Int) in
            let start = c * chunkRows, end = min(rows, start + chunkRows)
            if tc == d {
                for i in start * d..<end * d { g[i] = p[i] - t[i] }
                sink[c] = 0
            } else {
                for i in start * d..<end * d { g[i] = p[i] + p[i] }
                sink[c] = Kernels.weightSum(t + start * tc, (end - start) * tc)
            }
        }
        forEachChunk(chunkCount, workers: threads, one)
    }

    /// Host overhead of a 1-row evaluation: the public `Evaluator.evaluate`
    /// (shape and weight checks, output arrays, mean) against the bare C call.
    static func callOverhead(_ instance: LossInstance, classes: Int, calls: Int = 200_000, rounds: Int = 3) throws -> CallOverhead {
        let data = DataSet.make(instance.loss.info, rows: 1, classes: classes)
        let pred = Matrix(rows: 1, columns: data.columns, values: data.pred)
        let target = Matrix(rows: 1, columns: data.targetColumns, values: data.target)
        let options = EvaluationOptions(reduction: .mean, gradient: true)
        var sink = 0.0
        for _ in 0..<min(1000, calls) { sink += try Evaluator.evaluate(instance, pred: pred, target: target, options: options).value }
        var best = Double.infinity, bestDirect = Double.infinity
        var gradient = [Double](repeating: 0, count: data.columns)
        for _ in 0..<max(1, rounds) {
            var start = now()
            for _ in 0..<calls { sink += try Evaluator.evaluate(instance, pred: pred, target: target, options: options).value }
            best = min(best, (now() - start) / Double(calls) * 1e9)
            start = now()
            try data.pred.withUnsafeBufferPointer { p in
                try data.target.withUnsafeBufferPointer { t in
                    try gradient.withUnsafeMutableBufferPointer { g in
                        for _ in 0..<calls {
                            sink += try instance.evaluate(rows: 0..<1, predColumns: data.columns, targetColumns: data.targetColumns,
                                                          pred: p.baseAddress!, target: t.baseAddress!, weight: nil,
                                                          values: nil, gradient: g.baseAddress!, hessian: nil).sum
                        }
                    }
                }
            }
            bestDirect = min(bestDirect, (now() - start) / Double(calls) * 1e9)
        }
        if sink == 42.4242 { print("") }  // keep the calls
        return CallOverhead(loss: instance.loss.qualifiedID, evaluateNs: best, directNs: bestDirect)
    }

    private static func loadPlugin(_ path: String?) -> Result<LoadedPlugin, PluginFailure> {
        let file = path ?? PluginSearchPath.currentExecutablePath().map {
            ($0 as NSString).deletingLastPathComponent + "/liblosshost-standard.so"
        } ?? "liblosshost-standard.so"
        guard FileManager.default.fileExists(atPath: file) else {
            return .failure(PluginFailure(path: file, reason: .unreadable("no liblosshost-standard.so next to the executable")))
        }
        return PluginLoader.load(path: file, formats: PluginFormats())
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }
}

/// Generated inputs that fit a loss's domains and layout.
struct DataSet {
    var rows: Int
    var columns: Int
    var targetColumns: Int
    var pred: [Double]
    var target: [Double]

    /// A small fast generator (xorshift64*), fixed seed: every run sees the same data.
    struct Random {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> Double {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) * 0x1p-53
        }
    }

    /// Inputs drawn from the loss's declared domains (values in (0, 1) for a loss
    /// that declares none: they fit most domains).
    static func make(_ info: LossInfo, rows: Int, classes: Int) -> DataSet {
        var rng = Random()
        let c = info.predColumns > 0 ? info.predColumns : (info.reduce == .rowwise ? classes : 1)
        let perRow = info.targetLayout == .sameShape
            || (info.targetLayout == .indexOrSameShape && info.targetDomain != .classIndex)
        let tc = perRow ? c : 1
        var pred = [Double](repeating: 0, count: rows * c)
        var target = [Double](repeating: 0, count: rows * tc)
        let rest = info.predDomainRest ?? info.predDomain
        for r in 0..<rows {
            for j in 0..<c { pred[r * c + j] = draw(j == 0 ? info.predDomain : rest, classes: c, asTarget: false, &rng) }
            for j in 0..<tc { target[r * tc + j] = draw(info.targetDomain, classes: c, asTarget: true, &rng) }
            if info.targetDomain == .distribution { normalize(&target, r * tc, tc) }
        }
        return DataSet(rows: rows, columns: c, targetColumns: tc, pred: pred, target: target)
    }

    /// A pred probability stays inside (0, 1); a target one is a 0/1 label.
    private static func draw(_ domain: DeclaredDomain, classes: Int, asTarget: Bool, _ rng: inout Random) -> Double {
        let u = rng.next()
        switch domain {
        case .unspecified: return 0.05 + 0.9 * u
        case .real, .logRate: return u * 4 - 2
        case .logit: return u * 8 - 4
        case .nonNegative: return Double(Int(u * 5))
        case .positive: return 0.1 + u * 2
        case .probability where !asTarget: return 0.01 + 0.98 * u
        case .probability, .label01: return u < 0.5 ? 0 : 1
        case .labelPlusMinus1: return u < 0.5 ? -1 : 1
        case .classIndex: return Double(min(Int(u * Double(classes)), classes - 1))
        case .distribution: return 0.01 + u
        case .logProbability: return log(0.01 + u)
        }
    }

    private static func normalize(_ a: inout [Double], _ start: Int, _ count: Int) {
        var total = 0.0
        for i in start..<start + count { total += a[i] }
        for i in start..<start + count { a[i] /= total }
    }
}
