import LossHostEngine
/// Value-only, gradient-only and fused calls agree, and the sum is the sum of the
/// values, at every parameter point.
enum FusedCheck {
    static func run(_ ctx: LossCheckContext) throws -> String {
        let points = try ctx.atEveryPoint { index, _, instance, domain in
            var rng = SeededRandom(seed: ctx.seed, label: ctx.label("fused", index))
            let batch = domain.batch(rows: 16, weighted: true, using: &rng)
            let fused = try ctx.evaluate(instance, batch, ctx.everything)
            let valuesOnly = try ctx.evaluate(instance, batch, Wanted(values: true, sum: false))
            let sumOnly = try ctx.evaluate(instance, batch, Wanted())
            let gradientOnly = try ctx.evaluate(instance, batch, Wanted(values: false, sum: false, gradient: true))
            try same("values", valuesOnly.values!, fused.values!, batch)
            try same("gradient", gradientOnly.gradient!, fused.gradient!, batch)
            try same("sum", [sumOnly.sum!], [fused.sum!], batch)
            let total = fused.values!.reduce(0, +), scale = fused.values!.map(abs).reduce(0, +)
            if abs(total - fused.sum!) > 1e-12 * max(1, scale) {
                throw CheckFailure("sum is not the sum of the values: expected \(formatCheckNumber(total)), got \(formatCheckNumber(fused.sum!))")
            }
        }
        return "value-only, gradient-only and fused calls agree; sum = sum of values" + points.note
    }

    static func same(_ name: String, _ alone: [Double], _ fused: [Double], _ batch: CheckBatch) throws(CheckFailure) {
        for i in alone.indices where !FiniteDifference.agrees(alone[i], fused[i], tolerance: 1e-12) {
            let row = name == "sum" ? 0 : i / max(1, alone.count / max(1, batch.rows))
            throw CheckFailure("\(name)[\(i)] at \(batch.describeRow(row)): \(name)-only call gave \(formatCheckNumber(alone[i])), fused call gave \(formatCheckNumber(fused[i]))")
        }
    }
}
