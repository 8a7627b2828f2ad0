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

    /// Whether the kit should ask `refusal(pred:target:)` of every element (default false:
    /// the evaluation loop never asks, and costs nothing more).
    static var refusesElements: Bool { get }
    /// Why this instance cannot evaluate one element, e.g. "a * (pred - target) = 800
    /// overflows exp", or nil. Asked before the batch is evaluated, when `refusesElements`
    /// is true: the first refusal fails the call with LH_ERR_DOMAIN naming its row and
    /// column. Refuse exactly where an output would not be finite for finite inputs
    /// (`losshost check` fails LH_OK with an infinite or NaN output, and a refusal anywhere else).
    func refusal(pred: Double, target: Double) -> String?

    /// Whether the kit should call `evaluate(block:)` (default false: it calls
    /// `value` / `derivatives` per element, in Double).
    static var evaluatesBlocks: Bool { get }
    /// A block of elements at once, in the batch's own float type, with the
    /// block's vector math (`block.apply(.exp, x, into: y)`): write `value[i]`
    /// for every `i` in `block.indices` when `block.wantsValue`, and
    /// `gradient[i]`, `hessian[i]` when `block.wantsDerivatives` (a loss that
    /// writes the value anyway stays correct; skipping it saves what only the
    /// value costs, e.g. a log1p). Must give the same function as `derivatives`
    /// up to the vector math's rounding, and the same derivatives with or
    /// without the value. Used when `evaluatesBlocks` is true.
    func evaluate<S: KernelScalar>(block: ElementBlock<S>)
}

extension ElementwiseLoss {
    public static var predDomain: Domain { .real }
    public static var targetDomain: Domain { .real }
    @inlinable public var boundPredDomain: Domain { Self.predDomain }

    @inlinable
    public func value(pred: Double, target: Double) -> Double {
        derivatives(pred: pred, target: target).value
    }

    @inlinable public static var evaluatesBlocks: Bool { false }

    @inlinable public static var refusesElements: Bool { false }
    @inlinable public func refusal(pred: Double, target: Double) -> String? { nil }

    /// Per element through `derivatives` / `value`, in Double.
    @inlinable
    public func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
        if b.wantsDerivatives {
            for i in b.indices {
                let d = derivatives(pred: b.pred[i].asDouble, target: b.target[i].asDouble)
                b.value[i] = S(fromDouble: d.value)
                b.gradient[i] = S(fromDouble: d.gradient)
                b.hessian[i] = S(fromDouble: d.hessian)
            }
        } else {
            for i in b.indices {
                b.value[i] = S(fromDouble: value(pred: b.pred[i].asDouble, target: b.target[i].asDouble))
            }
        }
    }
}
