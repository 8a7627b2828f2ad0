/// What a loss declares about its curvature, which the boosting check holds it to.
///
/// ABI 1.1 has no way to declare any of this, so `init(_:)` reads nothing yet and
/// every fact is unknown (`declarable` false). When `lh_loss` carries the ABI 1.2
/// fields (a convexity flag, the "Hessian constant" and "piecewise linear" flags,
/// the optional surrogate curvature), `init(_:)` is the one place that reads them.
struct BoostingFacts: Sendable {
    /// True when the loss is declared convex in pred: its Hessian must be >= 0. nil: not declared.
    var convex: Bool?
    /// Declared: the Hessian is the same at every input (mse).
    var hessianConstant = false
    /// Declared: the loss is piecewise linear in pred (its exact Hessian is 0).
    var piecewiseLinear = false
    /// The curvature a boosting library should use where the exact Hessian is 0 (1 for mae, as
    /// XGBoost's and LightGBM's L1 objectives), when declared.
    var surrogateCurvature: Double?
    /// False when the loss's ABI cannot declare these facts (before 1.2).
    var declarable: Bool

    init(convex: Bool? = nil, hessianConstant: Bool = false, piecewiseLinear: Bool = false,
         surrogateCurvature: Double? = nil, declarable: Bool = true) {
        self.convex = convex
        self.hessianConstant = hessianConstant
        self.piecewiseLinear = piecewiseLinear
        self.surrogateCurvature = surrogateCurvature
        self.declarable = declarable
    }

    /// The facts `loss` declares. ABI 1.1 declares none.
    init(_ loss: LoadedLoss) {
        self.init(declarable: false)
    }
}
