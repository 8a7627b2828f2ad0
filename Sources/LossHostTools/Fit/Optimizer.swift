import Foundation
import LossHostEngine

/// How `fit` minimises the objective.
public enum OptimizerMethod: String, Sendable {
    /// Limited-memory BFGS on the loss's gradient, with a backtracking (Armijo) line search.
    case lbfgs = "L-BFGS"
    /// Newton / IRLS on the exact Hessian diagonal of the loss (chain rule: Zᵀ diag(h) Z), damped by a line search.
    case newton = "Newton"
}

/// The record of one minimisation.
public struct OptimizationTrace: Sendable {
    public var method: OptimizerMethod
    /// The objective before the first step, then after every iteration.
    public var values: [Double] = []
    public var iterations = 0
    public var converged = false
    public var reason = ""
    /// The largest absolute gradient component at the end.
    public var gradientNorm = Double.nan
}

/// Minimisers of an `Objective`.
public enum Optimizer {
    public struct Settings: Sendable {
        public var maxIterations: Int
        /// Stop when every gradient component is below this.
        public var gradientTolerance: Double
        /// Stop when an iteration improves the objective by less than this, relatively.
        public var valueTolerance: Double
        public var memory: Int
        /// Stop when `stallWindow` iterations together improve the objective by less than `stallTolerance`, relatively
        /// (for losses with a kink at the optimum, whose gradient never vanishes).
        public var stallWindow = 20
        public var stallTolerance = 1e-9

        public init(maxIterations: Int = 500, gradientTolerance: Double = 1e-10, valueTolerance: Double = 1e-15, memory: Int = 10) {
            self.maxIterations = maxIterations
            self.gradientTolerance = gradientTolerance
            self.valueTolerance = valueTolerance
            self.memory = memory
        }
    }

    public typealias Progress = (_ iteration: Int, _ of: Int, _ value: Double) -> Void

    static func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    /// Backtracking line search along `d` from `x` (Armijo, c1 = 1e-4); nil when no step decreases f.
    static func lineSearch(_ f: Objective, x: [Double], value: Double, slope: Double, direction d: [Double],
                           initial: Double) throws(EvaluationError) -> (step: Double, x: [Double], point: Objective.Point)? {
        var step = initial
        for _ in 0..<60 {
            var xn = x
            for i in xn.indices { xn[i] += step * d[i] }
            let p = try f.evaluate(xn)
            if p.value.isFinite && p.value <= value + 1e-4 * step * slope { return (step, xn, p) }
            step *= 0.5
        }
        return nil
    }

    /// L-BFGS from `start`.
    public static func lbfgs(_ f: Objective, start: [Double], settings: Settings, progress: Progress? = nil)
        throws(EvaluationError) -> (x: [Double], trace: OptimizationTrace)
    {
        var trace = OptimizationTrace(method: .lbfgs)
        var x = start
        var p = try f.evaluate(x)
        guard p.value.isFinite else { throw EvaluationError("the loss is not finite at the starting point") }
        trace.values.append(p.value)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var iteration = 0
        while true {
            trace.gradientNorm = maxAbs(p.gradient)
            if trace.gradientNorm <= settings.gradientTolerance {
                trace.converged = true
                trace.reason = "gradient below \(settings.gradientTolerance)"
                break
            }
            if iteration >= settings.maxIterations {
                trace.reason = "reached the iteration limit (\(settings.maxIterations))"
                break
            }
            // Two-loop recursion: d = −H g.
            var q = p.gradient
            var alpha = [Double](repeating: 0, count: s.count)
            for k in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[k] = rho[k] * dot(s[k], q)
                for i in q.indices { q[i] -= alpha[k] * y[k][i] }
            }
            if let last = s.indices.last {
                let gamma = dot(s[last], y[last]) / dot(y[last], y[last])
                for i in q.indices { q[i] *= gamma }
            }
            for k in s.indices {
                let beta = rho[k] * dot(y[k], q)
                for i in q.indices { q[i] += s[k][i] * (alpha[k] - beta) }
            }
            var d = q.map { -$0 }
            var slope = dot(p.gradient, d)
            if !(slope < 0) {
                s.removeAll(); y.removeAll(); rho.removeAll()
                d = p.gradient.map { -$0 }
                slope = dot(p.gradient, d)
            }
            let initial = s.isEmpty ? min(1, 1 / max(maxAbs(p.gradient), 1e-300)) : 1
            guard let found = try lineSearch(f, x: x, value: p.value, slope: slope, direction: d, initial: initial) else {
                if !s.isEmpty {
                    // The quasi-Newton direction failed: forget the history and try steepest descent.
                    s.removeAll(); y.removeAll(); rho.removeAll()
                    continue
                }
                trace.converged = trace.gradientNorm <= 1e-6
                trace.reason = "no step along the gradient lowers the loss (a kink or the precision limit)"
                break
            }
            iteration += 1
            let sk = zip(found.x, x).map { $0 - $1 }
            let yk = zip(found.point.gradient, p.gradient).map { $0 - $1 }
            let sy = dot(sk, yk)
            let previous = p.value
            x = found.x
            p = found.point
            trace.values.append(p.value)
            progress?(iteration, settings.maxIterations, p.value)
            if sy > 1e-12 * (dot(sk, sk).squareRoot() * dot(yk, yk).squareRoot()) {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > settings.memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            if abs(previous - p.value) <= settings.valueTolerance * max(1, abs(p.value)) && maxAbs(p.gradient) <= 1e-6 {
                trace.gradientNorm = maxAbs(p.gradient)
                trace.converged = true
                trace.reason = "the loss stopped changing"
                break
            }
            if stalled(trace.values, window: settings.stallWindow, tolerance: settings.stallTolerance) {
                trace.gradientNorm = maxAbs(p.gradient)
                trace.reason = "the loss improved by less than \(settings.stallTolerance) (relative) in \(settings.stallWindow) iterations; its gradient does not vanish (a kink at the optimum, as for mae)"
                break
            }
        }
        trace.iterations = iteration
        return (x, trace)
    }

    /// True when the last `window` iterations lowered the value by less than `tolerance`, relatively.
    static func stalled(_ values: [Double], window: Int, tolerance: Double) -> Bool {
        guard window > 0, values.count > window else { return false }
        let then = values[values.count - 1 - window], now = values[values.count - 1]
        return then - now <= tolerance * max(abs(now), 1e-300)
    }

    /// Damped Newton (IRLS for a linear model) from `start`, on the loss's exact Hessian diagonal.
    public static func newton(_ f: Objective, start: [Double], settings: Settings, progress: Progress? = nil)
        throws(EvaluationError) -> (x: [Double], trace: OptimizationTrace)
    {
        var trace = OptimizationTrace(method: .newton)
        var x = start
        var p = try f.evaluate(x, hessian: true)
        guard p.value.isFinite else { throw EvaluationError("the loss is not finite at the starting point") }
        trace.values.append(p.value)
        var iteration = 0
        let n = f.parameterCount
        while true {
            trace.gradientNorm = maxAbs(p.gradient)
            if trace.gradientNorm <= settings.gradientTolerance {
                trace.converged = true
                trace.reason = "gradient below \(settings.gradientTolerance)"
                break
            }
            if iteration >= settings.maxIterations {
                trace.reason = "reached the iteration limit (\(settings.maxIterations))"
                break
            }
            let H = p.hessian!
            let scale = max((0..<n).reduce(0.0) { max($0, abs(H[$1 * n + $1])) }, 1e-12)
            var ridge = 0.0
            var d: [Double]? = nil
            while ridge <= 1e6 * scale {
                var A = H
                for i in 0..<n { A[i * n + i] += ridge }
                if let solved = LinearAlgebra.solveSPD(A, n: n, p.gradient.map { -$0 }), dot(solved, p.gradient) < 0 {
                    d = solved
                    break
                }
                ridge = ridge == 0 ? 1e-10 * scale : ridge * 10
            }
            let direction = d ?? p.gradient.map { -$0 }
            let slope = dot(p.gradient, direction)
            guard let found = try lineSearch(f, x: x, value: p.value, slope: slope, direction: direction, initial: 1) else {
                trace.converged = trace.gradientNorm <= 1e-6
                trace.reason = "no Newton step lowers the loss (a kink or the precision limit)"
                break
            }
            iteration += 1
            let previous = p.value
            x = found.x
            p = try f.evaluate(x, hessian: true)
            trace.values.append(p.value)
            progress?(iteration, settings.maxIterations, p.value)
            if abs(previous - p.value) <= settings.valueTolerance * max(1, abs(p.value)) && maxAbs(p.gradient) <= 1e-6 {
                trace.gradientNorm = maxAbs(p.gradient)
                trace.converged = true
                trace.reason = "the loss stopped changing"
                break
            }
            if stalled(trace.values, window: settings.stallWindow, tolerance: settings.stallTolerance) {
                trace.gradientNorm = maxAbs(p.gradient)
                trace.reason = "the loss improved by less than \(settings.stallTolerance) (relative) in \(settings.stallWindow) iterations; its gradient does not vanish"
                break
            }
        }
        trace.iterations = iteration
        return (x, trace)
    }
}

/// Small dense linear algebra for the Newton step and the tests' references.
public enum LinearAlgebra {
    /// Solves A x = b for symmetric positive definite A (n × n, row-major) by Cholesky; nil if A is not SPD.
    public static func solveSPD(_ A: [Double], n: Int, _ b: [Double]) -> [Double]? {
        var L = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = A[i * n + j]
                for k in 0..<j { s -= L[i * n + k] * L[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    L[i * n + i] = s.squareRoot()
                } else {
                    L[i * n + j] = s / L[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= L[i * n + k] * y[k] }
            y[i] /= L[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= L[k * n + i] * y[k] }
            y[i] /= L[i * n + i]
        }
        return y
    }
}
