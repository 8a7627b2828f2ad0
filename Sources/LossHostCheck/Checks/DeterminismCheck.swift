import LossHostEngine
/// Repeated runs, on the same and on a new instance, are bitwise equal (when
/// the loss declares itself deterministic).
enum DeterminismCheck {
    static func run(_ ctx: LossCheckContext) throws -> String {
        guard ctx.info.deterministic else { throw CheckSkipped("not declared deterministic") }
        let domain = try ctx.domain()
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).determinism")
        let batch = domain.batch(rows: 33, weighted: true, using: &rng)
        let first = try ctx.evaluate(try ctx.instance(), batch, ctx.everything)
        let instance = try ctx.instance()
        for run in 1...4 {
            let again = try ctx.evaluate(instance, batch, ctx.everything)
            if !again.bitwiseEqual(first) {
                throw CheckFailure("run \(run + 1) differs from run 1 on the same 33-row batch: sum \(formatCheckNumber(first.sum!)) then \(formatCheckNumber(again.sum!)) (row 0: \(batch.describeRow(0)))")
            }
        }
        return "5 runs on 2 instances are bitwise equal"
    }
}
