import Foundation
import LossHostIO
import LossHostIsolation
import Synchronization
import SystemPackage

/// Where the host's own output goes. Plugin code may print to, close or replace
/// descriptor 1; after `protect()` the host writes its results to a private
/// copy of standard output and descriptor 1 points at standard error, so a
/// plugin can neither corrupt the output nor make writing it fail.
///
/// The descriptors are process state, as the standard streams themselves are,
/// not host configuration: every command of this one process writes through them.
enum Output {
    private struct Streams {
        var output = FileDescriptor.standardOutput
        var error = FileDescriptor.standardError
    }
    private static let streams = Mutex(Streams())

    /// Moves the host's standard output and error to private close-on-exec
    /// descriptors (>= 10): descriptor 1 then points at standard error, and a
    /// plugin that closes 1 or 2 silences neither.
    static func protect() {
        streams.withLock { streams in
            if let errorCopy = try? FileDescriptor.standardError.duplicateCloseOnExec(atLeast: 10) { streams.error = errorCopy }
            guard let copy = try? FileDescriptor.standardOutput.duplicateCloseOnExec(atLeast: 10) else { return }
            streams.output = copy
            _ = try? FileDescriptor.standardError.duplicate(as: .standardOutput)
        }
    }

    /// The descriptor of the host's standard error (for a signal handler's line).
    static var errorDescriptor: Int32 { streams.withLock { $0.error.rawValue } }

    /// A report channel on the host's standard output (an isolated evaluation's worker reports on it first).
    static func channel() -> WorkerChannel { WorkerChannel(descriptor: streams.withLock { $0.output }) }

    /// Writes all of `text` (retrying short writes and EINTR); a closed reader
    /// ends the process quietly, as `head` expects.
    static func write(_ text: String) {
        if let code = writeAll(text, to: streams.withLock { $0.output }) { exit(code == .brokenPipe ? 0 : 1) }
    }

    /// Writes `text` to standard error as is; a closed or lost standard error
    /// is ignored (the host must not die of it).
    static func error(_ text: String) {
        _ = writeAll(text, to: streams.withLock { $0.error })
    }

    static func warn(_ text: String) {
        error("losshost: warning: \(text)\n")
    }

    /// nil, or the error that stopped the write.
    private static func writeAll(_ text: String, to fd: FileDescriptor) -> Errno? {
        do throws(Errno) {
            try FileCalls.writeAll(fd, Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }
}
