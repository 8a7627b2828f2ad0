import LossHostEngine
import LossModel

/// create/destroy many times with default, boundary and random parameters,
/// and a batch of 0 rows.
enum LifecycleCheck {
    static func run(_ ctx: LossCheckContext) throws -> String {
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).lifecycle")
        for _ in 0..<50 { _ = try ctx.instance() }
        let params = ctx.info.parameters
        let domain = try ctx.domain()

        let empty = CheckBatch(rows: 0, predColumns: domain.predColumns, targetColumns: domain.targetColumns,
                               pred: [], target: [], weight: nil)
        let zero = try ctx.evaluate(try ctx.instance(), empty, ctx.everything)
        if zero.sum != 0 || zero.normalizer != 0 {
            throw CheckFailure("a batch of 0 rows: expected sum 0 and normalizer 0, got \(formatCheckNumber(zero.sum!)) and \(formatCheckNumber(zero.normalizer!))\(ctx.base.suffix)")
        }

        var created = 0, refused = 0
        var sets: [[BoundParameters.Value]] = []
        for (i, p) in params.enumerated() where p.type != .list {
            for edge in [low(p), high(p)] {
                var values = ctx.defaults
                values[i] = .scalar(edge)
                sets.append(values)
            }
        }
        for _ in 0..<10 { sets.append(params.map { random($0, columns: domain.predColumns, using: &rng) }) }
        for values in sets {
            switch ctx.create(values) {
            case .success(let instance):
                created += 1
                let batch = domain.batch(rows: 3, weighted: true, using: &rng)
                if case .failure(.memory(let why)) = ctx.attempt(instance, batch, ctx.everything) {
                    throw CheckFailure("\(why) (params \(ParameterPoint.describe(values, params)))")
                }
            case .failure(let status):
                refused += 1
                if status.status != 1 {
                    throw CheckFailure("params \(ParameterPoint.describe(values, params)) are in range but create failed with status \(status.status) (\(status.statusName)): \(status.message)")
                }
            }
        }
        return "51 default instances, \(created) boundary/random instances created (\(refused) refused with LH_ERR_INVALID_ARGUMENT), 0-row batch ok"
    }

    static func low(_ p: ParameterInfo) -> Double {
        let v = p.minExclusive ? p.min.nextUp : p.min
        return p.type == .integer ? v.rounded(.up) : v
    }

    static func high(_ p: ParameterInfo) -> Double {
        let v = p.maxExclusive ? p.max.nextDown : p.max
        return p.type == .integer ? v.rounded(.down) : v
    }

    static func random(_ p: ParameterInfo, columns: Int, using rng: inout SeededRandom) -> BoundParameters.Value {
        let lo = max(low(p), -1e6), hi = min(high(p), 1e6)
        func draw() -> Double {
            let x = lo < hi ? rng.uniform(lo, hi) : lo
            return p.type == .real ? x : min(max(x.rounded(), low(p)), high(p))
        }
        if p.type == .list { return rng.next() % 2 == 0 ? .list([]) : .list((0..<columns).map { _ in draw() }) }
        return .scalar(draw())
    }
}
