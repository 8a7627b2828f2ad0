import Foundation
#if canImport(Glibc)
import Glibc
import LossHostIO
#endif

/// One line a worker prints: a JSON object with an "event" field. The parent
/// reads them back with `parse`.
///
/// Reports travel on the worker's standard-output pipe, but not through file
/// descriptor 1: `useDedicatedChannel()` moves the pipe to a private
/// close-on-exec descriptor and points descriptor 1 at standard error, so a
/// plugin that prints to stdout, or closes it, cannot corrupt or cut the reports.
public struct WorkerEvent: Sendable {
    public let strings: [String: String]
    public let numbers: [String: Double]

    /// The event's kind, e.g. "start", "result", "done".
    public var kind: String { strings["event"] ?? "" }

    public func string(_ key: String) -> String? { strings[key] }
    public func number(_ key: String) -> Double? { numbers[key] }

    /// A number field as an Int, nil unless it is a whole number in range
    /// (a report must never be able to trap the host with 1e300 or NaN).
    public func integer(_ key: String) -> Int? {
        guard let x = numbers[key], x.isFinite, x.rounded() == x, abs(x) < 1e15 else { return nil }
        return Int(x)
    }

    /// Longest line parsed; longer lines are not reports.
    static let maxLineBytes = 1 << 20

    /// The event on one line of worker output; nil for anything else.
    public static func parse(_ line: String) -> WorkerEvent? {
        guard line.utf8.count <= maxLineBytes, line.hasPrefix("{"),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        var strings: [String: String] = [:], numbers: [String: Double] = [:]
        for (key, value) in object {
            if let s = value as? String { strings[key] = s } else if let n = value as? NSNumber { numbers[key] = n.doubleValue }
        }
        return WorkerEvent(strings: strings, numbers: numbers)
    }

    /// Where reports are written: standard output until `useDedicatedChannel()`.
    nonisolated(unsafe) private static var channel: Int32 = 1

    private static let lock = NSLock()

    /// The status a worker exits with when its report channel is gone (a plugin closed it).
    public static let channelLostStatus: Int32 = 86

    /// Moves reports off descriptor 1 (call first thing in a worker, before any
    /// plugin code runs): the stdout pipe is duplicated to a close-on-exec
    /// descriptor >= 100 that only reports use, and descriptor 1 becomes a copy
    /// of standard error, where whatever plugin code prints then goes.
    public static func useDedicatedChannel() {
        let fd = fcntl(1, F_DUPFD_CLOEXEC, 100)
        guard fd >= 0 else { return }
        fflush(nil)  // nothing buffered for the old stdout may land in the reports
        guard dup2(2, 1) >= 0 else { close(fd); return }
        channel = fd
    }

    /// Prints one event line at once (one `write` per line), so the parent sees
    /// it before a crash. If the channel is gone, the worker exits with
    /// `channelLostStatus`: its parent reports that instead of waiting.
    public static func emit(_ kind: String, _ fields: [(String, JSON)]) {
        lock.lock()  // one whole line at a time, from any thread
        defer { lock.unlock() }
        let line = Array((JSON.object([("event", .string(kind))] + fields).text + "\n").utf8)
        var offset = 0
        while offset < line.count {
            let written = line[offset...].withUnsafeBufferPointer { write(channel, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let message = "losshost worker: cannot write a report (\(String(cString: strerror(errno)))); did the plugin close it?\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                _exit(channelLostStatus)
            }
            offset += written
        }
    }
}
