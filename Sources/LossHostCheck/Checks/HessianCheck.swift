import LossHostEngine
/// The Hessian diagonal, when declared exact, against central differences of
/// the gradient; a loss with no Hessian must refuse one with LH_ERR_UNSUPPORTED.
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

    static func run(_ ctx: LossCheckContext) throws -> String {
        let domain = try ctx.domain()
        let instance = try ctx.instance()
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).hessian")
        let numeric = ctx.loss.numericHessian, single = ctx.loss.singlePrecision
        let precision: FiniteDifference.Precision = single ? .single : .double
        let tolerance = single ? Self.singleTolerance : numeric ? Self.numericTolerance : Self.tolerance
        let note = (numeric ? "\(Self.numericNote): " : "") + (single ? "float32: " : "")
        switch ctx.info.hessian {
        case .approximate where !numeric: throw CheckSkipped("declared approximate; not compared")
        case .approximate: break
        case .none:
            let batch = domain.batch(rows: 2, using: &rng)
            switch ctx.attempt(instance, batch, Wanted(values: false, sum: true, hessian: true)) {
            case .success: throw CheckFailure("declares no Hessian but returned LH_OK when asked for one")
            case .failure(.memory(let why)): throw CheckFailure(why)
            case .failure(.status(let s)):
                guard s.status == 5 else { throw CheckFailure("declares no Hessian; expected LH_ERR_UNSUPPORTED (5), got status \(s.status)") }
                return "no Hessian declared; asking for one gives LH_ERR_UNSUPPORTED"
            }
        case .exact: break
        }
        var compared = 0, kinks = 0
        for point in 0..<16 {
            let batch = domain.batch(rows: 1, weighted: point % 2 == 1, using: &rng)
            let base = try ctx.evaluate(instance, batch, Wanted(values: false, sum: true, hessian: true))
            guard let hessian = base.hessian else { continue }
            for j in 0..<batch.predColumns {
                let estimate = try FiniteDifference.slope(at: batch.pred[j], precision: precision) { (x: Double) throws(CheckFailure) -> Double in
                    var moved = batch
                    moved.pred[j] = x
                    return try ctx.evaluate(instance, moved, Wanted(values: false, sum: false, gradient: true)).gradient?[j] ?? .nan
                }
                switch estimate {
                case .kink: kinks += 1
                case .slope(let expected, let noise):
                    compared += 1
                    if !FiniteDifference.agrees(hessian[j], expected, tolerance: tolerance, noise: noise) {
                        throw CheckFailure("\(note)pred[\(j)] at \(batch.describeRow(0)): expected \(formatCheckNumber(expected)) (central difference of the gradient), got \(formatCheckNumber(hessian[j])) (tolerance \(tolerance) relative)")
                    }
                }
            }
        }
        guard compared > 0 else { throw CheckFailure("\(note)every point tried was next to a kink (\(kinks))") }
        return "\(note)\(compared) elements agree with differences of the gradient to \(tolerance)" + (kinks > 0 ? "; \(kinks) next to a kink skipped" : "")
    }
}
