import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A process resource limit, set with `setrlimit(2)`.
package enum ResourceLimit {
    case coreFileBytes, addressSpaceBytes

    private var resource: Int32 {
        switch self {
        case .coreFileBytes: Int32(RLIMIT_CORE.rawValue)
        case .addressSpaceBytes: Int32(RLIMIT_AS.rawValue)
        }
    }

    /// Wraps `setrlimit(resource, {value, value})`: soft and hard limit alike.
    package static func set(_ limit: ResourceLimit, to value: UInt64) throws(Errno) {
        var bounds = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        guard setrlimit(limit.resource, &bounds) == 0 else { throw Errno(rawValue: errno) }
    }
}

/// Pipes for a worker's output.
package enum Pipe {
    /// swift-system's `pipe()`, both ends then made close-on-exec: neither is
    /// inherited by a program started later (the two steps are not atomic: callers
    /// hold a lock against concurrent spawns).
    package static func closeOnExec() throws(Errno) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        let ends: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do { ends = try FileDescriptor.pipe() } catch { throw error as? Errno ?? .ioError }
        do throws(Errno) {
            try ends.readEnd.setCloseOnExec()
            try ends.writeEnd.setCloseOnExec()
        } catch {
            try? ends.readEnd.close()
            try? ends.writeEnd.close()
            throw error
        }
        return ends
    }

    /// The read end of a close-on-exec pipe that holds `bytes`, its write end
    /// already closed: the reader gets them, then EOF. They must fit the pipe
    /// (64 KiB on Linux); more fails with `EAGAIN` instead of blocking.
    package static func holding(_ bytes: [UInt8]) throws(Errno) -> FileDescriptor {
        let ends = try closeOnExec()
        defer { try? ends.writeEnd.close() }
        do {
            try ends.writeEnd.setNonBlocking()
            _ = try ends.writeEnd.writeAll(bytes)
        } catch {
            try? ends.readEnd.close()
            throw error as? Errno ?? .ioError
        }
        return ends.readEnd
    }
}

/// Starting and reaping worker processes.
package enum ProcessSpawn {
    /// The descriptor a child gets a forwarded one as (`start(…, forwarding:)`): the first after standard error.
    package static let forwardedNumber: Int32 = 3

    /// Wraps `posix_spawn`: runs `argv[0]` with `argv` and `environment`, standard
    /// input from `standardInput` (nil: /dev/null), standard output and error on the given descriptors,
    /// `forwarded` (if any; numbered above the other three) as the child's descriptor `forwardedNumber`,
    /// in a process group of its own (a plugin's kill(0, …) stays inside it), with
    /// no blocked signals and the signals the host ignores back to their defaults.
    package static func start(_ argv: [String], environment: [String: String], standardInput: FileDescriptor? = nil,
                      standardOutput: FileDescriptor, standardError: FileDescriptor,
                      forwarding forwarded: FileDescriptor? = nil) throws(Errno) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput.rawValue, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, standardOutput.rawValue, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError.rawValue, 2)
        if let forwarded { posix_spawn_file_actions_adddup2(&actions, forwarded.rawValue, forwardedNumber) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard code == 0 else { throw Errno(rawValue: code) }
        return pid
    }

    /// Wraps `wait4(pid, &status, waiting ? 0 : WNOHANG, &usage)`, retried on
    /// `EINTR`: the child's wait status and resource usage once it has ended,
    /// nil while it runs (or when it cannot be waited for).
    package static func reap(_ pid: pid_t, waiting: Bool) -> (status: Int32, usage: rusage)? {
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let result = wait4(pid, &status, waiting ? 0 : WNOHANG, &usage)
            if result == pid { return (status, usage) }
            if result < 0 && errno == EINTR { continue }
            return nil
        }
    }
}

/// Signals to processes and process groups.
package enum ProcessSignal {
    /// Wraps `kill(pid, signal)` (a negative pid: the process group -pid); false when it failed.
    @discardableResult
    package static func send(_ signal: Int32, to pid: pid_t) -> Bool { kill(pid, signal) == 0 }

    /// Wraps `kill(-group, 0)`: whether any process of the group is left.
    package static func groupExists(_ group: pid_t) -> Bool { kill(-group, 0) == 0 }
}

/// Waiting for descriptors.
package enum Poll {
    /// Wraps `poll(fds, count, timeout)`: the number of descriptors ready, 0 on time-out, -1 on error (errno set).
    package static func wait(_ fds: inout [pollfd], milliseconds timeout: Int32) -> Int32 {
        poll(&fds, nfds_t(fds.count), timeout)
    }
}

/// This process and its parent.
package enum ProcessIdentity {
    /// Wraps `getpid()`.
    package static var current: pid_t { getpid() }

    /// Wraps `getppid()`: changes when the parent ends (the process is re-parented).
    package static var parent: pid_t { getppid() }
}

/// Ending this process at once.
package enum ProcessExit {
    /// Wraps `_exit(status)`: no exit handlers, no buffers flushed; async-signal-safe.
    package static func now(_ status: Int32) -> Never { _exit(status) }
}

/// The clocks the host measures with.
package enum ClockTime {
    /// Wraps `clock_gettime(CLOCK_MONOTONIC)`, in seconds: never set back, for time limits.
    package static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Wraps `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`, in nanoseconds: the CPU time of every thread of the process.
    package static func processCPUNanoseconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
    }
}
