import LossKit

/// Tukey's biweight, r = pred − target: c²/6·(1 − (1 − (r/c)²)³) for |r| ≤ c, c²/6 beyond.
///
/// Bounded influence: a residual beyond c costs the constant c²/6 and has zero
/// gradient, so gross outliers stop pulling on the fit at all. The price is a
/// non-convex loss (the Hessian is negative for c/√5 < |r| < c) whose minimum
/// depends on the starting point; start from a robust fit such as `mae`.
struct Tukey: ElementwiseLoss {
    static let info = LossInfo(
        id: "tukey",
        summary: "Tukey biweight: bounded loss, residuals beyond c cost c^2/6 and pull with zero force",
        kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
        parameters: [ParameterInfo("c", "rejection point: residuals beyond c are ignored, > 0",
                                   default: 4.685, min: 0, max: 1e6, minExclusive: true)],
        predDomain: .real, targetDomain: .real)

    let c: Double

    init(_ parameters: ParameterValues) {
        c = parameters["c"]
    }

    func value(pred: Double, target: Double) -> Double {
        let r = pred - target
        guard abs(r) <= c else { return c * c / 6 }
        let z2 = (r / c) * (r / c)
        // 1 − (1 − z²)³ expanded, so small residuals keep their digits.
        return r * r / 6 * (3 - z2 * (3 - z2))
    }

    func derivatives(pred: Double, target: Double) -> Derivatives {
        let r = pred - target
        guard abs(r) <= c else { return Derivatives(value: c * c / 6, gradient: 0, hessian: 0) }
        let z2 = (r / c) * (r / c)
        let u = 1 - z2
        return Derivatives(value: r * r / 6 * (3 - z2 * (3 - z2)), gradient: r * u * u, hessian: u * (1 - 5 * z2))
    }
}
