import LossHostEngine
/// The gradient against central finite differences (of each element's value
/// for element-wise losses, of the row's sum for row losses), at random
/// points (weighted and not) and at inputs ten times larger; points next to a
/// kink are skipped. A numeric gradient (a scalar loss whose manifest names no
/// gradient symbol) is compared the same way, and the detail says so.
enum GradientCheck {
    static let tolerance = 1e-5
    /// For scalar losses computed in float32.
    static let singleTolerance = 1e-3
    static let numericNote = "numeric gradient (host finite differences)"

    static func run(_ ctx: LossCheckContext) throws -> String {
        let domain = try ctx.domain()
        let instance = try ctx.instance()
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).gradient")
        var compared = 0, kinks = 0
        let elementwise = ctx.info.reduce == .elementwise
        let single = ctx.loss.singlePrecision
        let precision: FiniteDifference.Precision = single ? .single : .double
        let tolerance = single ? Self.singleTolerance : Self.tolerance
        let note = (ctx.loss.numericGradient ? "\(Self.numericNote): " : "") + (single ? "float32: " : "")
        for point in 0..<24 {
            var batch = domain.batch(rows: 1, weighted: point % 2 == 1, using: &rng)
            if point >= 16, domain.pred == .real { batch.pred = batch.pred.map { $0 * 10 } }
            let base = try ctx.evaluate(instance, batch, Wanted(values: false, sum: true, gradient: true))
            guard let gradient = base.gradient else { continue }
            for j in 0..<batch.predColumns {
                let estimate = try FiniteDifference.slope(at: batch.pred[j], precision: precision) { (x: Double) throws(CheckFailure) -> Double in
                    var moved = batch
                    moved.pred[j] = x
                    if elementwise { return try ctx.evaluate(instance, moved, Wanted(values: true, sum: false)).values?[j] ?? .nan }
                    return try ctx.evaluate(instance, moved, Wanted()).sum ?? .nan
                }
                switch estimate {
                case .kink: kinks += 1
                case .slope(let expected, let noise):
                    compared += 1
                    if !FiniteDifference.agrees(gradient[j], expected, tolerance: tolerance, noise: noise) {
                        throw CheckFailure("\(note)pred[\(j)] at \(batch.describeRow(0)): expected \(formatCheckNumber(expected)) (central difference), got \(formatCheckNumber(gradient[j])) (tolerance \(tolerance) relative)")
                    }
                }
            }
        }
        guard compared > 0 else { throw CheckFailure("\(note)every point tried was next to a kink (\(kinks))") }
        return "\(note)\(compared) elements agree with central differences to \(tolerance)" + (kinks > 0 ? "; \(kinks) next to a kink skipped" : "")
    }
}
