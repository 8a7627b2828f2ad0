#if canImport(Glibc)
import Glibc
#endif
import LossKit

/// What the libffi path costs per element, measured in one run against the
/// same C function called directly by a native-ABI loss.
public struct ScalarBenchmarkResult: Sendable {
    /// Elements per evaluation.
    public var elements: Int
    /// Evaluations timed per figure (the fastest counts).
    public var repeats: Int
    /// CPU nanoseconds per element through the whole host path (instance,
    /// chunks, `lh_loss.evaluate`), value only and value + gradient.
    public var ffiValue: Double
    public var ffiValueGradient: Double
    public var nativeValue: Double
    public var nativeValueGradient: Double

    /// What libffi adds per element: the difference of the two paths.
    public var ffiOverheadValue: Double { ffiValue - nativeValue }
    public var ffiOverheadValueGradient: Double { ffiValueGradient - nativeValueGradient }

    /// A small table for `bench`.
    public var text: String {
        func f(_ x: Double) -> String {
            let r = (x * 10).rounded() / 10
            return r == r.rounded() ? "\(Int(r)).0" : "\(r)"
        }
        return """
            scalar plugin (libffi) vs native ABI, pinball(pred, target, tau), \(elements) elements, best of \(repeats):
              path        value ns/elem   value+gradient ns/elem   (CPU time)
              libffi      \(f(ffiValue))\(String(repeating: " ", count: max(1, 16 - f(ffiValue).count)))\(f(ffiValueGradient))
              native      \(f(nativeValue))\(String(repeating: " ", count: max(1, 16 - f(nativeValue).count)))\(f(nativeValueGradient))
              overhead    \(f(ffiOverheadValue))\(String(repeating: " ", count: max(1, 16 - f(ffiOverheadValue).count)))\(f(ffiOverheadValueGradient))

            """
    }
}

/// The scalar-plugin benchmark: one C function (pinball loss and its
/// gradient, as `@convention(c)` functions in this file) exported twice in one
/// plugin table: once through a prepared `ffi_cif` exactly as a manifest loss
/// is, once as a native loss that calls the same function pointers directly.
/// Both go through `DescriptorReader`, `LossInstance` and `Evaluator`, single
/// threaded, in the same run.
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

        let valueAddress = unsafeBitCast(pinball, to: UnsafeRawPointer.self)
        let gradientAddress = unsafeBitCast(pinballGradient, to: UnsafeRawPointer.self)
        let function: ScalarFunction
        do throws(ScalarFunction.PrepareError) {
            function = try ScalarFunction(name: "pinball", returns: .double, argTypes: [.double, .double, .double],
                                          roles: [.pred, .target, .parameter(0)], value: valueAddress,
                                          gradient: gradientAddress, hessian: nil)
        } catch {
            throw EvaluationError("ffi_prep_cif failed with status \(error.status)")
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
                                losses: [function.export(ffiInfo), native])
        let plugin: LoadedPlugin
        do throws(LoadFailure) {
            plugin = try DescriptorReader.read(table.pointer, path: nil)
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
            var best = Double.infinity, value = 0.0
            for _ in 0..<max(1, repeats) {
                let start = cpuNanoseconds()
                value = try Evaluator.evaluate(instance, pred: p, target: t, options: options).value
                let elapsed = cpuNanoseconds() - start
                best = min(best, elapsed / Double(max(elements, 1)))
            }
            return (best, value)
        }
        let ffiLoss = plugin.losses[0], nativeLoss = plugin.losses[1]
        let (ffiValue, a) = try nsPerElement(ffiLoss, gradient: false)
        let (nativeValue, b) = try nsPerElement(nativeLoss, gradient: false)
        let (ffiGradient, _) = try nsPerElement(ffiLoss, gradient: true)
        let (nativeGradient, _) = try nsPerElement(nativeLoss, gradient: true)
        guard a == b else { throw EvaluationError("benchmark: the two paths disagree (\(a) vs \(b))") }
        return ScalarBenchmarkResult(elements: elements, repeats: repeats, ffiValue: ffiValue, ffiValueGradient: ffiGradient,
                                     nativeValue: nativeValue, nativeValueGradient: nativeGradient)
    }

    /// CPU time of the process (all threads), in nanoseconds: on a shared
    /// machine wall-clock time mostly measures the other processes.
    static func cpuNanoseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
    }

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
