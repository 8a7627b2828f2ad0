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
            let (bad, zero) = S.self == Double.self
                ? flags(UnsafeRawPointer(hessian).assumingMemoryBound(to: Double.self), count)
                : flags(UnsafeRawPointer(hessian).assumingMemoryBound(to: Float.self), count)
            if bad { facts.firstBadHessian = (0..<count).first { !(hessian[$0] >= 0) }.map { start + $0 } }
            if zero { facts.firstZeroHessian = (0..<count).first { hessian[$0] == 0 }.map { start + $0 } }
        }
        return facts
    }

    /// Whether some of `count` values is negative or NaN, and whether some is 0:
    /// compares on the stdlib's concrete SIMD types (its generic SIMD code does
    /// not vectorise), then the tail one by one.
    private static func flags(_ x: UnsafePointer<Double>, _ count: Int) -> (bad: Bool, zero: Bool) {
        var bad = SIMDMask<SIMD4<Int64>>(repeating: false), zero = bad
        var i = 0
        while i + 4 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
            bad = bad .| .!(v .>= 0)
            zero = zero .| (v .== 0)
            i += 4
        }
        return tail(x, from: i, count, any(bad), any(zero))
    }

    private static func flags(_ x: UnsafePointer<Float>, _ count: Int) -> (bad: Bool, zero: Bool) {
        var bad = SIMDMask<SIMD8<Int32>>(repeating: false), zero = bad
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            bad = bad .| .!(v .>= 0)
            zero = zero .| (v .== 0)
            i += 8
        }
        return tail(x, from: i, count, any(bad), any(zero))
    }

    private static func tail<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, from start: Int, _ count: Int,
                                                     _ bad: Bool, _ zero: Bool) -> (bad: Bool, zero: Bool) {
        var bad = bad, zero = zero
        for i in start..<count {
            bad = bad || !(x[i] >= 0)
            zero = zero || x[i] == 0
        }
        return (bad, zero)
    }

    /// These facts followed by those of later elements: the first of each.
    func then(_ later: Self) -> Self {
        Self(firstNonFiniteGradient: firstNonFiniteGradient ?? later.firstNonFiniteGradient,
             firstBadHessian: firstBadHessian ?? later.firstBadHessian,
             firstZeroHessian: firstZeroHessian ?? later.firstZeroHessian)
    }
}
