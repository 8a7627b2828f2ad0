#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small deterministic generator (SplitMix64), so every run tests the same points.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random batch for one loss with given parameters, drawn away from the loss's
/// kinks (so finite differences are meaningful there).
struct LossCase: Sendable {
    var id: String
    var params: [String: ParamValue] = [:]
    var predColumns: Int
    var targetColumns: Int
    /// One random row of pred and target.
    var row: @Sendable (inout SeededGenerator) -> (pred: [Double], target: [Double])
    /// False for a row too close to a kink; such rows are drawn again.
    var smooth: @Sendable (_ pred: [Double], _ target: [Double]) -> Bool = { _, _ in true }

    var name: String { params.isEmpty ? id : "\(id) \(params.keys.sorted())" }

    /// `rows` rows and random sample weights in [0.5, 2].
    func batch(rows: Int, seed: UInt64) -> (pred: [[Double]], target: [[Double]], weight: [Double]) {
        var rng = SeededGenerator(seed: seed)
        var pred: [[Double]] = [], target: [[Double]] = [], weight: [Double] = []
        while pred.count < rows {
            let (p, t) = row(&rng)
            guard smooth(p, t) else { continue }
            pred.append(p)
            target.append(t)
            weight.append(Double.random(in: 0.5...2, using: &rng))
        }
        return (pred, target, weight)
    }
}

private func uniform(_ range: ClosedRange<Double>, _ rng: inout SeededGenerator) -> Double {
    Double.random(in: range, using: &rng)
}

private func uniforms(_ n: Int, _ range: ClosedRange<Double>, _ rng: inout SeededGenerator) -> [Double] {
    (0..<n).map { _ in uniform(range, &rng) }
}

/// A random probability vector of n entries; with `zeros`, some entries are exactly 0.
private func distribution(_ n: Int, zeros: Bool, _ rng: inout SeededGenerator) -> [Double] {
    var p = (0..<n).map { _ in zeros && Bool.random(using: &rng) ? 0 : uniform(0.05...1, &rng) }
    if p.allSatisfy({ $0 == 0 }) { p[0] = 1 }
    let total = p.reduce(0, +)
    return p.map { $0 / total }
}

/// Element-wise case: D columns, pred and target drawn per element.
private func elementwise(_ id: String, _ params: [String: ParamValue] = [:], columns: Int = 3,
                         pred: ClosedRange<Double>, target: @escaping @Sendable (inout SeededGenerator) -> Double,
                         smooth: @escaping @Sendable (Double, Double) -> Bool = { _, _ in true }) -> LossCase {
    LossCase(id: id, params: params, predColumns: columns, targetColumns: columns,
             row: { rng in
                 let p = uniforms(columns, pred, &rng)
                 return (p, (0..<columns).map { _ in target(&rng) })
             },
             smooth: { p, t in zip(p, t).allSatisfy { smooth($0, $1) } })
}

/// A regression case with |pred − target| kept `gap` away from each kink in `kinks`.
private func regression(_ id: String, _ params: [String: ParamValue] = [:], kinks: [Double] = [],
                        spread: Double = 3) -> LossCase {
    elementwise(id, params, pred: -spread...spread, target: { uniform(-spread...spread, &$0) },
                smooth: { p, t in kinks.allSatisfy { abs(abs(p - t) - $0) > 0.02 } })
}

@Sendable private func binaryLabel(_ rng: inout SeededGenerator) -> Double { [0.0, 1.0, -1.0].randomElement(using: &rng)! }
@Sendable private func hardLabel(_ rng: inout SeededGenerator) -> Double { [0.0, 1.0].randomElement(using: &rng)! }
@Sendable private func softLabel(_ rng: inout SeededGenerator) -> Double {
    Bool.random(using: &rng) ? hardLabel(&rng) : uniform(0...1, &rng)
}

/// A hinge case: margin − y·x kept away from 0.
private func hinge(_ id: String, margin: Double) -> LossCase {
    elementwise(id, ["margin": .scalar(margin)], pred: -3...3, target: binaryLabel,
                smooth: { x, t in abs(margin - (t == 0 ? -1 : t) * x) > 0.02 })
}

/// A multiclass case over `classes` logits with one class index per row.
private func indexed(_ id: String, _ params: [String: ParamValue], classes: Int, spread: Double = 4,
                     smooth: @escaping @Sendable ([Double], Int) -> Bool = { _, _ in true }) -> LossCase {
    LossCase(id: id, params: params, predColumns: classes, targetColumns: 1,
             row: { rng in (uniforms(classes, -spread...spread, &rng), [Double(Int.random(in: 0..<classes, using: &rng))]) },
             smooth: { p, t in smooth(p, Int(t[0])) })
}

/// The cases the derivative, weight, split and empty-batch tests run over: every
/// loss at least once, with non-default parameters where they change the formula.
let lossCases: [LossCase] = [
    regression("mse"),
    regression("mae", kinks: [0]),
    regression("huber", ["delta": 0.7], kinks: [0.7]),
    regression("smooth_l1", ["beta": 0.6], kinks: [0.6]),
    regression("smooth_l1", ["beta": 0], kinks: [0]),
    regression("log_cosh", spread: 8),
    regression("quantile", ["tau": 0.3], kinks: [0]),
    regression("pseudo_huber", ["delta": 0.4], spread: 5),
    regression("pseudo_huber"),
    elementwise("gamma_nll", pred: -2...2, target: { uniform(0.05...5, &$0) }),
    elementwise("mape", pred: -3...3, target: { uniform(-3...3, &$0) }, smooth: { p, t in abs(p - t) > 0.02 }),
    elementwise("mape", ["eps": 1], pred: -3...3, target: { uniform(-3...3, &$0) }, smooth: { p, t in abs(p - t) > 0.02 }),
    elementwise("msle", pred: -0.9...5, target: { uniform(-0.9...5, &$0) }),
    elementwise("poisson_nll", pred: -2...2, target: { Double(Int.random(in: 0...6, using: &$0)) }),
    elementwise("poisson_nll", ["log_input": 0, "full": 1, "eps": 1e-4], pred: 0.2...5,
                target: { rng in Bool.random(using: &rng) ? 0 : uniform(0...8, &rng) }),
    elementwise("tweedie", pred: -2...2, target: { rng in Bool.random(using: &rng) ? 0 : uniform(0...5, &rng) }),
    elementwise("tweedie", ["rho": 1], pred: -2...2, target: { uniform(0...5, &$0) }),
    elementwise("tweedie", ["rho": 1.2], pred: -2...2, target: { uniform(0...5, &$0) }),
    LossCase(id: "gaussian_nll", params: ["full": 1], predColumns: 2, targetColumns: 1,
             row: { rng in ([uniform(-3...3, &rng), uniform(0.1...3, &rng)], [uniform(-3...3, &rng)]) }),
    // Variances on both sides of eps = 0.5: below it the variance has no derivative.
    LossCase(id: "gaussian_nll", params: ["eps": 0.5], predColumns: 2, targetColumns: 1,
             row: { rng in ([uniform(-3...3, &rng), uniform(0.01...2, &rng)], [uniform(-3...3, &rng)]) },
             smooth: { p, _ in abs(p[1] - 0.5) > 0.02 }),
    elementwise("bce", pred: 0.02...0.98, target: softLabel),
    elementwise("bce_with_logits", ["pos_weight": 2.5], pred: -6...6, target: softLabel),
    elementwise("focal", pred: -6...6, target: softLabel),
    elementwise("focal", ["alpha": -1, "gamma": 1.5], pred: -6...6, target: softLabel),
    elementwise("focal", ["alpha": 0.6, "gamma": 0.5], pred: -6...6, target: softLabel),
    hinge("hinge", margin: 1),
    hinge("squared_hinge", margin: 0.5),
    elementwise("soft_margin", pred: -6...6, target: binaryLabel),
    elementwise("hinge_embedding", ["margin": 1.5], pred: -1...3, target: { [1.0, -1.0].randomElement(using: &$0)! },
                smooth: { x, t in t == 1 || abs(1.5 - x) > 0.02 }),
    indexed("cross_entropy", ["label_smoothing": 0.1, "weight": [0.5, 2, 1, 3]], classes: 4),
    indexed("cross_entropy", [:], classes: 3, spread: 20),
    LossCase(id: "cross_entropy", params: ["label_smoothing": 0.2, "weight": [1.5, 0.2, 1, 2, 0.7]],
             predColumns: 5, targetColumns: 5,
             row: { rng in (uniforms(5, -4...4, &rng), distribution(5, zeros: true, &rng)) }),
    indexed("nll", [:], classes: 3),
    indexed("nll", ["weight": [0.5, 2, 1, 3]], classes: 4),
    LossCase(id: "multilabel_soft_margin", params: ["weight": [0.5, 2, 1]], predColumns: 3, targetColumns: 3,
             row: { rng in (uniforms(3, -6...6, &rng), (0..<3).map { _ in softLabel(&rng) }) }),
    indexed("multi_margin", [:], classes: 4, smooth: { x, y in
        x.indices.allSatisfy { $0 == y || abs(1 - x[y] + x[$0]) > 0.02 } }),
    indexed("multi_margin", ["p": 2, "margin": 0.5], classes: 5, smooth: { x, y in
        x.indices.allSatisfy { $0 == y || abs(0.5 - x[y] + x[$0]) > 0.02 } }),
    LossCase(id: "kl_div", predColumns: 4, targetColumns: 4,
             row: { rng in (distribution(4, zeros: false, &rng).map { log($0) + uniform(-0.5...0.5, &rng) },
                            distribution(4, zeros: true, &rng)) }),
]
