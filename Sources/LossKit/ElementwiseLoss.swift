/// The value of a loss at one point with its first and second derivative
/// with respect to pred.
public struct Derivatives: Sendable, Equatable {
    public var value: Double
    public var gradient: Double
    public var hessian: Double

    @inlinable public init(value: Double, gradient: Double, hessian: Double) {
        self.value = value
        self.gradient = gradient
        self.hessian = hessian
    }
}

/// A loss that gives one value per element: ℓ(pred[i, j], target[i, j]).
///
/// Write the scalar function and its derivatives; the kit supplies the batch
/// loop, weights, reductions, domain checks and the C table:
///
///     struct Cauchy: ElementwiseLoss {
///         static let info = LossInfo(id: "cauchy", summary: "…", kind: .regression,
///                                    predDoc: "prediction", targetDoc: "observed value",
///                                    parameters: [ParameterInfo("c", "scale", default: 1, min: 0, max: 1e6, minExclusive: true)])
///         let c: Double
///         init(_ p: ParameterValues) { c = p["c"] }
///         func derivatives(pred: Double, target: Double) -> Derivatives { … }
///     }
public protocol ElementwiseLoss: Sendable {
    /// The loss's metadata. `reduce` must be `.elementwise`.
    static var info: LossInfo { get }
    /// The values pred may take (checked per element before evaluation).
    static var predDomain: Domain { get }
    /// The values target may take.
    static var targetDomain: Domain { get }
    /// The values pred may take with this instance's parameters (default: `predDomain`).
    var boundPredDomain: Domain { get }

    /// Binds the parameters; throw `LossFailure(.invalidArgument, …)` to refuse them.
    init(_ parameters: ParameterValues) throws(LossFailure)

    /// ℓ(pred, target) alone. Defaults to `derivatives(…).value`.
    func value(pred: Double, target: Double) -> Double
    /// ℓ and its first and second derivative with respect to pred.
    func derivatives(pred: Double, target: Double) -> Derivatives
}

extension ElementwiseLoss {
    public static var predDomain: Domain { .real }
    public static var targetDomain: Domain { .real }
    @inlinable public var boundPredDomain: Domain { Self.predDomain }

    @inlinable
    public func value(pred: Double, target: Double) -> Double {
        derivatives(pred: pred, target: target).value
    }
}
