#if canImport(Glibc)
import Glibc
#endif

/// Whether a process is alive, for files named after the run that wrote them.
public enum ProcessExistence {
    /// Wraps `kill(pid, 0)`: false only when no such process exists (`ESRCH`);
    /// a process this one may not signal still counts as running.
    public static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
