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

/// How a scalar loss's functions are called per element, chosen once at load.
public enum ScalarCallPath: String, Sendable {
    /// `ffi_call` on the prepared `ffi_cif`: every signature.
    case libffi
    /// A typed `@convention(c)` call: signatures of 2…6 `double` arguments
    /// returning `double`, where the Swift type fixes the calling convention at
    /// compile time. Same arguments, same function, bitwise the same results.
    case direct
}

extension LoadedLoss {
    /// True for a scalar loss computed in float32 (a `float` pred or return
    /// type): `check` differentiates it with float-sized steps and tolerances.
    public var singlePrecision: Bool {
        if case .scalar(let facts) = origin { return facts.singlePrecision }
        return false
    }

    /// For a scalar (manifest) loss, how its C functions are called per
    /// element: `.libffi`, or `.direct` for an all-`double` signature of 2…6
    /// arguments (chosen once at load; the results are the same). Nil for
    /// native losses. `info` may show it as "libffi" or "direct".
    public var scalarCallPath: ScalarCallPath? {
        if case .scalar(let facts) = origin { return facts.callPath }
        return nil
    }
}
