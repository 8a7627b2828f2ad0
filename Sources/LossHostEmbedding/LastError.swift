import CLossHost
#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's last error: the message with the C API's fix, the
/// message alone, and its kind code, kept as C strings that stay valid until
/// the thread's next error replaces them (or the thread ends).
enum LastError {
    private final class Record {
        let text: UnsafeMutablePointer<CChar>?
        let message: UnsafeMutablePointer<CChar>?
        let kind: Int32

        init(text: String, message: String, kind: Int32) {
            self.text = strdup(text)
            self.message = strdup(message)
            self.kind = kind
        }

        deinit {
            free(text)
            free(message)
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { stored in stored.map { Unmanaged<AnyObject>.fromOpaque($0).release() } }
        return key
    }()

    private static let empty: StaticString = ""

    /// Replaces this thread's error.
    static func set(text: String, message: String, kind: Int32) {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passRetained(Record(text: text, message: message, kind: kind)).toOpaque())
        if let previous { Unmanaged<Record>.fromOpaque(previous).release() }
    }

    private static var record: Record? {
        pthread_getspecific(key).map { Unmanaged<Record>.fromOpaque($0).takeUnretainedValue() }
    }

    /// This thread's message with the C API's fix, or "" when no call has failed on it.
    static var text: UnsafePointer<CChar> { cString(record?.text) }

    /// This thread's message without a fix, for clients that add their own.
    static var message: UnsafePointer<CChar> { cString(record?.message) }

    /// This thread's LH_HOST_ERROR_* code (LH_HOST_ERROR_OTHER when none).
    static var kind: Int32 { record?.kind ?? LH_HOST_ERROR_OTHER }

    private static func cString(_ stored: UnsafeMutablePointer<CChar>?) -> UnsafePointer<CChar> {
        if let stored { return UnsafePointer(stored) }
        return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
