import Foundation

/// Where the host's own output goes. Plugin code may print to, close or replace
/// descriptor 1; after `protect()` the host writes its results to a private
/// copy of standard output and descriptor 1 points at standard error, so a
/// plugin can neither corrupt the output nor make writing it fail.
enum Output {
    nonisolated(unsafe) private static var descriptor: Int32 = 1
    nonisolated(unsafe) private static var errorDescriptor: Int32 = 2

    /// Moves the host's standard output and error to private descriptors (wraps
    /// `fcntl(F_DUPFD_CLOEXEC)` and `dup2`): descriptor 1 then points at standard
    /// error, and a plugin that closes 1 or 2 silences neither.
    static func protect() {
        let copy = fcntl(1, F_DUPFD_CLOEXEC, 10)
        let errorCopy = fcntl(2, F_DUPFD_CLOEXEC, 10)
        if errorCopy >= 0 { errorDescriptor = errorCopy }
        guard copy >= 0 else { return }
        descriptor = copy
        _ = dup2(2, 1)
    }

    /// Writes all of `text` (wraps `write(2)`, retrying short writes and EINTR);
    /// a closed reader ends the process quietly, as `head` expects.
    static func write(_ text: String) {
        if let code = writeAll(text, to: descriptor) { exit(code == EPIPE ? 0 : 1) }
    }

    /// Writes `text` to standard error as is; a closed or lost standard error
    /// is ignored (the host must not die of it).
    static func error(_ text: String) {
        _ = writeAll(text, to: errorDescriptor)
    }

    static func warn(_ text: String) {
        error("losshost: warning: \(text)\n")
    }

    /// nil, or the errno that stopped the write.
    private static func writeAll(_ text: String, to fd: Int32) -> Int32? {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return n < 0 ? errno : EIO
            }
        }
        return nil
    }
}
