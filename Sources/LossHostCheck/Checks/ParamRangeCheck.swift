/// Out-of-range parameters (below min, above max, NaN) given straight to
/// create: rejected with a status, or accepted, never a crash. The host checks
/// ranges before create, so accepting is allowed; crashing is not. Runs last
/// among a loss's checks, so a crash here leaves the others' results standing.
enum ParamRangeCheck {
    static func run(_ ctx: LossCheckContext) throws -> String {
        var rejected = 0, accepted = 0
        for (i, p) in ctx.info.parameters.enumerated() where p.type != .list {
            for bad in [p.min - max(1, abs(p.min)), p.max + max(1, abs(p.max)), Double.nan] {
                var values = ctx.defaults
                values[i] = .scalar(bad)
                switch ctx.create(values) {
                case .success: accepted += 1
                case .failure: rejected += 1
                }
            }
        }
        guard rejected + accepted > 0 else { throw CheckSkipped("no scalar parameters") }
        return "\(rejected + accepted) out-of-range values: \(rejected) rejected with a status, \(accepted) accepted (the host checks ranges first)"
    }
}
