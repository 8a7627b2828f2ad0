import LossHostEngine
/// The gradient against central finite differences (of each element's value
/// for element-wise losses, of the row's sum for row losses), at random
/// points (weighted and not) and at inputs ten times larger; points next to a
/// kink are skipped; at every parameter point. A numeric gradient (a scalar loss whose manifest names no
/// gradient symbol) is compared the same way, and the detail says so.
enum GradientCheck {
    static let tolerance = 1e-5
    /// For scalar losses computed in float32.
    static let singleTolerance = 1e-3
    static let numericNote = "numeric gradient (host finite differences)"

    static func run(_ ctx: LossCheckContext) throws -> String {
        var compared = 0, kinks = 0
        let single = ctx.loss.singlePrecision
        let precision: FiniteDifference.Precision = single ? .single : .double
        let tolerance = single ? Self.singleTolerance : Self.tolerance
        let note = (ctx.loss.numericGradient ? "\(Self.numericNote): " : "") + (single ? "float32: " : "")
        let points = try ctx.atEveryPoint { index, _, instance, domain in
            var rng = SeededRandom(seed: ctx.seed, label: ctx.label("gradient", index))
            for point in 0..<24 {
                var batch = domain.batch(rows: 1, weighted: point % 2 == 1, using: &rng)
                if point >= 16, domain.pred == .real { batch.pred = batch.pred.map { $0 * 10 } }
                let base = try ctx.evaluate(instance, batch, Wanted(values: false, sum: true, gradient: true))
                guard let gradient = base.gradient else { continue }
                for j in 0..<batch.predColumns {
                    switch try valueSlope(ctx, instance, batch, j, precision) {
                    case .kink: kinks += 1
                    case .slope(let expected, let noise):
                        compared += 1
                        if !FiniteDifference.agrees(gradient[j], expected, tolerance: tolerance, noise: noise) {
                            throw CheckFailure("\(note)pred[\(j)] at \(batch.describeRow(0)): expected \(formatCheckNumber(expected)) (central difference), got \(formatCheckNumber(gradient[j])) (tolerance \(tolerance) relative)")
                        }
                    }
                }
            }
        }
        guard compared > 0 else { throw CheckFailure("\(note)every point tried was next to a kink (\(kinks))") }
        return "\(note)\(compared) elements agree with central differences to \(tolerance)" + (kinks > 0 ? "; \(kinks) next to a kink skipped" : "") + points.note
    }

    /// The loss as a function of pred element `j` of a one-row batch: that element's value
    /// (element-wise losses) or the row's sum (row losses).
    static func valueFunction(_ ctx: LossCheckContext, _ instance: RawInstance, _ batch: CheckBatch,
                              _ j: Int) -> (Double) throws(CheckFailure) -> Double {
        let elementwise = ctx.info.reduce == .elementwise
        return { (x: Double) throws(CheckFailure) -> Double in
            var moved = batch
            moved.pred[j] = x
            if elementwise { return try ctx.evaluate(instance, moved, Wanted(values: true, sum: false)).values?[j] ?? .nan }
            return try ctx.evaluate(instance, moved, Wanted()).sum ?? .nan
        }
    }

    /// The central difference of the value along pred element `j`.
    static func valueSlope(_ ctx: LossCheckContext, _ instance: RawInstance, _ batch: CheckBatch, _ j: Int,
                           _ precision: FiniteDifference.Precision) throws(CheckFailure) -> FiniteDifference.Estimate {
        try FiniteDifference.slope(at: batch.pred[j], precision: precision, valueFunction(ctx, instance, batch, j))
    }
}
