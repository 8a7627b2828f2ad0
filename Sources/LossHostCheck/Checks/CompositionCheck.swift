import LossHostEngine
/// A batch's outputs equal the composition of its chunks in any split; a row
/// permutation permutes the outputs; weights of 1 change nothing; at every
/// parameter point. At the base point a batch of more than 4096 rows too.
enum CompositionCheck {
    /// Rows of the large batch, split into chunks at row 1000.
    static let largeRows = 4099

    static func run(_ ctx: LossCheckContext) throws -> String {
        let points = try ctx.atEveryPoint { index, _, instance, domain in
            var rng = try run(ctx, instance, domain, label: ctx.label("composition", index))
            if index == 0 { try large(ctx, instance, domain, using: &rng) }
        }
        return "6 splits of 24 rows (and, at the base point, one of \(largeRows)) compose, a row permutation permutes the outputs, weights of 1 change nothing" + points.note
    }

    /// The small-batch part; returns its generator for what follows.
    private static func run(_ ctx: LossCheckContext, _ instance: RawInstance, _ domain: InputDomain, label: String) throws -> SeededRandom {
        var rng = SeededRandom(seed: ctx.seed, label: label)
        let n = 24
        let batch = domain.batch(rows: n, weighted: true, using: &rng)
        let whole = try ctx.evaluate(instance, batch, ctx.everything)
        let perValue = ctx.info.reduce == .elementwise ? batch.predColumns : 1
        let scale = max(1, whole.values!.map(abs).reduce(0, +))

        for split in [[0, n], [0, 0, n], [0, 1, n], [0, n - 1, n], [0, 7, 8, 20, n]] + [[0, Int(rng.next() % UInt64(n)), n]] {
            var sum = 0.0, normalizer = 0.0
            for k in 0..<(split.count - 1) {
                let range = split[k]..<split[k + 1]
                let part = try ctx.evaluate(instance, batch.slice(range), ctx.everything)
                sum += part.sum!
                normalizer += part.normalizer!
                try bitwise("values", part.values!, Array(whole.values![range.lowerBound * perValue..<range.upperBound * perValue]),
                            offset: range.lowerBound, perRow: perValue, batch, "split at \(split.dropFirst().dropLast())")
                try bitwise("gradient", part.gradient!, Array(whole.gradient![range.lowerBound * batch.predColumns..<range.upperBound * batch.predColumns]),
                            offset: range.lowerBound, perRow: batch.predColumns, batch, "split at \(split.dropFirst().dropLast())")
            }
            if abs(sum - whole.sum!) > 1e-12 * scale || !FiniteDifference.agrees(normalizer, whole.normalizer!, tolerance: 1e-12) {
                throw CheckFailure("chunks \(split) do not compose: expected sum \(formatCheckNumber(whole.sum!)) and normalizer \(formatCheckNumber(whole.normalizer!)), got \(formatCheckNumber(sum)) and \(formatCheckNumber(normalizer))")
            }
        }

        var order = Array(0..<n)
        order.shuffle(using: &rng)
        let shuffled = try ctx.evaluate(instance, batch.permuted(order), ctx.everything)
        for (newRow, oldRow) in order.enumerated() {
            for c in 0..<perValue where shuffled.values![newRow * perValue + c].bitPattern != whole.values![oldRow * perValue + c].bitPattern {
                throw CheckFailure("permuting rows changed the value of row \(oldRow) (\(batch.describeRow(oldRow))): expected \(formatCheckNumber(whole.values![oldRow * perValue + c])), got \(formatCheckNumber(shuffled.values![newRow * perValue + c]))")
            }
        }
        if abs(shuffled.sum! - whole.sum!) > 1e-12 * scale {
            throw CheckFailure("permuting rows changed the sum: expected \(formatCheckNumber(whole.sum!)), got \(formatCheckNumber(shuffled.sum!))")
        }

        var unweighted = batch
        unweighted.weight = nil
        var ones = batch
        ones.weight = Array(repeating: 1, count: n)
        let a = try ctx.evaluate(instance, unweighted, ctx.everything), b = try ctx.evaluate(instance, ones, ctx.everything)
        var sumsOnly = b
        sumsOnly.sum = a.sum
        sumsOnly.normalizer = a.normalizer
        if !a.bitwiseEqual(sumsOnly) {
            throw CheckFailure("weights of 1 changed the per-row outputs (row 0: \(batch.describeRow(0)))")
        }
        if abs(a.sum! - b.sum!) > 1e-12 * scale || !FiniteDifference.agrees(a.normalizer!, b.normalizer!, tolerance: 1e-12) {
            throw CheckFailure("weights of 1 changed the sum: without weights \(formatCheckNumber(a.sum!)), with weights 1 \(formatCheckNumber(b.sum!))")
        }
        return rng
    }

    /// A batch of `largeRows` rows equals its chunks split at row 1000, element by element.
    private static func large(_ ctx: LossCheckContext, _ instance: RawInstance, _ domain: InputDomain,
                              using rng: inout SeededRandom) throws {
        let batch = domain.batch(rows: largeRows, weighted: true, using: &rng)
        let wanted = Wanted(values: true, sum: true, gradient: true, hessian: false)
        let whole = try ctx.evaluate(instance, batch, wanted)
        let perValue = ctx.info.reduce == .elementwise ? batch.predColumns : 1
        let scale = max(1, whole.values!.map(abs).reduce(0, +))
        var sum = 0.0
        for range in [0..<1000, 1000..<largeRows] {
            let part = try ctx.evaluate(instance, batch.slice(range), wanted)
            sum += part.sum!
            try bitwise("values", part.values!, Array(whole.values![range.lowerBound * perValue..<range.upperBound * perValue]),
                        offset: range.lowerBound, perRow: perValue, batch, "\(largeRows) rows split at 1000")
            try bitwise("gradient", part.gradient!, Array(whole.gradient![range.lowerBound * batch.predColumns..<range.upperBound * batch.predColumns]),
                        offset: range.lowerBound, perRow: batch.predColumns, batch, "\(largeRows) rows split at 1000")
        }
        if abs(sum - whole.sum!) > 1e-12 * scale {
            throw CheckFailure("a batch of \(largeRows) rows split at row 1000 does not compose: expected sum \(formatCheckNumber(whole.sum!)), got \(formatCheckNumber(sum))")
        }
    }

    private static func bitwise(_ name: String, _ got: [Double], _ expected: [Double], offset: Int, perRow: Int,
                                _ batch: CheckBatch, _ how: String) throws(CheckFailure) {
        for i in got.indices where got[i].bitPattern != expected[i].bitPattern {
            let row = offset + i / max(perRow, 1)
            throw CheckFailure("\(name) of row \(row) (\(batch.describeRow(row))) differs when the batch is \(how): whole batch \(formatCheckNumber(expected[i])), chunk \(formatCheckNumber(got[i]))")
        }
    }
}
