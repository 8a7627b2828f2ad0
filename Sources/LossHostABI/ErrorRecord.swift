import CLossHost
import LossModel
#if canImport(Glibc)
import Glibc
#endif

/// The host-owned `lh_error` record handed to every call.
package enum ErrorRecord {
    package struct Failure: Error {
        package var status: lh_status
        package var message: String
        package var row: Int64
        package var column: Int32
        package var input: Int32
        /// The call that failed: "create", "evaluate", …
        package var stage: String = "evaluate"
        /// The plugin wrote past the end of the message buffer (the message is the host's).
        package var overflow = false

        package init(status: lh_status, message: String, row: Int64, column: Int32, input: Int32,
                     stage: String = "evaluate", overflow: Bool = false) {
            self.status = status
            self.message = message
            self.row = row
            self.column = column
            self.input = input
            self.stage = stage
            self.overflow = overflow
        }

        package var text: String {
            if overflow { return message }
            if !Self.known(status) {
                return "the plugin returned an unknown status \(status) from \(stage)" + (message.isEmpty ? " and no message" : ": \(message)")
            }
            return message.isEmpty ? "the plugin failed with status \(status) (\(statusName)) and no message" : message
        }

        package static func known(_ status: lh_status) -> Bool {
            [LH_ERR_INVALID_ARGUMENT, LH_ERR_SHAPE, LH_ERR_DOMAIN, LH_ERR_NO_MEMORY, LH_ERR_UNSUPPORTED, LH_ERR_INTERNAL]
                .contains { lh_status($0) == status }
        }

        package var statusName: String {
            switch status {
            case lh_status(LH_ERR_INVALID_ARGUMENT): "invalid argument"
            case lh_status(LH_ERR_SHAPE): "shape"
            case lh_status(LH_ERR_DOMAIN): "domain"
            case lh_status(LH_ERR_NO_MEMORY): "no memory"
            case lh_status(LH_ERR_UNSUPPORTED): "unsupported"
            case lh_status(LH_ERR_INTERNAL): "internal"
            default: "unknown status"
            }
        }
    }

    package static let capacity = 1024
    /// Bytes past the message buffer that absorb an overrun; the first `canaryBytes` of them are checked.
    package static let slack = 16 << 10
    package static let canaryBytes = 64
    package static let canaryWord: UInt64 = 0x5A5A_5A5A_5A5A_5A5A

    /// Calls `body` (plugin code, in `stage`) through `PluginCall` with a fresh
    /// record; nil on `LH_OK`, else what the plugin wrote, read back as one line
    /// of valid UTF-8 with control characters escaped. A plugin that writes past the end of the message buffer
    /// fails with a message that says so, whatever it returned.
    package static func call(_ stage: String, log: PluginStateLog?, _ body: (UnsafeMutablePointer<lh_error>) -> lh_status) -> Failure? {
        let buffer = MessageBuffer.take()
        buffer[0] = 0
        let guardWords = UnsafeMutableRawPointer(buffer + capacity)
        guardWords.initializeMemory(as: UInt64.self, repeating: canaryWord, count: canaryBytes / 8)
        var record = lh_error(struct_size: UInt32(MemoryLayout<lh_error>.size), capacity: UInt32(capacity),
                              message: buffer, row: -1, column: -1, input: Int32(LH_INPUT_NONE))
        let status = PluginCall.run(stage, log: log) { body(&record) }
        var intact = true
        for i in 0..<canaryBytes / 8 where guardWords.load(fromByteOffset: i * 8, as: UInt64.self) != canaryWord { intact = false }
        if !intact {
            var end = capacity
            while end < capacity + slack && buffer[end] != 0 { end += 1 }
            // Not reused: the next scan for the end would find this plugin's bytes.
            buffer.deallocate()
            let beyond = end < capacity + slack ? "\(end + 1 - capacity) bytes" : "more than \(slack) bytes"
            return Failure(status: lh_status(LH_ERR_INTERNAL),
                           message: "the plugin wrote past the end of the error message buffer in \(stage) (\(beyond) beyond its capacity of \(capacity))",
                           row: -1, column: -1, input: Int32(LH_INPUT_NONE), stage: stage, overflow: true)
        }
        defer { MessageBuffer.giveBack(buffer) }
        if status == LH_OK { return nil }
        buffer[capacity - 1] = 0
        var length = 0
        while buffer[length] != 0 { length += 1 }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        // One line, and no control character that could move a terminal's cursor or forge output.
        let message = Printable.escaped(String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: { $0.isNewline }).joined(separator: " "))
        return Failure(status: status, message: message, row: record.row, column: record.column, input: record.input, stage: stage)
    }

    /// The message buffers of `call` (`capacity + slack` bytes, zeroed when made):
    /// one kept per thread and reused, so a call allocates nothing. A call made
    /// while the thread's buffer is in use (plugin code calling the host) gets a new one.
    private enum MessageBuffer {
        static let key: pthread_key_t = {
            var key = pthread_key_t()
            pthread_key_create(&key) { stored in stored.map { UnsafeMutableRawPointer($0).deallocate() } }
            return key
        }()

        static func take() -> UnsafeMutablePointer<CChar> {
            if let kept = pthread_getspecific(key) {
                pthread_setspecific(key, nil)
                return kept.assumingMemoryBound(to: CChar.self)
            }
            let made = UnsafeMutablePointer<CChar>.allocate(capacity: capacity + slack)
            made.initialize(repeating: 0, count: capacity + slack)
            return made
        }

        static func giveBack(_ buffer: UnsafeMutablePointer<CChar>) {
            if pthread_getspecific(key) == nil {
                pthread_setspecific(key, buffer)
            } else {
                buffer.deallocate()
            }
        }
    }
}
