import LossHostEngine
/// The Hessian diagonal, when declared exact, at every parameter point, against
/// central differences of the gradient where the gradient agrees with the value,
/// and against second differences of the value where it does not (so a wrong
/// gradient fails the gradient check alone); a loss with no Hessian must refuse one with LH_ERR_UNSUPPORTED.
/// A numeric Hessian (a scalar loss whose manifest names no Hessian symbol: the
/// host differentiates) is compared too, to `numericTolerance`: it is itself a
/// finite difference, exact only to about the square of its step.
enum HessianCheck {
    static let tolerance = 1e-4
    /// For a numeric Hessian: second differences of the value (step 1e-4) or
    /// differences of the gradient, against differences of the gradient.
    static let numericTolerance = 1e-3
    static let numericNote = "numeric (host finite differences)"
    /// For scalar losses computed in float32, numeric or not: second
    /// differences in float are good to about 1e-3 at best.
    static let singleTolerance = 2e-2

    /// Against second differences of the value, where the gradient is wrong.
    static let valueTolerance = 1e-3

    static func run(_ ctx: LossCheckContext) throws -> String {
        let numeric = ctx.loss.numericHessian, single = ctx.loss.singlePrecision
        let precision: FiniteDifference.Precision = single ? .single : .double
        let tolerance = single ? Self.singleTolerance : numeric ? Self.numericTolerance : Self.tolerance
        let gradientTolerance = single ? GradientCheck.singleTolerance : GradientCheck.tolerance
        let valueTolerance = single ? Self.singleTolerance : Self.valueTolerance
        let note = (numeric ? "\(Self.numericNote): " : "") + (single ? "float32: " : "")
        switch ctx.info.hessian {
        case .approximate where !numeric: throw CheckSkipped("declared approximate; not compared")
        case .approximate: break
        case .none:
            let domain = try ctx.domain()
            var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).hessian")
            let batch = domain.batch(rows: 2, using: &rng)
            switch ctx.attempt(try ctx.instance(), batch, Wanted(values: false, sum: true, hessian: true)) {
            case .success: throw CheckFailure("declares no Hessian but returned LH_OK when asked for one")
            case .failure(.memory(let why)): throw CheckFailure(why)
            case .failure(.status(let s)):
                guard s.status == 5 else { throw CheckFailure("declares no Hessian; expected LH_ERR_UNSUPPORTED (5), got status \(s.status)") }
                return "no Hessian declared; asking for one gives LH_ERR_UNSUPPORTED"
            }
        case .exact: break
        }
        var compared = 0, kinks = 0, againstValue = 0
        var noisy = NoisyPoints()
        let points = try ctx.atEveryPoint { index, parameters, instance, domain in
            var rng = SeededRandom(seed: ctx.seed, label: ctx.label("hessian", index))
            for point in 0..<16 {
                let batch = domain.batch(rows: 1, weighted: point % 2 == 1, using: &rng)
                let base = try ctx.evaluate(instance, batch, Wanted(values: false, sum: true, gradient: true, hessian: true))
                guard let hessian = base.hessian, let gradient = base.gradient else { continue }
                for j in 0..<batch.predColumns {
                    // Differences of the gradient are the sharper reference, but only where the
                    // gradient is right: else a wrong gradient would fail this check too.
                    let gradientRight: Bool
                    switch try FiniteDifference.compareSlope(gradient[j], at: batch.pred[j], tolerance: gradientTolerance, precision: precision,
                                                             GradientCheck.valueFunction(ctx, instance, batch, j)) {
                    case .disagrees: gradientRight = false
                    case .agrees, .kink, .noisy: gradientRight = true  // no clean slope of the value to judge it by
                    }
                    if gradientRight {
                        let gradientFunction = { (x: Double) throws(CheckFailure) -> Double in
                            var moved = batch
                            moved.pred[j] = x
                            return try ctx.evaluate(instance, moved, Wanted(values: false, sum: false, gradient: true)).gradient?[j] ?? .nan
                        }
                        switch try FiniteDifference.compareSlope(hessian[j], at: batch.pred[j], tolerance: tolerance, precision: precision,
                                                                 gradientFunction) {
                        case .kink: kinks += 1
                        case .noisy(let noise): noisy.add(noise, at: "\(batch.describeRow(0)), column \(j)" + parameters.suffix)
                        case .agrees: compared += 1
                        case .disagrees(let expected):
                            throw CheckFailure("\(note)pred[\(j)] at \(batch.describeRow(0)): expected \(formatCheckNumber(expected)) (central difference of the gradient), got \(formatCheckNumber(hessian[j])) (tolerance \(tolerance) relative)")
                        }
                    } else {
                        switch try FiniteDifference.curvature(at: batch.pred[j], precision: precision, GradientCheck.valueFunction(ctx, instance, batch, j)) {
                        case .kink: kinks += 1
                        case .slope(let expected, let noise):
                            compared += 1
                            againstValue += 1
                            if !FiniteDifference.agrees(hessian[j], expected, tolerance: valueTolerance, noise: noise) {
                                throw CheckFailure("\(note)pred[\(j)] at \(batch.describeRow(0)): expected \(formatCheckNumber(expected)) (second difference of the value: the gradient disagrees with the value here, see the gradient check), got \(formatCheckNumber(hessian[j])) (tolerance \(valueTolerance) relative)")
                            }
                        }
                    }
                }
            }
        }
        let reference = againstValue == 0 ? "differences of the gradient to \(tolerance)"
            : "differences of the gradient to \(tolerance), or, at \(againstValue) elements where the gradient disagrees with the value (see the gradient check), second differences of the value to \(valueTolerance)"
        let skipped = kinks > 0 ? "; \(kinks) next to a kink skipped" : ""
        if let warning = noisy.warning(function: "gradient", derivative: "Hessian", elements: compared + noisy.count + kinks) {
            throw CheckWarning(note + warning + (compared > 0 ? "; the other \(compared) agree with \(reference)" : "") + skipped + points.note)
        }
        guard compared > 0 else { throw CheckFailure("\(note)every point tried was next to a kink (\(kinks))") }
        return "\(note)\(compared) elements agree with \(reference)" + skipped + points.note
    }
}
