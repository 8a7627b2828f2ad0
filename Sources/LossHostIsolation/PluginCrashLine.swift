import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import LossHostABI
import LossHostSystem

/// For a host that runs a plugin's code in its own process (`eval` without
/// `--isolate`, `compare`, `plot`, `fit`, `bench`): when a plugin call crashes
/// (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT or SIGTRAP on a thread inside a
/// call), one line instead of the runtime's backtrace, and exit status
/// `exitStatus(signal)`:
///
///     losshost: error: 'p/loss' crashed with SIGSEGV in evaluate; the next runs evaluate it in a separate worker process
///
/// (`eval`: the host's run mark, left in place, isolates those runs; other commands
/// point at `losshost check`). The lines are written before the named loss's code
/// runs; the signal handler only picks one and calls write(2) and _exit(2)
/// (`SignalSafe`, `ProcessExit`), both async-signal-safe. A fault outside plugin
/// calls, or in a call while no plugin loss is named (the host's own losses), goes
/// to the handler that was there before (the runtime's backtrace of a host bug).
public enum PluginCrashLine {
    /// 128 + the signal's number, as a shell reports a process that signal ended (139 for SIGSEGV).
    public static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    private static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
    /// The stages `PluginCall` names; any other is "a plugin call".
    private static let stages = ["its constructor", "its entry point", "create", "evaluate", "destroy"]
    private static let slotBytes = 1024
    /// Addresses: the lines of the named loss (0: none) and the handlers that were
    /// installed before.
    private static let installed = Atomic<Bool>(false)
    /// The tables made so far, by loss and what comes next: a loss named again reuses its own.
    private static let made = Mutex<[String: Int]>([:])
    private static let lines = Atomic<Int>(0)
    private static let previous = Atomic<Int>(0)
    private static let stage = Atomic<Int>(0)
    private static let descriptor = Atomic<Int32>(2)

    /// What the line tells the user to do next.
    public enum Next: Sendable {
        /// `eval`: its run mark makes the next runs evaluate the loss in a worker.
        case isolatedNextRuns
        /// Any other command: `losshost check` runs the loss in a worker.
        case check
    }

    /// Names the plugin loss `qualifiedID` in the line of a crash in any plugin call
    /// from now on (nil: none, for the host's own losses), writing to
    /// `errorDescriptor`. Call before the loss's code runs, again for each loss a
    /// command moves on to (calls of the previous loss must have ended). The first
    /// call that names a loss installs the handlers and observes plugin calls
    /// (`PluginCall.observe`); until then plugin calls are not observed.
    public static func install(_ qualifiedID: String?, errorDescriptor: Int32, next: Next = .isolatedNextRuns) {
        descriptor.store(errorDescriptor, ordering: .releasing)
        let address = qualifiedID.map { id in
            made.withLock { tables in
                let key = "\(next) \(id)"
                if let kept = tables[key] { return kept }
                let address = Int(bitPattern: table(id, next))
                tables[key] = address
                return address
            }
        }
        lines.store(address ?? 0, ordering: .releasing)
        guard qualifiedID != nil, !installed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = PluginCall.inCall  // creates the thread key now, never in the handler
        let saved = SavedSignalActions(count: signals.count)
        previous.store(saved.address, ordering: .releasing)
        PluginCall.observe { name, started in
            if started { stage.store(stages.firstIndex(of: name) ?? stages.count, ordering: .relaxed) }
        }
        // An alternate stack for this thread, so a stack overflow in a call still gets its line.
        SignalStack.installAlternate(bytes: 1 << 16)
        SignalAction.install(handle, for: signals, options: .onAlternateStack, saving: saved)
    }

    /// The lines for `qualifiedID`: a NUL-terminated slot per stage and signal. Lives as
    /// long as the process (a handler may be reading it after it was replaced).
    private static func table(_ qualifiedID: String, _ next: Next) -> UnsafeMutablePointer<UInt8> {
        let names = stages + ["a plugin call"]
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: names.count * signals.count * slotBytes)
        let then = switch next {
        case .isolatedNextRuns: "the next runs evaluate it in a separate worker process"
        case .check: "`losshost check \(qualifiedID)` runs it in a separate worker process"
        }
        for (s, name) in names.enumerated() {
            for (g, signal) in signals.enumerated() {
                let text = "losshost: error: '\(qualifiedID)' crashed with \(SignalName.of(signal)) in \(name); \(then)\n"
                let bytes = Array(text.utf8.prefix(slotBytes - 1)) + [0]
                let slot = table + (s * signals.count + g) * slotBytes
                bytes.withUnsafeBufferPointer { slot.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        return table
    }

    private static let handle: SignalHandler = { signal in
        let index: Int
        switch signal {
        case SIGSEGV: index = 0
        case SIGBUS: index = 1
        case SIGILL: index = 2
        case SIGFPE: index = 3
        case SIGABRT: index = 4
        default: index = 5
        }
        if PluginCall.inCall, let table = UnsafePointer<UInt8>(bitPattern: lines.load(ordering: .acquiring)) {
            let slot = table + (stage.load(ordering: .relaxed) * 6 + index) * slotBytes
            var count = 0
            while slot[count] != 0 { count += 1 }
            SignalSafe.write(descriptor.load(ordering: .acquiring), slot, count)
            ProcessExit.now(exitStatus(signal))
        }
        // Not a plugin call's crash: the handler from before takes it, when the signal is delivered again.
        if let saved = SavedSignalActions(address: previous.load(ordering: .acquiring)) {
            SignalAction.restore(signal, from: saved, at: index)
        }
        SignalAction.raise(signal)
    }
}
