/// Where a loaded loss comes from: what the host knows about its code beyond
/// the ABI table.
public enum LossOrigin: Sendable, Equatable {
    /// Compiled into the host (the standard losses): known to write every output.
    case builtIn
    /// A plugin library's own table.
    case native
    /// A plain C function described by a scalar manifest, called through libffi.
    case scalar(ScalarLossFacts)
}

/// What the host knows about a scalar (manifest) loss.
public struct ScalarLossFacts: Sendable, Equatable {
    /// The manifest names no gradient symbol: central differences of the value.
    public var numericGradient: Bool
    /// The manifest names no Hessian symbol: central differences of the gradient.
    public var numericHessian: Bool
    /// A `float` pred or return: `check` uses float-sized steps and tolerances.
    public var singlePrecision: Bool
    /// How each element's C functions are called (chosen once, at load).
    public var callPath: ScalarCallPath

    public init(numericGradient: Bool, numericHessian: Bool, singlePrecision: Bool, callPath: ScalarCallPath) {
        self.numericGradient = numericGradient
        self.numericHessian = numericHessian
        self.singlePrecision = singlePrecision
        self.callPath = callPath
    }
}
