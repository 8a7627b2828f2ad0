import LossHostEngine
/// Repeated runs, on the same and on a new instance, are bitwise equal (when
/// the loss declares itself deterministic); a failure names the first element
/// that differs and both bit patterns.
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
            if let difference = first.firstDifference(again) {
                let perRow = ctx.info.reduce == .elementwise ? batch.predColumns : 1
                let instance = run == 1 ? "a second instance" : "the second instance again"
                throw CheckFailure("run \(run + 1) (\(instance)) differs from run 1 on the same 33-row batch: \(difference.describe(batch, valuesPerRow: perRow))")
            }
        }
        return "5 runs on 2 instances are bitwise equal"
    }
}
