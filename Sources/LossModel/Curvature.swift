import CLossHost

/// Facts about a loss's Hessian that a trainer needs (`lh_loss.curvature` and
/// `surrogate_hessian`, ABI 1.2).
public struct Curvature: Sendable, Equatable {
    /// Convex in each pred element: an exact Hessian is >= 0 everywhere.
    public var convex: Bool
    /// The Hessian does not depend on pred or target (mse: 2).
    public var constant: Bool
    /// The Hessian is zero almost everywhere (mae, quantile, hinge).
    public var piecewiseLinear: Bool
    /// For a piecewise-linear loss: the curvature per element and unit weight a
    /// Newton-type trainer may use instead of zero; nil when none is declared.
    public var surrogate: Double?

    public init(convex: Bool = false, constant: Bool = false, piecewiseLinear: Bool = false, surrogate: Double? = nil) {
        self.convex = convex
        self.constant = constant
        self.piecewiseLinear = piecewiseLinear
        self.surrogate = surrogate
    }

    /// Nothing declared (a 1.0/1.1 plugin).
    public static let unknown = Curvature()

    /// Reads the ABI fields; unknown flag bits are ignored, and a surrogate that
    /// is not finite and > 0 counts as none.
    public init(flags: UInt32, surrogate: Double) {
        self.init(convex: flags & UInt32(LH_CURVATURE_CONVEX) != 0,
                  constant: flags & UInt32(LH_CURVATURE_CONSTANT) != 0,
                  piecewiseLinear: flags & UInt32(LH_CURVATURE_PIECEWISE_LINEAR) != 0,
                  surrogate: surrogate.isFinite && surrogate > 0 ? surrogate : nil)
    }

    /// The `lh_loss.curvature` flags.
    public var flags: UInt32 {
        (convex ? UInt32(LH_CURVATURE_CONVEX) : 0) | (constant ? UInt32(LH_CURVATURE_CONSTANT) : 0)
            | (piecewiseLinear ? UInt32(LH_CURVATURE_PIECEWISE_LINEAR) : 0)
    }
}
