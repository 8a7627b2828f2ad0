import Foundation
import LossHostEngine
import LossModel

/// One set of parameter values the checks run a loss at: the defaults (with any
/// `--param` pins), every free parameter at the low or the high end of its
/// declared range, or a seeded random draw inside the ranges.
struct ParameterPoint: Sendable {
    enum Kind: String, Sendable {
        case base, low, high, random
    }

    var kind: Kind
    var values: [BoundParameters.Value]
    /// "delta=2.5 tau=0.1", for failure messages; empty for a loss with no parameters.
    var text: String

    /// How a failure at this point ends: " (params delta=2.5)", or "" without parameters.
    var suffix: String { text.isEmpty ? "" : " (params \(text))" }
}

extension ParameterPoint {
    /// How many random points the checks add to the defaults and the two ends.
    static let randomCount = 3
    /// Where an open bound or an unbounded range is cut for the checks.
    static let magnitudeLimit = 1e6

    /// The points for `info`: first the base (defaults, with `pinned` applied), then, with `sweep`
    /// and when some parameter is not pinned, the low end, the high end and `randomCount` random
    /// draws of the free parameters. List parameters take `columns` entries when drawn.
    static func all(for info: LossInfo, pinned: [String], sweep: Bool = true, columns: Int, seed: UInt64) throws(EvaluationError) -> [ParameterPoint] {
        let base = try BoundParameters.bind(pinned, to: info).values
        let pinnedNames = Set(pinned.compactMap(BoundParameters.name(of:)))
        let free = info.parameters.indices.filter { !pinnedNames.contains(info.parameters[$0].name) }
        var points = [ParameterPoint(kind: .base, values: base, text: describe(base, info.parameters))]
        guard sweep, !free.isEmpty else { return points }
        var rng = SeededRandom(seed: seed, label: "\(info.id).params")
        func point(_ kind: Kind, _ value: (ParameterInfo) -> BoundParameters.Value) -> ParameterPoint {
            var values = base
            for i in free { values[i] = value(info.parameters[i]) }
            return ParameterPoint(kind: kind, values: values, text: describe(values, info.parameters))
        }
        let scalarFree = free.contains { info.parameters[$0].type != .list }
        if scalarFree {
            points.append(point(.low) { $0.type == .list ? .list([]) : .scalar(low($0)) })
            points.append(point(.high) { $0.type == .list ? .list([]) : .scalar(high($0)) })
        }
        for _ in 0..<randomCount {
            points.append(point(.random) { random($0, columns: columns, using: &rng) })
        }
        return points
    }

    /// The lowest value the checks use: the minimum, moved inside when it is excluded.
    static func low(_ p: ParameterInfo) -> Double {
        edge(p.min, inward: 1, exclusive: p.minExclusive, other: p.max, p)
    }

    /// The highest value the checks use: the maximum, moved inside when it is excluded.
    static func high(_ p: ParameterInfo) -> Double {
        edge(p.max, inward: -1, exclusive: p.maxExclusive, other: p.min, p)
    }

    private static func edge(_ bound: Double, inward: Double, exclusive: Bool, other: Double, _ p: ParameterInfo) -> Double {
        if p.type == .boolean { return inward > 0 ? 0 : 1 }
        var v = min(max(bound, -magnitudeLimit), magnitudeLimit)
        let clipped = v != bound
        if exclusive && !clipped {
            let width = abs(min(max(other, -magnitudeLimit), magnitudeLimit) - v)
            v += inward * min(1e-6 * max(1, abs(v)), width / 4)
        }
        if p.type == .integer { v = inward > 0 ? v.rounded(.up) : v.rounded(.down) }
        return p.admits(v) ? v : p.defaultValue
    }

    /// A value drawn inside the range: log-uniform over a range wider than two decades, else uniform.
    static func random(_ p: ParameterInfo, columns: Int, using rng: inout SeededRandom) -> BoundParameters.Value {
        let lo = low(p), hi = high(p)
        func draw() -> Double {
            guard lo < hi else { return lo }
            var x: Double
            if lo >= 0, hi > 100 * max(lo, 1e-3) {
                let a = Foundation.log(max(lo, 1e-3)), b = Foundation.log(hi)
                x = exp(rng.uniform(a, b))
            } else if lo < 0, hi > 0, hi - lo > 200 {
                let top = max(-lo, hi)
                x = exp(rng.uniform(Foundation.log(1e-3), Foundation.log(top))) * (rng.next() % 2 == 0 ? 1 : -1)
            } else {
                x = rng.uniform(lo, hi)
            }
            if p.type != .real { x = x.rounded() }
            x = min(max(x, lo), hi)
            return p.admits(x) ? x : p.defaultValue
        }
        if p.type == .list { return rng.next() % 2 == 0 ? .list([]) : .list((0..<columns).map { _ in draw() }) }
        return .scalar(draw())
    }

    /// "delta=1 weight=[1,2]" (an empty list is "weight=[]").
    static func describe(_ values: [BoundParameters.Value], _ params: [ParameterInfo]) -> String {
        zip(params, values).map { p, v in
            switch v {
            case .scalar(let x): "\(p.name)=\(formatCheckNumber(x))"
            case .list(let xs): "\(p.name)=[\(xs.map(formatCheckNumber).joined(separator: ","))]"
            }
        }.joined(separator: " ")
    }
}
