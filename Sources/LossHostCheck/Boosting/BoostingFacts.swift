import LossHostABI
import LossModel

/// What a loss declares about its curvature (`lh_loss.curvature` and
/// `surrogate_hessian`, ABI 1.2), which the boosting check holds it to.
struct BoostingFacts: Sendable {
    /// True when the loss is declared convex in pred: its Hessian must be >= 0. nil: the
    /// loss's ABI (before 1.2) cannot say.
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

    /// The facts `loss` declares, from a plugin of ABI minor `abiMinor` (1.0 and 1.1 declare none).
    init(_ loss: LoadedLoss, abiMinor: UInt32) {
        guard abiMinor >= 2 else {
            self.init(declarable: false)
            return
        }
        let curvature = loss.info.curvature
        self.init(convex: curvature.convex, hessianConstant: curvature.constant, piecewiseLinear: curvature.piecewiseLinear,
                  surrogateCurvature: curvature.surrogate)
    }
}
