#if canImport(Glibc)
import Glibc
#endif

/// The conventional name of a signal number, e.g. 11 → "SIGSEGV".
public enum SignalName {
    public static func of(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGTRAP: "SIGTRAP"
        case SIGPIPE: "SIGPIPE"
        case SIGINT: "SIGINT"
        case SIGSYS: "SIGSYS"
        default: "signal \(signal)"
        }
    }
}
