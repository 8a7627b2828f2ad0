import CFFI
import LossHostABI
import LossKit

/// A C scalar type a manifest may name for an argument or a return value.
package enum ScalarCType: String, Sendable, CaseIterable {
    case double, float, int32, int64

    /// The spelling a manifest may use: `double`, `float`, `int32`, `int64`, and
    /// the `<stdint.h>` names `int32_t`, `int64_t`.
    init?(spelling: String) {
        switch spelling {
        case "double": self = .double
        case "float": self = .float
        case "int32", "int32_t": self = .int32
        case "int64", "int64_t": self = .int64
        default: return nil
        }
    }

    var isFloatingPoint: Bool { self == .double || self == .float }

    var ffiType: UnsafeMutablePointer<ffi_type> {
        switch self {
        case .double: lh_ffi_type_double()
        case .float: lh_ffi_type_float()
        case .int32: lh_ffi_type_sint32()
        case .int64: lh_ffi_type_sint64()
        }
    }

    /// The 8-byte slot pattern libffi reads an argument of this type from
    /// (little-endian: a 4-byte value sits in the low half). Nil when `x` is not
    /// representable (a fraction or an out-of-range number for an integer type).
    @inline(__always)
    func bits(_ x: Double) -> UInt64? {
        switch self {
        case .double: return x.bitPattern
        case .float: return UInt64(Float(x).bitPattern)
        case .int32: return Int32(exactly: x).map { UInt64(UInt32(bitPattern: $0)) }
        case .int64: return Int64(exactly: x).map { UInt64(bitPattern: $0) }
        }
    }

    /// `x` rounded to this type (for finite-difference steps in float).
    @inline(__always)
    func round(_ x: Double) -> Double { self == .float ? Double(Float(x)) : x }
}

/// The role of one C argument.
package enum ScalarArgRole: Equatable, Sendable {
    case pred, target
    /// The n-th declared parameter.
    case parameter(Int)
}


/// One C function signature shared by a loss's value, gradient and Hessian
/// functions, its prepared `ffi_cif`, and the function addresses.
///
/// The `ffi_cif` is prepared once, here, and the call path (`libffi`, or
/// `direct` for an all-`double` signature of 2…6 arguments) is chosen here
/// too. Evaluation writes the parameters into fixed argument slots once per
/// batch (on the stack), then per element calls with pred and target (libffi:
/// stored into their slots, the pointer array fixed per batch; direct: passed
/// as arguments) in a loop specialized per call path: no allocation, closure
/// or existential per element.
package final class ScalarFunction: @unchecked Sendable {
    package typealias CFunction = @convention(c) () -> Void

    let name: String
    let returns: ScalarCType
    let argTypes: [ScalarCType]
    let roles: [ScalarArgRole]
    package let value: CFunction
    package let gradient: CFunction?
    let hessian: CFunction?
    /// Never freed: instances may outlive any owner.
    let cif: UnsafeMutablePointer<ffi_cif>
    /// How elements are evaluated; `direct` only for an all-`double`
    /// signature of 2…6 arguments (and when the caller allows it).
    package let callPath: ScalarCallPath

    let predSlot: Int
    let targetSlot: Int
    let predType: ScalarCType
    let targetType: ScalarCType
    /// The slot of each declared parameter, in declaration order.
    let parameterSlots: [Int]

    package struct PrepareError: Error { package let status: UInt32 }

    /// The arities the direct path has a typed call for.
    static let directArities = 2...6

    /// Prepares the call interface. `roles` must hold exactly one `.pred` (a
    /// floating-point type), one `.target`, and parameters `0..<k` once each.
    /// `allowDirect: false` keeps every signature on libffi (for the benchmark
    /// and the tests that compare the two paths).
    package init(name: String, returns: ScalarCType, argTypes: [ScalarCType], roles: [ScalarArgRole],
         value: UnsafeRawPointer, gradient: UnsafeRawPointer?, hessian: UnsafeRawPointer?,
         allowDirect: Bool = true) throws(PrepareError) {
        precondition(argTypes.count == roles.count && returns.isFloatingPoint)
        self.name = name
        self.returns = returns
        self.argTypes = argTypes
        self.roles = roles
        self.value = unsafeBitCast(value, to: CFunction.self)
        self.gradient = gradient.map { unsafeBitCast($0, to: CFunction.self) }
        self.hessian = hessian.map { unsafeBitCast($0, to: CFunction.self) }
        predSlot = roles.firstIndex(of: .pred)!
        targetSlot = roles.firstIndex(of: .target)!
        predType = argTypes[predSlot]
        targetType = argTypes[targetSlot]
        var slots: [(Int, Int)] = []
        for (slot, role) in roles.enumerated() { if case .parameter(let k) = role { slots.append((k, slot)) } }
        parameterSlots = slots.sorted { $0.0 < $1.0 }.map(\.1)
        callPath = allowDirect && returns == .double && Self.directArities.contains(argTypes.count)
            && argTypes.allSatisfy({ $0 == .double }) ? .direct : .libffi

        // The cif is prepared for every signature, direct or not: the manifest
        // is validated the same way whichever path the calls take.
        let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: max(argTypes.count, 1))
        for (i, t) in argTypes.enumerated() { types[i] = t.ffiType }
        cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        let status = ffi_prep_cif(cif, FFI_DEFAULT_ABI, UInt32(argTypes.count), returns.ffiType, types)
        guard status == FFI_OK else { throw PrepareError(status: status.rawValue) }
    }

    /// Parameter values as argument slot patterns, in declaration order; throws
    /// for a value the C type cannot hold.
    func parameterBits(_ values: ParameterValues, _ parameters: [ParameterInfo]) throws(LossFailure) -> [UInt64] {
        var bits: [UInt64] = []
        for (k, p) in parameters.enumerated() {
            let type = argTypes[parameterSlots[k]]
            guard let b = type.bits(values[p.name]) else {
                throw LossFailure(.invalidArgument, "parameter \(p.name) = \(formatNumber(values[p.name])) does not fit C type \(type.rawValue)",
                                  input: .parameter, column: k)
            }
            bits.append(b)
        }
        return bits
    }

    /// Relative finite-difference steps: for differences of the value (first and
    /// second derivative from the same three calls) and of the gradient.
    private var valueStep: Double { singlePrecision ? 1e-2 : 1e-4 }
    private var gradientStep: Double { singlePrecision ? 3e-3 : 1e-5 }

    /// Computed in float32: a `float` pred or return type.
    var singlePrecision: Bool { predType == .float || returns == .float }

    /// Evaluates one batch element by element.
    func evaluate(_ b: Batch, parameters: [UInt64]) throws(LossFailure) -> Batch.Totals {
        let count = b.rows * b.predColumns
        guard count > 0, b.pred != nil, b.target != nil else { return .init(sum: 0, normalizer: 0) }
        let n = argTypes.count
        // Argument slots (8 bytes each) and the result, on the stack: once per batch.
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: n + 1) { (buffer) throws(LossFailure) -> Batch.Totals in
            let d = buffer.baseAddress!
            d.initialize(repeating: 0, count: n + 1)
            let slots = UnsafeMutableRawPointer(d)
            // A parameter's slot pattern: a double as it is, a float or an integer in the low bytes.
            for (k, slot) in parameterSlots.enumerated() { (slots + 8 * slot).storeBytes(of: parameters[k], as: UInt64.self) }
            if callPath == .direct {
                let p = predSlot, t = targetSlot
                if p == 0 && t == 1 {
                    switch n {
                    case 2: return try run(Direct2(d), b, slots)
                    case 3: return try run(Direct3(d), b, slots)
                    case 4: return try run(Direct4(d), b, slots)
                    case 5: return try run(Direct5(d), b, slots)
                    default: return try run(Direct6(d), b, slots)
                    }
                }
                switch n {
                case 2: return try run(Direct2Slots(slots: d, pred: p, target: t), b, slots)
                case 3: return try run(Direct3Slots(slots: d, pred: p, target: t), b, slots)
                case 4: return try run(Direct4Slots(slots: d, pred: p, target: t), b, slots)
                case 5: return try run(Direct5Slots(slots: d, pred: p, target: t), b, slots)
                default: return try run(Direct6Slots(slots: d, pred: p, target: t), b, slots)
                }
            }
            // The pointer array ffi_call reads: fixed for the whole batch.
            return try withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(n, 1)) {
                (args) throws(LossFailure) -> Batch.Totals in
                for k in 0..<n { args[k] = slots + 8 * k }
                let caller = FFICaller(cif: cif, args: args.baseAddress!, pred: slots + 8 * predSlot, result: slots + 8 * n,
                                       predFloat: predType == .float, returnsDouble: returns == .double)
                return try run(caller, b, slots)
            }
        }
    }

    /// The element loop, specialized for each caller. `slots` holds the
    /// parameters already; the caller passes pred and target per element
    /// (libffi: from their slots, stored here and in `call`).
    @inline(__always)
    private func run<C: ScalarCaller>(_ caller: C, _ b: Batch, _ slots: UnsafeMutableRawPointer) throws(LossFailure) -> Batch.Totals {
        let value = C.function(self.value), gradient = self.gradient.map(C.function), hessian = self.hessian.map(C.function)
        let d = b.predColumns
        let pred = b.pred!, target = b.target!, weight = b.weight
        let targetPointer = slots + 8 * targetSlot
        let targetDouble = targetType == .double
        let values = b.values, gradientOut = b.gradient, hessianOut = b.hessian
        let wantDerivatives = gradientOut != nil || hessianOut != nil
        let wantHessian = hessianOut != nil
        let valueStep = self.valueStep, gradientStep = self.gradientStep, predType = self.predType
        var sum = 0.0
        var weightSum = 0.0
        for r in 0..<b.rows {
            let w = weight?[r] ?? 1
            weightSum += w
            for i in r * d..<(r + 1) * d {
                let y = target[i]
                if targetDouble {
                    if C.usesTargetSlot { targetPointer.storeBytes(of: y, as: Double.self) }
                } else {
                    guard let bits = targetType.bits(y) else {
                        throw LossFailure(.domain, "target value \(formatNumber(y)) does not fit C type \(targetType.rawValue) of \(name)",
                                          input: .target, row: i / d, column: i % d)
                    }
                    targetPointer.storeBytes(of: bits, as: UInt64.self)
                }
                let p = pred[i]
                let f0 = caller.call(value, p, y)
                guard f0.isFinite else {
                    throw LossFailure(.domain, "\(name)(pred \(formatNumber(p)), target \(formatNumber(y))) returned \(formatNumber(f0))",
                                      input: .pred, row: i / d, column: i % d)
                }
                let v = w * f0
                values?[i] = v
                sum += v
                guard wantDerivatives else { continue }
                var g: Double, h = 0.0
                if let gradient {
                    g = caller.call(gradient, p, y)
                    if wantHessian {
                        if let hessian {
                            h = caller.call(hessian, p, y)
                        } else {
                            // Central difference of the gradient.
                            let step = gradientStep * max(1, abs(p))
                            let up = predType.round(p + step), down = predType.round(p - step)
                            h = (caller.call(gradient, up, y) - caller.call(gradient, down, y)) / (up - down)
                        }
                    }
                } else {
                    // Central differences of the value: f(p+s), f(p), f(p-s).
                    let step = valueStep * max(1, abs(p))
                    let up = predType.round(p + step), down = predType.round(p - step)
                    let fUp = caller.call(value, up, y), fDown = caller.call(value, down, y)
                    g = (fUp - fDown) / (up - down)
                    if wantHessian {
                        if let hessian {
                            h = caller.call(hessian, p, y)
                        } else {
                            let half = (up - down) / 2
                            h = (fUp - 2 * f0 + fDown) / (half * half)
                        }
                    }
                }
                gradientOut?[i] = w * g
                hessianOut?[i] = w * h
            }
        }
        return .init(sum: sum, normalizer: Double(d) * weightSum)
    }

    /// The loss as an ordinary LossKit export: the same table, instance and
    /// evaluate path as any Swift plugin.
    package func export(_ info: LossInfo) -> LossExport {
        LossExport(info: info) { [self] (values: ParameterValues) throws(LossFailure) -> LossExport.Evaluator in
            let bits = try parameterBits(values, info.parameters)
            return { [self] (batch: Batch) throws(LossFailure) -> Batch.Totals in try evaluate(batch, parameters: bits) }
        }
    }
}

/// One way of calling a loss's C function with pred `p`, target `y` and the
/// parameters as stored in the batch's slots. The element loop is generic over
/// it, so each caller gets its own specialized loop with no dynamic dispatch.
protocol ScalarCaller {
    associatedtype Function
    /// The typed form of a resolved symbol.
    static func function(_ f: ScalarFunction.CFunction) -> Function
    /// Whether `call` reads the target from its slot (else from `y`).
    static var usesTargetSlot: Bool { get }
    /// Calls `f` with pred `p` and target `y` (for the libffi path the loop
    /// has stored the target's slot pattern already, whatever its type).
    func call(_ f: Function, _ p: Double, _ y: Double) -> Double
}

/// `ffi_call` on the prepared cif, with the argument pointers fixed per batch.
struct FFICaller: ScalarCaller {
    let cif: UnsafeMutablePointer<ffi_cif>
    let args: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let pred: UnsafeMutableRawPointer
    let result: UnsafeMutableRawPointer
    let predFloat: Bool
    let returnsDouble: Bool

    static var usesTargetSlot: Bool { true }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> ScalarFunction.CFunction { f }

    @inline(__always) func call(_ f: ScalarFunction.CFunction, _ p: Double, _ y: Double) -> Double {
        if predFloat { pred.storeBytes(of: Float(p), as: Float.self) } else { pred.storeBytes(of: p, as: Double.self) }
        ffi_call(cif, f, result, args)
        return returnsDouble ? result.load(as: Double.self) : Double(result.load(as: Float.self))
    }
}

// Typed calls for all-double signatures: the same arguments libffi would
// pass, in declaration order. The usual order (pred, target, parameters…)
// passes pred and target straight in registers; any other order goes through
// the slots.

/// 2 doubles, pred first and target second: the parameters are read once.
struct Direct2: ScalarCaller {
    typealias Function = @convention(c) (Double, Double) -> Double
    init(_ slots: UnsafeMutablePointer<Double>) {
        _ = slots
    }
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double { f(p, y) }
}

/// 2 doubles, pred and target anywhere: through the slots.
struct Direct2Slots: ScalarCaller {
    typealias Function = @convention(c) (Double, Double) -> Double
    let slots: UnsafeMutablePointer<Double>, pred: Int, target: Int
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double {
        slots[pred] = p
        slots[target] = y
        return f(slots[0], slots[1])
    }
}

/// 3 doubles, pred first and target second: the parameters are read once.
struct Direct3: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double) -> Double
    let a2: Double
    init(_ slots: UnsafeMutablePointer<Double>) {
        a2 = slots[2]
    }
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double { f(p, y, a2) }
}

/// 3 doubles, pred and target anywhere: through the slots.
struct Direct3Slots: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double) -> Double
    let slots: UnsafeMutablePointer<Double>, pred: Int, target: Int
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double {
        slots[pred] = p
        slots[target] = y
        return f(slots[0], slots[1], slots[2])
    }
}

/// 4 doubles, pred first and target second: the parameters are read once.
struct Direct4: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double, Double) -> Double
    let a2: Double
    let a3: Double
    init(_ slots: UnsafeMutablePointer<Double>) {
        a2 = slots[2]
        a3 = slots[3]
    }
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double { f(p, y, a2, a3) }
}

/// 4 doubles, pred and target anywhere: through the slots.
struct Direct4Slots: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double, Double) -> Double
    let slots: UnsafeMutablePointer<Double>, pred: Int, target: Int
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double {
        slots[pred] = p
        slots[target] = y
        return f(slots[0], slots[1], slots[2], slots[3])
    }
}

/// 5 doubles, pred first and target second: the parameters are read once.
struct Direct5: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double, Double, Double) -> Double
    let a2: Double
    let a3: Double
    let a4: Double
    init(_ slots: UnsafeMutablePointer<Double>) {
        a2 = slots[2]
        a3 = slots[3]
        a4 = slots[4]
    }
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double { f(p, y, a2, a3, a4) }
}

/// 5 doubles, pred and target anywhere: through the slots.
struct Direct5Slots: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double, Double, Double) -> Double
    let slots: UnsafeMutablePointer<Double>, pred: Int, target: Int
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double {
        slots[pred] = p
        slots[target] = y
        return f(slots[0], slots[1], slots[2], slots[3], slots[4])
    }
}

/// 6 doubles, pred first and target second: the parameters are read once.
struct Direct6: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double, Double, Double, Double) -> Double
    let a2: Double
    let a3: Double
    let a4: Double
    let a5: Double
    init(_ slots: UnsafeMutablePointer<Double>) {
        a2 = slots[2]
        a3 = slots[3]
        a4 = slots[4]
        a5 = slots[5]
    }
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double { f(p, y, a2, a3, a4, a5) }
}

/// 6 doubles, pred and target anywhere: through the slots.
struct Direct6Slots: ScalarCaller {
    typealias Function = @convention(c) (Double, Double, Double, Double, Double, Double) -> Double
    let slots: UnsafeMutablePointer<Double>, pred: Int, target: Int
    static var usesTargetSlot: Bool { false }
    @inline(__always) static func function(_ f: ScalarFunction.CFunction) -> Function { unsafeBitCast(f, to: Function.self) }
    @inline(__always) func call(_ f: Function, _ p: Double, _ y: Double) -> Double {
        slots[pred] = p
        slots[target] = y
        return f(slots[0], slots[1], slots[2], slots[3], slots[4], slots[5])
    }
}
