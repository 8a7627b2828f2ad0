import CVectorMath

/// An instruction-set level of the kit's vector math. Results may differ in
/// the last bits between levels (libmvec ≤ 4 ulp, scalar glibc ≤ 1 ulp), never
/// between runs, thread counts or batch splits at one level.
public enum VectorMathLevel: Int32, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Scalar glibc libm, one element at a time.
    case scalar = 1
    /// libmvec, 2 doubles / 4 floats per call.
    case sse2 = 2
    /// libmvec, 4 doubles / 8 floats per call (AVX2 and FMA).
    case avx2 = 3
    /// libmvec, 8 doubles / 16 floats per call (AVX-512F).
    case avx512 = 4

    /// The highest level this CPU and OS support (detected once).
    public static let best: VectorMathLevel = VectorMathLevel(rawValue: Int32(lhvm_detect_level().rawValue)) ?? .scalar

    /// Every level this machine can run, lowest first.
    public static var supported: [VectorMathLevel] { allCases.filter { $0 <= best } }

    public static func < (a: VectorMathLevel, b: VectorMathLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .scalar: "scalar"
        case .sse2: "sse2"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    @usableFromInline var c: lhvm_level { lhvm_level(rawValue: UInt32(rawValue)) }
}

/// A one-argument function of the vector math.
public enum VectorFunction: Sendable {
    case exp, log, log1p, expm1

    @usableFromInline var c: lhvm_function {
        switch self {
        case .exp: LHVM_EXP
        case .log: LHVM_LOG
        case .log1p: LHVM_LOG1P
        case .expm1: LHVM_EXPM1
        }
    }
}

/// Block-wise exp, log, log1p, expm1 and pow at one instruction-set level: a
/// value the kit passes down to every kernel (`ElementBlock.math`), so a test can
/// run the same loss at every level. Element i of a result depends only on
/// element i of the input and the level, not on the count or the alignment.
public struct VectorMath: Sendable, Equatable {
    /// The level the functions run at.
    public let level: VectorMathLevel

    /// The best level this machine has.
    public static let best = VectorMath(supported: VectorMathLevel.best)

    /// Math at `level`, or nil when this CPU cannot run it.
    public init?(level: VectorMathLevel) {
        guard level <= VectorMathLevel.best else { return nil }
        self.level = level
    }

    @usableFromInline init(supported level: VectorMathLevel) { self.level = level }

    /// y[i] = f(x[i]) for i < count (x and y may be the same buffer).
    public func apply(_ f: VectorFunction, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        lhvm_apply_f64(f.c, x, y, count, level.c)
    }

    /// y[i] = f(x[i]) for i < count, in float lanes.
    public func apply(_ f: VectorFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        lhvm_apply_f32(f.c, x, y, count, level.c)
    }

    /// z[i] = pow(x[i], y[i]) for i < count.
    public func pow(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>, count: Int) {
        lhvm_pow_f64(x, y, z, count, level.c)
    }

    /// z[i] = pow(x[i], y[i]) for i < count, in float lanes.
    public func pow(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int) {
        lhvm_pow_f32(x, y, z, count, level.c)
    }

    /// softplus(x), softplus(−x), σ(x) and σ(−x) of every x[i] (one exp and one
    /// log1p each; the outputs must not overlap x or each other).
    public func logistic(_ x: UnsafePointer<Double>, softplus: UnsafeMutablePointer<Double>,
                         softplusNeg: UnsafeMutablePointer<Double>, sigmoid: UnsafeMutablePointer<Double>,
                         sigmoidNeg: UnsafeMutablePointer<Double>, count: Int) {
        lhvm_logistic_f64(x, softplus, softplusNeg, sigmoid, sigmoidNeg, count, level.c)
    }

    /// The logistic parts in float lanes.
    public func logistic(_ x: UnsafePointer<Float>, softplus: UnsafeMutablePointer<Float>,
                         softplusNeg: UnsafeMutablePointer<Float>, sigmoid: UnsafeMutablePointer<Float>,
                         sigmoidNeg: UnsafeMutablePointer<Float>, count: Int) {
        lhvm_logistic_f32(x, softplus, softplusNeg, sigmoid, sigmoidNeg, count, level.c)
    }

    /// σ(x) and σ(−x) of every x[i] (one exp each, no log1p): bit for bit the
    /// sigmoids of `logistic`. The outputs must not overlap x or each other.
    public func sigmoid(_ x: UnsafePointer<Double>, sigmoid: UnsafeMutablePointer<Double>,
                        sigmoidNeg: UnsafeMutablePointer<Double>, count: Int) {
        lhvm_sigmoid_f64(x, sigmoid, sigmoidNeg, count, level.c)
    }

    /// The sigmoids in float lanes.
    public func sigmoid(_ x: UnsafePointer<Float>, sigmoid: UnsafeMutablePointer<Float>,
                        sigmoidNeg: UnsafeMutablePointer<Float>, count: Int) {
        lhvm_sigmoid_f32(x, sigmoid, sigmoidNeg, count, level.c)
    }

    /// The index of the first of `count` values outside [lower, upper] (each end
    /// open or closed), or nil; NaN counts as inside.
    public func firstOutside(_ x: UnsafePointer<Double>, count: Int, lower: Double, upper: Double,
                             lowerInclusive: Bool, upperInclusive: Bool) -> Int? {
        found(lhvm_first_outside_f64(x, count, lower, upper, lowerInclusive ? 1 : 0, upperInclusive ? 1 : 0, level.c), count)
    }

    /// The same over float values (compared as doubles).
    public func firstOutside(_ x: UnsafePointer<Float>, count: Int, lower: Double, upper: Double,
                             lowerInclusive: Bool, upperInclusive: Bool) -> Int? {
        found(lhvm_first_outside_f32(x, count, lower, upper, lowerInclusive ? 1 : 0, upperInclusive ? 1 : 0, level.c), count)
    }

    /// The index of the first value that is none of `members` (1 … 4 of them) and not NaN, or nil.
    public func firstNotMember(_ x: UnsafePointer<Double>, count: Int, _ members: [Double]) -> Int? {
        let m = Self.four(members)
        return found(lhvm_first_not_member_f64(x, count, m.0, m.1, m.2, m.3, level.c), count)
    }

    /// The same over float values.
    public func firstNotMember(_ x: UnsafePointer<Float>, count: Int, _ members: [Double]) -> Int? {
        let m = Self.four(members)
        return found(lhvm_first_not_member_f32(x, count, m.0, m.1, m.2, m.3, level.c), count)
    }

    /// The index of the first infinite or NaN value, or nil.
    public func firstNonFinite(_ x: UnsafePointer<Double>, count: Int) -> Int? {
        found(lhvm_first_nonfinite_f64(x, count, level.c), count)
    }

    /// The same over float values.
    public func firstNonFinite(_ x: UnsafePointer<Float>, count: Int) -> Int? {
        found(lhvm_first_nonfinite_f32(x, count, level.c), count)
    }

    private func found(_ index: Int, _ count: Int) -> Int? { index < count ? index : nil }

    /// 1 … 4 members as four (the last repeated).
    private static func four(_ m: [Double]) -> (Double, Double, Double, Double) {
        precondition(!m.isEmpty && m.count <= 4, "1 to 4 members")
        return (m[0], m[min(1, m.count - 1)], m[min(2, m.count - 1)], m[min(3, m.count - 1)])
    }

    /// The log-sum-exp parts of `rows` rows of `columns` values (row-major x):
    /// per row, `top` the index of its first maximum m, `max` = m, and `rest` the
    /// sum of e^{x_j − m} over every other j (in Double, in index order); every
    /// e^{x_j − m} is stored in `exps` (rows × columns values, not overlapping x),
    /// and the softmax in `probabilities` when given: bit for bit
    /// `scaleRows(exps, by: 1 / (1 + rest))`, in the same pass.
    public func softmaxRows(_ x: UnsafePointer<Double>, rows: Int, columns: Int, exps: UnsafeMutablePointer<Double>,
                            probabilities: UnsafeMutablePointer<Double>? = nil, max: UnsafeMutablePointer<Double>,
                            top: UnsafeMutablePointer<Int>, rest: UnsafeMutablePointer<Double>) {
        lhvm_softmax_rows_f64(x, rows, columns, exps, probabilities, max, top, rest, level.c)
    }

    /// The same over float rows, in float lanes (`max` and `rest` in Double).
    public func softmaxRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int, exps: UnsafeMutablePointer<Float>,
                            probabilities: UnsafeMutablePointer<Float>? = nil, max: UnsafeMutablePointer<Double>,
                            top: UnsafeMutablePointer<Int>, rest: UnsafeMutablePointer<Double>) {
        lhvm_softmax_rows_f32(x, rows, columns, exps, probabilities, max, top, rest, level.c)
    }

    /// y[r · columns + j] = x[r · columns + j] · factor[r] for every row r (y may be x).
    public func scaleRows(_ x: UnsafePointer<Double>, rows: Int, columns: Int, by factor: UnsafePointer<Double>,
                          into y: UnsafeMutablePointer<Double>) {
        lhvm_scale_rows_f64(x, rows, columns, factor, y, level.c)
    }

    /// The same over float rows (each factor rounded to float once).
    public func scaleRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int, by factor: UnsafePointer<Double>,
                          into y: UnsafeMutablePointer<Float>) {
        lhvm_scale_rows_f32(x, rows, columns, factor, y, level.c)
    }

    /// Applies `f` to every entry of a row in place.
    public func apply(_ f: VectorFunction, _ row: RowOutput) {
        lhvm_apply_f64(f.c, row.base, row.base, row.count, level.c)
    }
}

extension Double {
    public static func firstOutside(_ x: UnsafePointer<Double>, count: Int, _ domain: Domain, math: VectorMath) -> Int? {
        math.firstOutside(x, count: count, lower: domain.lower, upper: domain.upper,
                          lowerInclusive: domain.lowerInclusive, upperInclusive: domain.upperInclusive)
    }
    public static func firstNotMember(_ x: UnsafePointer<Double>, count: Int, _ members: [Double], math: VectorMath) -> Int? {
        math.firstNotMember(x, count: count, members)
    }
    public static func apply(_ f: VectorFunction, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int, math: VectorMath) {
        math.apply(f, x, y, count: count)
    }
    public static func pow(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>, count: Int, math: VectorMath) {
        math.pow(x, y, z, count: count)
    }
    public static func logistic(_ x: UnsafePointer<Double>, _ sp: UnsafeMutablePointer<Double>, _ spn: UnsafeMutablePointer<Double>,
                                _ sg: UnsafeMutablePointer<Double>, _ sgn: UnsafeMutablePointer<Double>, count: Int, math: VectorMath) {
        math.logistic(x, softplus: sp, softplusNeg: spn, sigmoid: sg, sigmoidNeg: sgn, count: count)
    }
    public static func sigmoid(_ x: UnsafePointer<Double>, _ sg: UnsafeMutablePointer<Double>, _ sgn: UnsafeMutablePointer<Double>,
                               count: Int, math: VectorMath) {
        math.sigmoid(x, sigmoid: sg, sigmoidNeg: sgn, count: count)
    }
}

extension Float {
    public static func firstOutside(_ x: UnsafePointer<Float>, count: Int, _ domain: Domain, math: VectorMath) -> Int? {
        math.firstOutside(x, count: count, lower: domain.lower, upper: domain.upper,
                          lowerInclusive: domain.lowerInclusive, upperInclusive: domain.upperInclusive)
    }
    public static func firstNotMember(_ x: UnsafePointer<Float>, count: Int, _ members: [Double], math: VectorMath) -> Int? {
        math.firstNotMember(x, count: count, members)
    }
    public static func apply(_ f: VectorFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, math: VectorMath) {
        math.apply(f, x, y, count: count)
    }
    public static func pow(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int, math: VectorMath) {
        math.pow(x, y, z, count: count)
    }
    public static func logistic(_ x: UnsafePointer<Float>, _ sp: UnsafeMutablePointer<Float>, _ spn: UnsafeMutablePointer<Float>,
                                _ sg: UnsafeMutablePointer<Float>, _ sgn: UnsafeMutablePointer<Float>, count: Int, math: VectorMath) {
        math.logistic(x, softplus: sp, softplusNeg: spn, sigmoid: sg, sigmoidNeg: sgn, count: count)
    }
    public static func sigmoid(_ x: UnsafePointer<Float>, _ sg: UnsafeMutablePointer<Float>, _ sgn: UnsafeMutablePointer<Float>,
                               count: Int, math: VectorMath) {
        math.sigmoid(x, sigmoid: sg, sigmoidNeg: sgn, count: count)
    }
}
