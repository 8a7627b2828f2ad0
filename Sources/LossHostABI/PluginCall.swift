import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Every call into plugin code (entry point, create, evaluate, destroy) goes
/// through `run`, which
/// - saves the floating-point environment before the call and, when the
///   plugin left its control state changed (rounding mode, MXCSR
///   flush-to-zero, …), puts it back and records what it found in `log`;
/// - marks the calling thread as being in a plugin call, so a worker that
///   crashes can tell a crash in a call from one in a thread the plugin started.
///
/// It costs two `fegetmode` per call (about 25 ns, measured; `fegetenv` would
/// be 650 ns): calls are per chunk of 32 k elements.
public enum PluginCall {
    static func run<R>(_ stage: String, log: PluginStateLog?, _ body: () -> R) -> R {
        guard let observer = Observer.current else { return restoringState(stage, log: log, body) }
        observer.call(stage, true)
        defer { observer.call(stage, false) }
        return restoringState(stage, log: log, body)
    }

    /// Has `observer` told when each call into plugin code starts (`true`) and ends
    /// (`false`), with its stage ("create", "evaluate", …): a worker reports calls as
    /// progress, a host names the call a plugin crashed in. Set once, before any plugin code runs.
    public static func observe(_ observer: @escaping @Sendable (_ stage: String, _ started: Bool) -> Void) {
        let box = Observer(observer)
        Observer.slot.withLock { $0 = box }
        Observer.installed.store(true, ordering: .releasing)
    }

    private static func restoringState<R>(_ stage: String, log: PluginStateLog?, _ body: () -> R) -> R {
        #if arch(x86_64)
        if FloatingPointState.Mode.available {
            let saved = FloatingPointState.Mode.current()
            CallMarker.enter()
            let result = body()
            CallMarker.leave()
            let now = FloatingPointState.Mode.current()
            let before = FloatingPointState(saved), after = FloatingPointState(now)
            if after != before {
                saved.restore()
                log?.record("left \(after.changes(from: before).joined(separator: ", ")) in \(stage)")
            }
            return result
        }
        #endif
        var saved = fenv_t()
        fegetenv(&saved)
        let before = FloatingPointState(saved)
        CallMarker.enter()
        let result = body()
        CallMarker.leave()
        var now = fenv_t()
        fegetenv(&now)
        let after = FloatingPointState(now)
        if after != before {
            fesetenv(&saved)
            log?.record("left \(after.changes(from: before).joined(separator: ", ")) in \(stage)")
        }
        return result
    }

    /// Whether the calling thread is inside `run` (safe to ask from a signal handler).
    public static var inCall: Bool { CallMarker.isSet }
}

/// The first change of process state a plugin left behind (thread-safe).
public final class PluginStateLog: Sendable {
    private let first = Mutex<String?>(nil)

    public init() {}

    func record(_ what: String) {
        first.withLock { if $0 == nil { $0 = what } }
    }

    /// The first change since the last `take`, and forgets it.
    public func take() -> String? {
        first.withLock { value in
            defer { value = nil }
            return value
        }
    }
}

/// The observer of plugin calls, if any: read without a lock until one is set.
/// A class, so that reading it back from the lock copies a reference: a bare
/// closure read and written back through `Mutex.withLock`'s inout gains a
/// reabstraction thunk per read, and calls grew slower until the stack overflowed.
private final class Observer: Sendable {
    static let installed = Atomic<Bool>(false)
    static let slot = Mutex<Observer?>(nil)
    static var current: Observer? {
        installed.load(ordering: .acquiring) ? slot.withLock { $0 } : nil
    }

    let call: @Sendable (String, Bool) -> Void
    init(_ call: @escaping @Sendable (String, Bool) -> Void) { self.call = call }
}

/// A thread-specific mark: set while the thread runs plugin code.
enum CallMarker {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    static func enter() { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
    static func leave() { pthread_setspecific(key, nil) }
    static var isSet: Bool { pthread_getspecific(key) != nil }
}
