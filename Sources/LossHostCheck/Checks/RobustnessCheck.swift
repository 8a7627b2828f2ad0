import LossHostEngine
/// Normal inputs give finite outputs, also in a batch of 4096 rows; finite inputs
/// at the edge of the loss's domain give finite outputs (or an error status);
/// inputs outside it give an error status or finite documented values, never
/// NaN or infinity with LH_OK; at every parameter point.
enum RobustnessCheck {
    /// Rows of the large batch of normal inputs.
    static let largeRows = 4096

    static func run(_ ctx: LossCheckContext) throws -> String {
        var tried = 0, refused = 0
        var name = ""
        let points = try ctx.atEveryPoint { index, _, instance, domain in
            if index == 0 { name = domain.name }
            try run(ctx, instance, domain, label: ctx.label("robustness", index), tried: &tried, refused: &refused)
        }
        return "\(tried) edge and out-of-domain inputs (\(name)) and a batch of \(largeRows) rows: finite outputs or an error status"
            + (refused > 0 ? " (\(refused) refused)" : "") + points.note
    }

    private static func run(_ ctx: LossCheckContext, _ instance: RawInstance, _ domain: InputDomain, label: String,
                            tried: inout Int, refused: inout Int) throws {
        var rng = SeededRandom(seed: ctx.seed, label: label)
        let normal = domain.batch(rows: 4, weighted: true, using: &rng)
        if let bad = try ctx.evaluate(instance, normal, ctx.everything).firstNonFinite {
            throw CheckFailure("normal inputs gave \(bad) with LH_OK, at \(normal.describeRow(0))")
        }
        let large = domain.batch(rows: largeRows, weighted: true, using: &rng)
        let out = try ctx.evaluate(instance, large, ctx.everything)
        for (name, list, perRow) in [("values", out.values, ctx.info.reduce == .elementwise ? large.predColumns : 1),
                                     ("gradient", out.gradient, large.predColumns), ("hessian", out.hessian, large.predColumns)] {
            if let list, let i = list.firstIndex(where: { !$0.isFinite }) {
                throw CheckFailure("normal inputs in a batch of \(largeRows) rows gave \(name)[\(i)] = \(formatCheckNumber(list[i])) with LH_OK, at row \(i / perRow): \(large.describeRow(i / perRow))")
            }
        }
        if let bad = out.firstNonFinite {
            throw CheckFailure("normal inputs in a batch of \(largeRows) rows gave \(bad) with LH_OK")
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
    }
}
