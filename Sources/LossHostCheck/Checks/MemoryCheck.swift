import LossHostEngine
/// Outputs written exactly within their bounds (canary guard bands around
/// every buffer, every element written) and inputs never written, for batches
/// of several sizes and every combination of outputs. Every other check's calls
/// are guarded the same way.
enum MemoryCheck {
    static func run(_ ctx: LossCheckContext) throws -> String {
        let domain = try ctx.domain()
        let instance = try ctx.instance()
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).memory")
        let hessian = ctx.hasHessian
        let combinations = [
            Wanted(values: true, sum: true, gradient: true, hessian: hessian), Wanted(values: true, sum: false),
            Wanted(values: false, sum: false, gradient: true), Wanted(values: false, sum: false, hessian: hessian), Wanted(),
        ]
        var calls = 0
        for rows in [1, 2, 3, 17, 100] {
            for weighted in [false, true] {
                let batch = domain.batch(rows: rows, weighted: weighted, using: &rng)
                for wanted in combinations {
                    _ = try ctx.evaluate(instance, batch, wanted)
                    calls += 1
                }
            }
        }
        return "\(calls) calls: guard bands intact, every output written, inputs unchanged"
    }
}
