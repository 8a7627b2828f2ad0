import LossHostEngine
/// The gradient against central finite differences (of each element's value
/// for element-wise losses, of the row's sum for row losses), at random
/// points (weighted and not) and at inputs ten times larger; points next to a
/// kink are skipped; at every parameter point. Elements where the value is too
/// noisy to verify the gradient (a formula that cancels) make the check a warning
/// about the value, not a failure. A numeric gradient (a scalar loss whose manifest
/// names no gradient symbol) is compared the same way, and the detail says so.
enum GradientCheck {
    static let tolerance = 1e-5
    /// For scalar losses computed in float32.
    static let singleTolerance = 1e-3
    static let numericNote = "numeric gradient (host finite differences)"

    static func run(_ ctx: LossCheckContext) throws -> String {
        var compared = 0, kinks = 0
        var noisy = NoisyPoints()
        let single = ctx.loss.singlePrecision
        let precision: FiniteDifference.Precision = single ? .single : .double
        let tolerance = single ? Self.singleTolerance : Self.tolerance
        let note = (ctx.loss.numericGradient ? "\(Self.numericNote): " : "") + (single ? "float32: " : "")
        let points = try ctx.atEveryPoint { index, parameters, instance, domain in
            var rng = SeededRandom(seed: ctx.seed, label: ctx.label("gradient", index))
            for point in 0..<24 {
                var batch = domain.batch(rows: 1, weighted: point % 2 == 1, using: &rng)
                if point >= 16, domain.pred == .real { batch.pred = batch.pred.map { $0 * 10 } }
                let base = try ctx.evaluate(instance, batch, Wanted(values: false, sum: true, gradient: true))
                guard let gradient = base.gradient else { continue }
                for j in 0..<batch.predColumns {
                    switch try FiniteDifference.compareSlope(gradient[j], at: batch.pred[j], tolerance: tolerance, precision: precision,
                                                             valueFunction(ctx, instance, batch, j)) {
                    case .kink: kinks += 1
                    case .noisy(let noise): noisy.add(noise, at: "\(batch.describeRow(0)), column \(j)" + parameters.suffix)
                    case .agrees: compared += 1
                    case .disagrees(let expected):
                        throw CheckFailure("\(note)pred[\(j)] at \(batch.describeRow(0)): expected \(formatCheckNumber(expected)) (central difference), got \(formatCheckNumber(gradient[j])) (tolerance \(tolerance) relative)")
                    }
                }
            }
        }
        let skipped = kinks > 0 ? "; \(kinks) next to a kink skipped" : ""
        if let warning = noisy.warning(function: "value", derivative: "gradient", elements: compared + noisy.count + kinks) {
            throw CheckWarning(note + warning + (compared > 0 ? "; the other \(compared) agree with central differences to \(tolerance)" : "")
                               + skipped + points.note)
        }
        guard compared > 0 else { throw CheckFailure("\(note)every point tried was next to a kink (\(kinks))") }
        return "\(note)\(compared) elements agree with central differences to \(tolerance)" + skipped + points.note
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
}
