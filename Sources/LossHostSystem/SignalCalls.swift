#if canImport(Glibc)
import Glibc
#endif

/// A signal handler: called with the signal's number on the thread it hit; it
/// may make async-signal-safe calls only (`SignalSafe`, `SignalAction.raise`).
package typealias SignalHandler = @convention(c) (Int32) -> Void

/// Signal dispositions, for handlers that must run on any thread.
package enum SignalAction {
    /// How a handler is installed (`sa_flags`).
    package struct Options: OptionSet, Sendable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }

        /// `SA_RESETHAND`: the default disposition is back as the handler starts.
        package static let resetHandler = Options(rawValue: Int32(bitPattern: UInt32(SA_RESETHAND)))
        /// `SA_NODEFER`: the signal is not blocked while its handler runs.
        package static let noDefer = Options(rawValue: Int32(SA_NODEFER))
        /// `SA_ONSTACK`: the handler runs on the thread's alternate stack (`SignalStack`), if it has one.
        package static let onAlternateStack = Options(rawValue: Int32(SA_ONSTACK))
    }

    /// Wraps `sigaction(signal, &action, &saved[i])` for each of `signals`: `handler`
    /// with `options` and an empty mask (`sigemptyset`); with `saved`, each
    /// previous disposition is kept there, in the order of `signals`.
    package static func install(_ handler: SignalHandler, for signals: [Int32], options: Options = [],
                                saving saved: SavedSignalActions? = nil) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = options.rawValue
        sigemptyset(&action.sa_mask)
        for (index, signal) in signals.enumerated() {
            sigaction(signal, &action, saved.map { $0.base + index })
        }
    }

    /// Wraps `sigaction(signal, &saved[index], nil)`: puts back a disposition `install` saved.
    @inline(__always)
    package static func restore(_ signal: Int32, from saved: SavedSignalActions, at index: Int) {
        sigaction(signal, saved.base + index, nil)
    }

    /// Wraps `signal(signal, SIG_IGN)`: the signal is ignored from now on.
    package static func ignore(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_IGN)
    }

    /// Wraps `raise(signal)`: the signal for the calling thread (async-signal-safe).
    @inline(__always)
    package static func raise(_ signal: Int32) {
        _ = Glibc.raise(signal)
    }
}

/// Dispositions `SignalAction.install` saved, kept for the life of the process:
/// a handler may need them at any time. A handler is given no context, so the
/// table also travels as an address (`address`, `init(address:)`).
package struct SavedSignalActions: @unchecked Sendable {
    fileprivate let base: UnsafeMutablePointer<sigaction>

    /// Room for `count` dispositions (never freed).
    package init(count: Int) {
        base = UnsafeMutablePointer<sigaction>.allocate(capacity: count)
        base.initialize(repeating: sigaction(), count: count)
    }

    /// The table's address, for a handler to find it (`init(address:)`).
    package var address: Int { Int(bitPattern: base) }

    /// The table at `address`; nil for 0 (none yet).
    package init?(address: Int) {
        guard let base = UnsafeMutablePointer<sigaction>(bitPattern: address) else { return nil }
        self.base = base
    }
}

/// Where a thread's signal handlers run.
package enum SignalStack {
    /// Wraps `sigaltstack(&stack, nil)`: an alternate stack of `bytes` for the
    /// calling thread (never freed), so a handler installed with
    /// `.onAlternateStack` still runs when the thread overflowed its own stack.
    package static func installAlternate(bytes: Int) {
        var stack = stack_t()
        stack.ss_size = bytes
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        sigaltstack(&stack, nil)
    }
}

/// The calls a signal handler makes besides `raise`: async-signal-safe, allocating nothing.
package enum SignalSafe {
    /// Wraps `write(fd, bytes, count)`, its result ignored (a handler cannot do anything about a failed write).
    @inline(__always)
    package static func write(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) {
        _ = Glibc.write(fd, bytes, count)
    }
}
