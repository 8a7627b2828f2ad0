#if canImport(Glibc)
import Glibc
#endif
import LossKit
import LossHostABI
import LossHostEngine
import LossHostIO
import LossHostScalar
import LossHostSystem

/// What the scalar paths cost per element, measured in one run against the
/// same C function called directly by a native-ABI loss.
public struct ScalarBenchmarkResult: Sendable {
    /// Elements per evaluation.
    public var elements: Int
    /// Evaluations timed per figure (the fastest counts).
    public var repeats: Int
    /// CPU nanoseconds per element through the whole host path (instance,
    /// chunks, `lh_loss.evaluate`), value only and value + gradient: the
    /// libffi path (`ffi_call`, every signature), the direct path (typed calls,
    /// all-`double` signatures of 2…6 arguments) and a native-ABI loss.
    public var ffiValue: Double
    public var ffiValueGradient: Double
    public var directValue: Double
    public var directValueGradient: Double
    public var nativeValue: Double
    public var nativeValueGradient: Double

    /// What libffi adds per element: the difference to the native path.
    public var ffiOverheadValue: Double { ffiValue - nativeValue }
    public var ffiOverheadValueGradient: Double { ffiValueGradient - nativeValueGradient }
    /// What the direct path adds per element.
    public var directOverheadValue: Double { directValue - nativeValue }
    public var directOverheadValueGradient: Double { directValueGradient - nativeValueGradient }

    /// A small table for `bench`.
    public var text: String {
        func f(_ x: Double) -> String {
            let r = (x * 10).rounded() / 10
            return r == r.rounded() ? "\(Int(r)).0" : "\(r)"
        }
        func row(_ name: String, _ a: Double, _ b: Double) -> String {
            name.padding(toLength: 20, withPad: " ", startingAt: 0) + f(a).padding(toLength: 16, withPad: " ", startingAt: 0) + f(b)
        }
        return """
            scalar plugin paths vs native ABI, pinball(pred, target, tau), \(elements) elements, best of \(repeats):
              path                value ns/elem   value+gradient ns/elem   (CPU time)
              \(row("libffi", ffiValue, ffiValueGradient))
              \(row("direct", directValue, directValueGradient))
              \(row("native", nativeValue, nativeValueGradient))
              \(row("libffi overhead", ffiOverheadValue, ffiOverheadValueGradient))
              \(row("direct overhead", directOverheadValue, directOverheadValueGradient))

            """
    }
}

/// The scalar-plugin benchmark: one C function (pinball loss and its
/// gradient, as `@convention(c)` functions in this file) exported three times
/// in one plugin table: through a prepared `ffi_cif` (libffi path, as every
/// non-all-double manifest loss is called), through the direct path (typed
/// calls, as an all-double manifest loss is called), and as a native loss that
/// calls the same function pointers directly. All go through
/// `DescriptorReader`, `LossInstance` and `Evaluator`, single threaded, in the
/// same run, interleaved.
public enum ScalarBenchmark {
    typealias Scalar3 = @convention(c) (Double, Double, Double) -> Double

    static let pinball: Scalar3 = { pred, target, tau in
        let r = target - pred
        return r >= 0 ? tau * r : (tau - 1) * r
    }
    static let pinballGradient: Scalar3 = { pred, target, tau in
        let r = target - pred
        return r > 0 ? -tau : r < 0 ? 1 - tau : 0.5 - tau
    }

    /// Runs the benchmark. `elements` rows of one column; the fastest of `repeats` runs counts.
    public static func run(elements: Int = 1 << 20, repeats: Int = 5) throws(EvaluationError) -> ScalarBenchmarkResult {
        let parameters = [ParameterInfo("tau", "quantile level", default: 0.3, min: 0, max: 1, minExclusive: true, maxExclusive: true)]
        let ffiInfo = LossInfo(id: "pinball_ffi", summary: "pinball through libffi", kind: .regression,
                               predDoc: "prediction", targetDoc: "target", hessian: .none, parameters: parameters)
        var nativeInfo = ffiInfo
        nativeInfo.id = "pinball_native"
        nativeInfo.summary = "pinball called directly"

        var directInfo = ffiInfo
        directInfo.id = "pinball_direct"
        directInfo.summary = "pinball through typed direct calls"

        let valueAddress = unsafeBitCast(pinball, to: UnsafeRawPointer.self)
        let gradientAddress = unsafeBitCast(pinballGradient, to: UnsafeRawPointer.self)
        let function: ScalarFunction, direct: ScalarFunction
        do throws(ScalarFunction.PrepareError) {
            function = try ScalarFunction(name: "pinball", returns: .double, argTypes: [.double, .double, .double],
                                          roles: [.pred, .target, .parameter(0)], value: valueAddress,
                                          gradient: gradientAddress, hessian: nil, allowDirect: false)
            direct = try ScalarFunction(name: "pinball", returns: .double, argTypes: [.double, .double, .double],
                                        roles: [.pred, .target, .parameter(0)], value: valueAddress,
                                        gradient: gradientAddress, hessian: nil)
        } catch {
            throw EvaluationError("ffi_prep_cif failed with status \(error.status)")
        }
        guard function.callPath == .libffi, direct.callPath == .direct else {
            throw EvaluationError("benchmark: call paths \(function.callPath), \(direct.callPath)")
        }
        let native = LossExport(info: nativeInfo) { (values: ParameterValues) throws(LossFailure) -> LossExport.Evaluator in
            let tau = values["tau"]
            // Through the same stored pointers as the libffi path, so nothing is inlined.
            let value = unsafeBitCast(function.value, to: Scalar3.self)
            let gradient = unsafeBitCast(function.gradient!, to: Scalar3.self)
            return { (b: Batch) throws(LossFailure) -> Batch.Totals in
                directLoop(b, value, gradient, tau)
            }
        }
        let table = PluginTable(id: "scalar_bench", version: "1", summary: "scalar-plugin benchmark",
                                losses: [function.export(ffiInfo), direct.export(directInfo), native])
        let plugin: LoadedPlugin
        do throws(LoadFailure) {
            plugin = try DescriptorReader.read(table.pointer, path: nil, origin: .native)
        } catch {
            throw EvaluationError("benchmark table: \(error)")
        }

        var pred = [Double](repeating: 0, count: elements), target = pred
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<elements {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            pred[i] = Double(seed >> 11) / Double(1 << 53) * 4 - 2
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            target[i] = Double(seed >> 11) / Double(1 << 53) * 4 - 2
        }
        let p = Matrix(rows: elements, columns: 1, values: pred), t = Matrix(rows: elements, columns: 1, values: target)

        func nsPerElement(_ loss: LoadedLoss, gradient: Bool) throws(EvaluationError) -> (Double, Double) {
            let instance = try LossInstance(loss, parameters: .defaults(for: loss.info))
            let options = EvaluationOptions(reduction: .sum, gradient: gradient, threads: 1)
            let start = cpuNanoseconds()
            let value = try Evaluator.evaluate(instance, pred: p, target: t, options: options).value
            let elapsed = cpuNanoseconds() - start
            return (elapsed / Double(max(elements, 1)), value)
        }
        let losses = Array(plugin.losses.prefix(3))  // libffi, direct, native
        // Interleaved: each round times every path once, so a burst of load
        // from other processes hits all of them alike; the best round counts.
        var best = [[Double]](repeating: [.infinity, .infinity], count: 3)
        var values = [Double](repeating: 0, count: 3)
        for _ in 0..<max(1, repeats) {
            for gradient in [false, true] {
                for (k, loss) in losses.enumerated() {
                    let (ns, value) = try nsPerElement(loss, gradient: gradient)
                    best[k][gradient ? 1 : 0] = min(best[k][gradient ? 1 : 0], ns)
                    values[k] = value
                }
            }
        }
        guard values[0] == values[2], values[1] == values[2] else {
            throw EvaluationError("benchmark: the paths disagree (libffi \(values[0]), direct \(values[1]), native \(values[2]))")
        }
        return ScalarBenchmarkResult(elements: elements, repeats: repeats, ffiValue: best[0][0], ffiValueGradient: best[0][1],
                                     directValue: best[1][0], directValueGradient: best[1][1],
                                     nativeValue: best[2][0], nativeValueGradient: best[2][1])
    }

    /// CPU time of the process (all threads), in nanoseconds: on a shared
    /// machine wall-clock time mostly measures the other processes.
    static func cpuNanoseconds() -> Double { ClockTime.processCPUNanoseconds() }

    /// The native loss's loop: the same shape as `ScalarFunction.evaluate`, direct calls.
    static func directLoop(_ b: Batch, _ value: Scalar3, _ gradient: Scalar3, _ tau: Double) -> Batch.Totals {
        let d = b.predColumns
        guard b.rows * d > 0, let pred = b.pred, let target = b.target else { return .init(sum: 0, normalizer: 0) }
        var sum = 0.0, weightSum = 0.0
        for r in 0..<b.rows {
            let w = b.weight?[r] ?? 1
            weightSum += w
            for i in r * d..<(r + 1) * d {
                let v = w * value(pred[i], target[i], tau)
                b.values?[i] = v
                sum += v
                if let g = b.gradient { g[i] = w * gradient(pred[i], target[i], tau) }
            }
        }
        return .init(sum: sum, normalizer: Double(d) * weightSum)
    }
}
