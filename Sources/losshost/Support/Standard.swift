import Foundation

/// Where the host's own output goes. Plugin code may print to, close or replace
/// descriptor 1; after `protect()` the host writes its results to a private
/// copy of standard output and descriptor 1 points at standard error, so a
/// plugin can neither corrupt the output nor make writing it fail.
enum Output {
    nonisolated(unsafe) private static var descriptor: Int32 = 1

    /// Moves the host's standard output to a private descriptor (wraps `fcntl(F_DUPFD_CLOEXEC)` and `dup2`).
    static func protect() {
        let copy = fcntl(1, F_DUPFD_CLOEXEC, 10)
        guard copy >= 0 else { return }
        descriptor = copy
        _ = dup2(2, 1)
    }

    /// Writes all of `text` (wraps `write(2)`, retrying short writes and EINTR);
    /// a closed reader ends the process quietly, as `head` expects.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                exit(errno == EPIPE ? 0 : 1)
            }
        }
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("losshost: warning: \(text)\n".utf8))
    }
}
