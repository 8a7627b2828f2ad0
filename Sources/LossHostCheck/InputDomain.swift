#if canImport(Glibc)
import Glibc
#endif
import LossModel
import LossHostEngine

/// The kind of inputs a loss accepts, found by probing: the first candidate
/// whose random batches the loss evaluates with LH_OK and finite outputs.
/// It also knows the extreme and the out-of-domain inputs of its kind.
struct InputDomain: Sendable {
    /// How one column of pred or target is drawn.
    enum Range: Sendable {
        case real          // (-3, 3)
        case positive      // (0.1, 3)
        case unit          // (0.02, 0.98)
        case label01       // 0 or 1
        case labelPM1      // -1 or +1
        case classIndex    // 0..C-1
        case logProbability  // a log-softmax row
        case distribution  // a probability row

        var name: String {
            switch self {
            case .real: "real"
            case .positive: "positive"
            case .unit: "probability"
            case .label01: "0/1 label"
            case .labelPM1: "-1/+1 label"
            case .classIndex: "class index"
            case .logProbability: "log-probability row"
            case .distribution: "probability row"
            }
        }
    }

    var pred: Range
    /// The range of pred columns after the first (e.g. a variance), when it differs.
    var predRest: Range?
    var target: Range
    var predColumns: Int
    var targetColumns: Int

    var name: String { "pred \(pred.name)\(predRest.map { "/\($0.name)" } ?? ""), target \(target.name)" }

    /// The inputs a loss declares (ABI 1.2); nil when it declares none, and
    /// its domain is found by probing `candidates`.
    static func declared(by info: LossInfo) -> InputDomain? {
        guard info.predDomain != .unspecified, info.targetDomain != .unspecified else { return nil }
        let d = info.predColumns > 0 ? info.predColumns : (info.kind == .multiclass || info.reduce == .rowwise ? 4 : 3)
        let target = Range(info.targetDomain)
        let sameShape = info.targetLayout == .sameShape
            || (info.targetLayout == .indexOrSameShape && target != .classIndex)
        return InputDomain(pred: Range(info.predDomain), predRest: info.predDomainRest.map(Range.init),
                           target: target, predColumns: d, targetColumns: sameShape ? d : 1)
    }

    /// Candidates for a loss, most common first.
    static func candidates(for info: LossInfo) -> [InputDomain] {
        let d = info.predColumns > 0 ? info.predColumns : (info.kind == .multiclass ? 4 : 3)
        let sameShape = info.targetLayout == .sameShape
        let t = sameShape ? d : 1
        var list: [InputDomain] = []
        if info.targetLayout == .classIndex || info.targetLayout == .indexOrSameShape {
            list.append(InputDomain(pred: .real, target: .classIndex, predColumns: d, targetColumns: 1))
        }
        let pairs: [(Range, Range?, Range)] = [
            (.real, nil, .real), (.real, nil, .label01), (.real, nil, .positive), (.positive, nil, .positive),
            (.unit, nil, .label01), (.real, .positive, .real), (.positive, nil, .real),
            (.logProbability, nil, .distribution), (.real, nil, .distribution), (.unit, nil, .unit), (.real, nil, .labelPM1),
        ]
        for (p, rest, tg) in pairs {
            if tg == .distribution && !sameShape { continue }
            list.append(InputDomain(pred: p, predRest: rest, target: tg, predColumns: d, targetColumns: t))
        }
        return list
    }

    /// A random batch of `rows` rows with weights drawn when `weighted`.
    func batch(rows: Int, weighted: Bool = false, using rng: inout SeededRandom) -> CheckBatch {
        var pred: [Double] = [], target: [Double] = []
        for _ in 0..<rows {
            pred += Self.row(self.pred, rest: predRest, columns: predColumns, using: &rng)
            target += Self.row(self.target, rest: nil, columns: targetColumns, classes: predColumns, using: &rng)
        }
        let weight = weighted ? (0..<rows).map { _ in rng.uniform(0.25, 2) } : nil
        return CheckBatch(rows: rows, predColumns: predColumns, targetColumns: targetColumns,
                          pred: pred, target: target, weight: weight)
    }

    static func row(_ range: Range, rest: Range?, columns: Int, classes: Int = 1, using rng: inout SeededRandom) -> [Double] {
        switch range {
        case .logProbability, .distribution:
            let logits = (0..<columns).map { _ in rng.uniform(-2, 2) }
            let m = logits.max() ?? 0
            let total = logits.map { exp($0 - m) }.reduce(0, +)
            return logits.map { range == .distribution ? exp($0 - m) / total : $0 - m - log(total) }
        default:
            return (0..<columns).map { c in value(c > 0 ? (rest ?? range) : range, classes: classes, using: &rng) }
        }
    }

    static func value(_ range: Range, classes: Int, using rng: inout SeededRandom) -> Double {
        switch range {
        case .real: rng.uniform(-3, 3)
        case .positive: rng.uniform(0.1, 3)
        case .unit: rng.uniform(0.02, 0.98)
        case .label01: Double(rng.next() % 2)
        case .labelPM1: rng.next() % 2 == 0 ? -1 : 1
        case .classIndex: Double(rng.next() % UInt64(max(classes, 1)))
        case .logProbability, .distribution: rng.uniform(0.1, 0.9)
        }
    }

    /// Values of pred at the edge of this domain: large magnitudes for real
    /// inputs, values next to 0 and 1 for probabilities.
    var extremePredValues: [Double] {
        switch pred {
        case .real: [700, -700, 1e-300, -1e-300]
        case .positive: [1e-300, 1e6]
        case .unit: [1e-15, 1 - 1e-15, 0, 1]
        case .logProbability: [-700]
        default: []
        }
    }

    /// Pred and target values outside this domain, as (column name, value).
    var outsideValues: [(input: String, value: Double)] {
        var list: [(String, Double)] = []
        switch pred {
        case .unit: list += [("pred", 1.5), ("pred", -0.5)]
        case .positive: list += [("pred", -1)]
        default: break
        }
        switch target {
        case .label01, .labelPM1: list.append(("target", 0.5))
        case .classIndex: list += [("target", Double(predColumns)), ("target", 0.5), ("target", -1)]
        case .positive: list.append(("target", -1))
        case .unit, .distribution: list.append(("target", 1.5))
        default: break
        }
        return list
    }
}

extension InputDomain.Range {
    /// How a declared (ABI 1.2) domain is drawn.
    init(_ declared: DeclaredDomain) {
        switch declared {
        case .unspecified, .real, .logit, .logRate: self = .real
        case .nonNegative, .positive: self = .positive
        case .probability: self = .unit
        case .label01: self = .label01
        case .labelPlusMinus1: self = .labelPM1
        case .classIndex: self = .classIndex
        case .distribution: self = .distribution
        case .logProbability: self = .logProbability
        }
    }
}
