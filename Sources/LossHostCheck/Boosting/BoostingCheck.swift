import LossHostEngine

/// The conventions XGBoost and LightGBM rely on when an element-wise loss is
/// their custom objective (they take its gradient and Hessian per element and
/// set each leaf to −ΣG / (ΣH + λ)), at every parameter point:
/// - the Hessian is >= 0 where the loss is declared convex;
/// - gradient and Hessian are finite, with LH_OK, at extreme margins where the
///   value is (a loss may refuse a margin whose value overflows);
/// - the Hessian is not 0 on a whole batch unless a surrogate curvature is declared
///   (at the base parameters; elsewhere it is reported);
/// - a Hessian declared constant is the same everywhere.
enum BoostingCheck {
    static let rows = 256

    /// The margins tried for each kind of pred: large logits and scores, rates next to 0 and huge.
    static func extremeMargins(_ pred: InputDomain.Range) -> [Double] {
        switch pred {
        case .real: [-700, -100, -30, 30, 100, 700]
        case .positive: [1e-12, 1e-6, 1e6, 1e12]
        case .unit: [1e-15, 1e-6, 1 - 1e-6, 1 - 1e-15]
        default: []
        }
    }

    static func run(_ ctx: LossCheckContext, facts: BoostingFacts) throws -> String {
        guard ctx.info.reduce == .elementwise else {
            throw CheckSkipped("a row loss: boosting objectives are element-wise")
        }
        guard ctx.hasHessian else { throw CheckSkipped("no Hessian declared: a boosting library needs one") }
        var allZero = 0, negative = 0, margins = 0, refused = 0
        let points = try ctx.atEveryPoint { index, _, instance, domain in
            var rng = SeededRandom(seed: ctx.seed, label: ctx.label("boosting", index))
            let batch = domain.batch(rows: rows, weighted: false, using: &rng)
            let hessian = try ctx.evaluate(instance, batch, Wanted(values: false, sum: false, gradient: true, hessian: true)).hessian!
            try sign(hessian, batch, facts, negative: &negative, "")
            if facts.hessianConstant, let i = hessian.firstIndex(where: { $0.bitPattern != hessian[0].bitPattern }) {
                throw CheckFailure("declared a constant Hessian, but hessian[\(i)] = \(formatCheckNumber(hessian[i])) at \(batch.describeRow(i / batch.predColumns)) and hessian[0] = \(formatCheckNumber(hessian[0]))")
            }
            if hessian.allSatisfy({ $0 == 0 }) {
                // Held to at the base point, the parameters training uses; an end of a range may
                // degenerate a loss (huber's delta near 0 is mae), and is reported.
                if facts.surrogateCurvature == nil && facts.declarable && index == 0 {
                    throw CheckFailure("the Hessian is 0 on all \(hessian.count) elements of a \(rows)-row batch and no surrogate curvature is declared: XGBoost and LightGBM would set every leaf from ΣG / λ (row 0: \(batch.describeRow(0)))")
                }
                allZero += 1
            }
            for margin in extremeMargins(domain.pred) {
                var edge = domain.batch(rows: 4, weighted: false, using: &rng)
                for k in edge.pred.indices { edge.pred[k] = k % 2 == 0 ? margin : edge.pred[k] }
                let out: CallOutputs
                switch ctx.attempt(instance, edge, Wanted(values: false, sum: false, gradient: true, hessian: true)) {
                case .success(let result): out = result
                case .failure(.memory(let why)): throw CheckFailure(why)
                case .failure(.status(let s)):
                    // Refusing is right where the value itself is not representable (it overflows);
                    // refusing only the derivatives of a finite value stops a boosting library's training.
                    if case .success(let plain) = ctx.attempt(instance, edge, Wanted(values: true, sum: false)), plain.allFinite {
                        throw CheckFailure("pred \(formatCheckNumber(margin)) (an extreme margin inside the domain) gives finite values but status \(s.status) (\(s.statusName)) for the gradient and Hessian: \(s.message), at \(edge.describeRow(0)): a boosting library stops training on an error")
                    }
                    refused += 1
                    continue
                }
                for (name, list) in [("gradient", out.gradient!), ("hessian", out.hessian!)] {
                    if let i = list.firstIndex(where: { !$0.isFinite }) {
                        throw CheckFailure("pred \(formatCheckNumber(margin)) (an extreme margin) gave \(name)[\(i)] = \(formatCheckNumber(list[i])) at \(edge.describeRow(i / edge.predColumns))")
                    }
                }
                try sign(out.hessian!, edge, facts, negative: &negative, " at an extreme margin")
                margins += 1
            }
        }
        var notes: [String] = []
        switch facts.convex {
        case true?: notes.append("Hessian >= 0 (declared convex)")
        case false?:
            notes.append(negative > 0 ? "Hessian < 0 at \(negative) elements (not declared convex)"
                                      : "Hessian >= 0 everywhere tried (not declared convex)")
        case nil:
            notes.append(negative > 0 ? "Hessian < 0 at \(negative) elements; convexity not declared, so the sign is not held to"
                                      : "convexity not declared, so the Hessian's sign (>= 0 everywhere tried) is not held to")
        }
        if allZero > 0 {
            let at = "at \(allZero) param point\(allZero == 1 ? "" : "s")"
            if let surrogate = facts.surrogateCurvature {
                notes.append("Hessian 0 on whole batches, surrogate curvature \(formatCheckNumber(surrogate)) declared")
            } else if facts.declarable {
                notes.append("Hessian 0 on a whole batch \(at) away from the base parameters and no surrogate curvature declared: a boosting library would not move there")
            } else {
                notes.append("Hessian 0 on a whole batch \(at): this ABI cannot declare a surrogate curvature, so a boosting library would not move")
            }
        }
        if facts.hessianConstant { notes.append("Hessian constant as declared") }
        if refused > 0 { notes.append("\(refused) extreme-margin batches refused with a status, their values too (not representable)") }
        return "\(rows)-row batches and \(margins) extreme-margin batches: gradient and Hessian finite; " + notes.joined(separator: "; ") + points.note
    }

    /// Throws at the first negative Hessian element when the loss is declared convex; counts them otherwise.
    private static func sign(_ hessian: [Double], _ batch: CheckBatch, _ facts: BoostingFacts, negative: inout Int,
                             _ where_: String) throws(CheckFailure) {
        for (i, h) in hessian.enumerated() where h < 0 {
            if facts.convex == true {
                throw CheckFailure("declared convex, but hessian[\(i)] = \(formatCheckNumber(h)) < 0\(where_) at \(batch.describeRow(i / batch.predColumns))")
            }
            negative += 1
        }
    }
}
