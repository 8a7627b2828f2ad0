import LossKit

/// What a trainer must know about an evaluation's gradient and Hessian before
/// it hands them on, found while each chunk is still in cache (the evaluation
/// asks for them with `ChunkGuards.facts`). Indices are of elements, row-major.
public struct DerivativeFacts: Sendable, Equatable {
    /// The first gradient element that is NaN or infinite.
    public var firstNonFiniteGradient: Int?
    /// The first Hessian element that is negative or NaN.
    public var firstBadHessian: Int?
    /// The first Hessian element that is 0.
    public var firstZeroHessian: Int?

    public init(firstNonFiniteGradient: Int? = nil, firstBadHessian: Int? = nil, firstZeroHessian: Int? = nil) {
        self.firstNonFiniteGradient = firstNonFiniteGradient
        self.firstBadHessian = firstBadHessian
        self.firstZeroHessian = firstZeroHessian
    }

    /// The facts of `count` elements starting at element `start`.
    @_specialize(where S == Double) @_specialize(where S == Float)
    static func of<S: KernelScalar>(gradient: UnsafePointer<S>?, hessian: UnsafePointer<S>?, start: Int, count: Int) -> Self {
        var facts = Self()
        if let gradient {
            facts.firstNonFiniteGradient = NonFiniteInput.first(gradient, count: count).map { start + $0 }
        }
        if let hessian {
            // Branch-free flags first (vectorisable); the search only when one is set.
            var bad: UInt8 = 0, zero: UInt8 = 0
            for i in 0..<count {
                let h = hessian[i]
                bad |= h >= 0 ? 0 : 1
                zero |= h == 0 ? 1 : 0
            }
            if bad != 0 { facts.firstBadHessian = (0..<count).first { !(hessian[$0] >= 0) }.map { start + $0 } }
            if zero != 0 { facts.firstZeroHessian = (0..<count).first { hessian[$0] == 0 }.map { start + $0 } }
        }
        return facts
    }

    /// These facts followed by those of later elements: the first of each.
    func then(_ later: Self) -> Self {
        Self(firstNonFiniteGradient: firstNonFiniteGradient ?? later.firstNonFiniteGradient,
             firstBadHessian: firstBadHessian ?? later.firstBadHessian,
             firstZeroHessian: firstZeroHessian ?? later.firstZeroHessian)
    }
}
