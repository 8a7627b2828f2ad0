import Foundation
import LossHostABI
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
import LossHostSystem
#endif

/// Where a worker writes its reports, and how the parent reads them back: one
/// JSON object per line, a `Codable` message type per kind of worker
/// (`ScanMessage`, the checker's `CheckMessage`).
///
/// Reports travel on the worker's standard-output pipe, but not through file
/// descriptor 1: `takeStandardOutput()` moves the pipe to a private
/// close-on-exec descriptor and points descriptor 1 at standard error, so a
/// plugin that prints to stdout, or closes it, cannot corrupt or cut the reports.
public final class WorkerChannel: Sendable {
    private let descriptor: FileDescriptor
    /// One whole line at a time, from any thread.
    private let writing = Mutex(())

    /// The status a worker exits with when its report channel is gone (a plugin closed it).
    public static let lostStatus: Int32 = 86

    /// Longest line decoded; longer lines are not reports.
    public static let maxLineBytes = 1 << 20

    /// A channel that writes to `descriptor` as it is.
    public init(descriptor: FileDescriptor) { self.descriptor = descriptor }

    /// Moves reports off descriptor 1 (call first thing in a worker, before any
    /// plugin code runs): the stdout pipe is duplicated to a close-on-exec
    /// descriptor >= 100 that only reports use, and descriptor 1 becomes a copy
    /// of standard error, where whatever plugin code prints then goes. If that
    /// cannot be done, reports stay on descriptor 1.
    public static func takeStandardOutput() -> WorkerChannel {
        guard let moved = try? FileDescriptor.standardOutput.duplicateCloseOnExec(atLeast: 100) else {
            return WorkerChannel(descriptor: .standardOutput)
        }
        fflush(nil)  // nothing buffered for the old stdout may land in the reports
        do {
            _ = try FileDescriptor.standardError.duplicate(as: .standardOutput)
        } catch {
            try? moved.close()
            return WorkerChannel(descriptor: .standardOutput)
        }
        return WorkerChannel(descriptor: moved)
    }

    /// Writes one message as one line (one `write` per line where the pipe
    /// allows), so the parent sees it before a crash. If the channel is gone,
    /// the worker exits with `lostStatus`: its parent reports that instead of waiting.
    public func send<Message: Encodable>(_ message: Message) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFinite
        guard let data = try? encoder.encode(message) else { return }
        let line = Array(data) + [UInt8(ascii: "\n")]
        writing.withLock { _ in
            do {
                _ = try descriptor.writeAll(line)
            } catch {
                let why = "losshost worker: cannot write a report (\(error)); did the plugin close it?\n"
                _ = try? FileDescriptor.standardError.writeAll(Array(why.utf8))
                ProcessExit.now(Self.lostStatus)
            }
        }
    }

    /// The message on one line of worker output; nil for anything else (noise,
    /// a line cut short, an unknown or malformed message, one over `maxLineBytes`).
    public static func decode<Message: Decodable>(_ type: Message.Type, from line: String) -> Message? {
        guard line.utf8.count <= maxLineBytes, line.hasPrefix("{") else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = nonFiniteDecoding
        return try? decoder.decode(Message.self, from: Data(line.utf8))
    }

    /// NaN and the infinities (an evaluation's value may be one), which JSON has no numbers for.
    private static let nonFinite = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    private static let nonFiniteDecoding = JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    /// The line written when a thread faults outside any plugin call.
    public static let faultLine = #"{"event":"fault"}"#

    /// The descriptor the fault handler writes to. A signal handler is given no
    /// context, so this one fact is process-wide; it is set once, by
    /// `reportFaultsOutsideCalls`, before any plugin code runs.
    private static let faultDescriptor = Atomic<Int32>(-1)
    private static let faultBytes = Array((faultLine + "\n").utf8)

    /// When a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) hits a
    /// thread that is not inside a plugin call (see `PluginCall`), e.g. a thread
    /// the plugin started, writes `faultLine` to this channel before the signal
    /// ends the worker, so the parent does not blame the stage the host happened to be in.
    public func reportFaultsOutsideCalls() {
        _ = PluginCall.inCall  // creates the thread key now, never in a signal handler
        _ = Self.faultBytes.count  // initialised now too
        Self.faultDescriptor.store(descriptor.rawValue, ordering: .sequentiallyConsistent)
        SignalAction.install({ signal in
            if !PluginCall.inCall {
                // write(2): it is async-signal-safe, and nothing here may allocate.
                let fd = WorkerChannel.faultDescriptor.load(ordering: .sequentiallyConsistent)
                WorkerChannel.faultBytes.withUnsafeBytes { SignalSafe.write(fd, $0.baseAddress!, $0.count) }
            }
            SignalAction.raise(signal)  // the handler is reset: the default action ends the worker with this signal
        }, for: [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT], options: [.resetHandler, .noDefer])
    }
}
