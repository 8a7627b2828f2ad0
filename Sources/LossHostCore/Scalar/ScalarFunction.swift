import CFFI
import LossKit

/// A C scalar type a manifest may name for an argument or a return value.
enum ScalarCType: String, Sendable, CaseIterable {
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
enum ScalarArgRole: Equatable, Sendable {
    case pred, target
    /// The n-th declared parameter.
    case parameter(Int)
}

/// One C function signature shared by a loss's value, gradient and Hessian
/// functions, its prepared `ffi_cif`, and the function addresses.
///
/// The `ffi_cif` is prepared once, here; evaluation only calls `ffi_call` with
/// argument slots allocated once per batch, never per element.
final class ScalarFunction: @unchecked Sendable {
    typealias CFunction = @convention(c) () -> Void

    let name: String
    let returns: ScalarCType
    let argTypes: [ScalarCType]
    let roles: [ScalarArgRole]
    let value: CFunction
    let gradient: CFunction?
    let hessian: CFunction?
    /// Never freed: instances may outlive any owner.
    let cif: UnsafeMutablePointer<ffi_cif>

    let predSlot: Int
    let targetSlot: Int
    let predType: ScalarCType
    let targetType: ScalarCType
    /// The slot of each declared parameter, in declaration order.
    let parameterSlots: [Int]

    struct PrepareError: Error { let status: UInt32 }

    /// Prepares the call interface. `roles` must hold exactly one `.pred` (a
    /// floating-point type), one `.target`, and parameters `0..<k` once each.
    init(name: String, returns: ScalarCType, argTypes: [ScalarCType], roles: [ScalarArgRole],
         value: UnsafeRawPointer, gradient: UnsafeRawPointer?, hessian: UnsafeRawPointer?) throws(PrepareError) {
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
        let d = b.predColumns
        let count = b.rows * d
        guard count > 0, let pred = b.pred, let target = b.target else { return .init(sum: 0, normalizer: 0) }

        // Argument slots and the pointer array ffi_call reads: once per batch.
        let n = argTypes.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 8 * (n + 2), alignment: 16)
        let args = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(n, 1))
        defer {
            storage.deallocate()
            args.deallocate()
        }
        for k in 0..<n { args[k] = storage + 8 * k }
        for (k, slot) in parameterSlots.enumerated() { (storage + 8 * slot).storeBytes(of: parameters[k], as: UInt64.self) }
        let predPointer = storage + 8 * predSlot
        let targetPointer = storage + 8 * targetSlot
        let result = storage + 8 * n
        let cif = self.cif, predType = self.predType, targetType = self.targetType, returnsDouble = returns == .double

        @inline(__always) func call(_ f: CFunction, _ p: Double) -> Double {
            switch predType {
            case .float: predPointer.storeBytes(of: Float(p), as: Float.self)
            default: predPointer.storeBytes(of: p, as: Double.self)
            }
            ffi_call(cif, f, result, args)
            return returnsDouble ? result.load(as: Double.self) : Double(result.load(as: Float.self))
        }

        let valueFunction = value, gradientFunction = gradient, hessianFunction = hessian
        let values = b.values, gradientOut = b.gradient, hessianOut = b.hessian
        let wantDerivatives = gradientOut != nil || hessianOut != nil
        let wantHessian = hessianOut != nil
        let valueStep = self.valueStep, gradientStep = self.gradientStep
        var sum = 0.0
        var weightSum = 0.0
        for r in 0..<b.rows {
            let w = b.weight?[r] ?? 1
            weightSum += w
            for i in r * d..<(r + 1) * d {
                let y = target[i]
                if targetType == .double {
                    targetPointer.storeBytes(of: y, as: Double.self)
                } else {
                    guard let bits = targetType.bits(y) else {
                        throw LossFailure(.domain, "target value \(formatNumber(y)) does not fit C type \(targetType.rawValue) of \(name)",
                                          input: .target, row: i / d, column: i % d)
                    }
                    targetPointer.storeBytes(of: bits, as: UInt64.self)
                }
                let p = pred[i]
                let f0 = call(valueFunction, p)
                guard f0.isFinite else {
                    throw LossFailure(.domain, "\(name)(pred \(formatNumber(p)), target \(formatNumber(y))) returned \(formatNumber(f0))",
                                      input: .pred, row: i / d, column: i % d)
                }
                let v = w * f0
                values?[i] = v
                sum += v
                guard wantDerivatives else { continue }
                var g: Double, h = 0.0
                if let gradientFunction {
                    g = call(gradientFunction, p)
                    if wantHessian {
                        if let hessianFunction {
                            h = call(hessianFunction, p)
                        } else {
                            // Central difference of the gradient.
                            let step = gradientStep * max(1, abs(p))
                            let up = predType.round(p + step), down = predType.round(p - step)
                            h = (call(gradientFunction, up) - call(gradientFunction, down)) / (up - down)
                        }
                    }
                } else {
                    // Central differences of the value: f(p+s), f(p), f(p-s).
                    let step = valueStep * max(1, abs(p))
                    let up = predType.round(p + step), down = predType.round(p - step)
                    let fUp = call(valueFunction, up), fDown = call(valueFunction, down)
                    g = (fUp - fDown) / (up - down)
                    if wantHessian {
                        if let hessianFunction {
                            h = call(hessianFunction, p)
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
    func export(_ info: LossInfo) -> LossExport {
        LossExport(info: info) { [self] (values: ParameterValues) throws(LossFailure) -> LossExport.Evaluator in
            let bits = try parameterBits(values, info.parameters)
            return { [self] (batch: Batch) throws(LossFailure) -> Batch.Totals in try evaluate(batch, parameters: bits) }
        }
    }
}
