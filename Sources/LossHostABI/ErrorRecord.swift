import CLossHost
import LossKit

/// The host-owned `lh_error` record handed to every call.
package enum ErrorRecord {
    package struct Failure: Error {
        package var status: lh_status
        package var message: String
        package var row: Int64
        package var column: Int32
        package var input: Int32

        package init(status: lh_status, message: String, row: Int64, column: Int32, input: Int32) {
            self.status = status
            self.message = message
            self.row = row
            self.column = column
            self.input = input
        }

        package var text: String {
            message.isEmpty ? "the plugin failed with status \(status) (\(statusName)) and no message" : message
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

    /// Calls `body` with a fresh record; nil on `LH_OK`, else what the plugin
    /// wrote, read back as one line of valid UTF-8.
    package static func call(_ body: (UnsafeMutablePointer<lh_error>) -> lh_status) -> Failure? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            buffer[0] = 0
            var record = lh_error(struct_size: UInt32(MemoryLayout<lh_error>.size), capacity: UInt32(capacity),
                                  message: buffer.baseAddress, row: -1, column: -1, input: Int32(LH_INPUT_NONE))
            let status = body(&record)
            if status == LH_OK { return nil }
            buffer[capacity - 1] = 0
            let length = buffer.firstIndex(of: 0) ?? 0
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: length)
            let message = String(decoding: bytes, as: UTF8.self)
                .split(whereSeparator: { $0.isNewline }).joined(separator: " ")
            return Failure(status: status, message: message, row: record.row, column: record.column, input: record.input)
        }
    }
}
