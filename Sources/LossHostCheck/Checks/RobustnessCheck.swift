import LossHostEngine
/// Finite inputs at the edge of the loss's domain give finite outputs (or an
/// error status); inputs outside it give an error status or finite documented
/// values, never NaN or infinity with LH_OK.
enum RobustnessCheck {
    static func run(_ ctx: LossCheckContext) throws -> String {
        let domain = try ctx.domain()
        let instance = try ctx.instance()
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).robustness")
        var tried = 0, refused = 0
        let normal = domain.batch(rows: 4, weighted: true, using: &rng)
        if let bad = try ctx.evaluate(instance, normal, ctx.everything).firstNonFinite {
            throw CheckFailure("normal inputs gave \(bad) with LH_OK, at \(normal.describeRow(0))")
        }
        for value in domain.extremePredValues {
            var batch = domain.batch(rows: 4, weighted: false, using: &rng)
            for row in 0..<batch.rows { batch.pred[row * batch.predColumns + row % batch.predColumns] = value }
            tried += 1
            switch ctx.attempt(instance, batch, ctx.everything) {
            case .success(let out):
                if let bad = out.firstNonFinite {
                    throw CheckFailure("pred \(formatCheckNumber(value)) (in the domain) gave \(bad) with LH_OK, at \(batch.describeRow(0))")
                }
            case .failure(.memory(let why)): throw CheckFailure(why)
            case .failure(.status): refused += 1
            }
        }
        for (input, value) in domain.outsideValues {
            var batch = domain.batch(rows: 4, weighted: false, using: &rng)
            if input == "pred" { batch.pred[0] = value } else { batch.target[0] = value }
            tried += 1
            switch ctx.attempt(instance, batch, ctx.everything) {
            case .success(let out):
                if let bad = out.firstNonFinite {
                    throw CheckFailure("\(input) \(formatCheckNumber(value)) (outside the domain) gave \(bad) with LH_OK instead of an error status, at \(batch.describeRow(0))")
                }
            case .failure(.memory(let why)): throw CheckFailure(why)
            case .failure(.status): refused += 1
            }
        }
        return "\(tried) edge and out-of-domain inputs (\(domain.name)): finite outputs or an error status" + (refused > 0 ? " (\(refused) refused)" : "")
    }
}
