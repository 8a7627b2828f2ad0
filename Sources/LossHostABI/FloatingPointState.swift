#if canImport(Glibc)
import Glibc
#endif

/// The control part of the floating-point environment: what a plugin could
/// leave changed to alter every later result of the host and of other plugins
/// (rounding mode, flush-to-zero, denormals-are-zero, exception traps,
/// precision). The exception flags are not part of it: they change in any
/// arithmetic.
struct FloatingPointState: Equatable {
    #if arch(x86_64)
    /// x87 control word: exception masks (0-5), precision (8-9), rounding (10-11).
    var x87Control: UInt16
    /// MXCSR without its flag bits: DAZ (6), masks (7-12), rounding (13-14), FTZ (15).
    var mxcsr: UInt32

    init(_ env: fenv_t) {
        x87Control = env.__control_word & 0x0F3F
        mxcsr = env.__mxcsr & 0xFFC0
    }

    init(_ mode: Mode) {
        x87Control = mode.x87Control & 0x0F3F
        mxcsr = mode.mxcsr & 0xFFC0
    }

    /// glibc's `femode_t` on x86_64 (the control words only, no flags), read and
    /// set with `fegetmode` / `fesetmode`: about 12 ns a read, where `fegetenv`
    /// takes 300 (it stores the whole x87 environment). Swift's Glibc module does
    /// not declare them, so they are looked up once.
    struct Mode {
        var x87Control: UInt16 = 0
        var reserved: UInt16 = 0
        var mxcsr: UInt32 = 0

        private typealias Function = @convention(c) (UnsafeMutableRawPointer) -> Int32
        private static let getMode: Function? = dlsym(nil, "fegetmode").map { unsafeBitCast($0, to: Function.self) }
        private static let setMode: Function? = dlsym(nil, "fesetmode").map { unsafeBitCast($0, to: Function.self) }
        static var available: Bool { getMode != nil && setMode != nil }

        static func current() -> Mode {
            var mode = Mode()
            _ = withUnsafeMutableBytes(of: &mode) { getMode!($0.baseAddress!) }
            return mode
        }

        func restore() {
            var mode = self
            _ = withUnsafeMutableBytes(of: &mode) { Mode.setMode!($0.baseAddress!) }
        }
    }
    #else
    var rounding: Int32
    var exceptions: Int32

    init(_ env: fenv_t) {
        rounding = fegetround()
        exceptions = 0
    }
    #endif

    /// What is different from `before`, in words: "the rounding mode FE_UPWARD",
    /// "MXCSR flush-to-zero on", ….
    func changes(from before: FloatingPointState) -> [String] {
        #if arch(x86_64)
        var out: [String] = []
        let rounding = (mxcsr >> 13) & 3, oldRounding = (before.mxcsr >> 13) & 3
        let x87Rounding = UInt32(x87Control >> 10) & 3, oldX87Rounding = UInt32(before.x87Control >> 10) & 3
        if rounding != oldRounding {
            out.append("the rounding mode \(Self.roundingName(rounding))")
        } else if x87Rounding != oldX87Rounding {
            out.append("the x87 rounding mode \(Self.roundingName(x87Rounding))")
        }
        for (bit, name) in [(UInt32(15), "flush-to-zero"), (6, "denormals-are-zero")] where (mxcsr ^ before.mxcsr) >> bit & 1 != 0 {
            out.append("MXCSR \(name) \(mxcsr >> bit & 1 != 0 ? "on" : "off")")
        }
        if (mxcsr ^ before.mxcsr) & 0x1F80 != 0 || (x87Control ^ before.x87Control) & 0x3F != 0 {
            out.append("floating-point exception traps changed (MXCSR 0x\(String(mxcsr, radix: 16)), x87 control 0x\(String(x87Control, radix: 16)))")
        }
        if (x87Control ^ before.x87Control) & 0x0300 != 0 { out.append("the x87 precision control changed") }
        return out
        #else
        return rounding == before.rounding ? [] : ["the rounding mode \(rounding)"]
        #endif
    }

    static func roundingName(_ code: UInt32) -> String {
        ["FE_TONEAREST", "FE_DOWNWARD", "FE_UPWARD", "FE_TOWARDZERO"][Int(code & 3)]
    }
}
