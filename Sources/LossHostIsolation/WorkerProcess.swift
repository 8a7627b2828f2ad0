import Foundation
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif
import LossHostEngine
import LossHostSystem

/// Runs a worker executable (`losshost-worker KIND`, its request as JSON on
/// standard input; see `WorkerRequest`) and watches it: collects the lines it
/// prints, kills it when it has been silent longer than the timeout, and reports
/// how it ended. The worker is started with `posix_spawn`, never with `fork` of
/// this threaded process.
///
/// Whatever the worker does, the host stays within bounds:
/// - it runs in a process group of its own, and the whole group is killed when
///   it ends or times out; a process it left behind is reported (`leftover`);
/// - once it has exited its pipes are read for a short grace only, never until
///   EOF, so a detached grandchild that holds them cannot make the host wait;
/// - its address space is limited (`memoryMiB`, applied by the worker before it
///   loads plugin code), and a crash near that limit is reported as such;
/// - reports (standard output) beyond `outputLimit` bytes end the worker,
///   standard error is kept up to `errorLimit` bytes and the rest dropped, and
///   only reports count as progress, so a plugin that loops printing still times out.
public struct WorkerProcess: Sendable {
    /// What the worker printed and how it ended.
    public struct Run: Sendable {
        public var lines: [String]
        /// Standard output exactly as printed.
        public var stdout: String
        public var stderr: String
        public var outcome: WorkerOutcome
        /// What the worker left behind, when it did: "left a process running (killed it)".
        public var leftover: String?
    }

    public let executable: String
    /// Seconds the worker may go without printing a line.
    public let timeout: Double
    /// Seconds the whole run may take, for a worker that reports progress: then silence
    /// longer than `timeout` is a stall (`.stalled`), this limit a timeout. nil: none.
    public let wallClock: Double?
    /// Bytes of standard output the worker may write before it is killed.
    public let outputLimit: Int
    /// Bytes of standard error kept; the rest is read and dropped.
    public let errorLimit: Int
    /// The worker's address-space limit in MiB; 0 for none.
    public let memoryMiB: Int

    /// The output limit for workers that print only reports (scan, check): far
    /// more than any report, far less than a host can be made to hold.
    public static let reportLimit = 16 << 20
    /// The standard error kept by default.
    public static let defaultErrorLimit = 256 << 10
    /// The start of `stderr` when the worker could not be started (it is missing, say).
    public static let cannotStart = "cannot start a worker"
    /// How long the pipes are still read after the worker exited.
    static let drainGrace = 0.3

    public init(timeout: Double, wallClock: Double? = nil, executable: String? = nil, outputLimit: Int = WorkerProcess.reportLimit,
                errorLimit: Int = WorkerProcess.defaultErrorLimit, memoryMiB: Int = WorkerLimits.defaultMemoryMiB) {
        self.timeout = timeout
        self.wallClock = wallClock
        self.executable = executable ?? PluginSearchPath.currentExecutablePath() ?? CommandLine.arguments[0]
        self.outputLimit = outputLimit
        self.errorLimit = errorLimit
        self.memoryMiB = memoryMiB
    }

    /// The same worker with another timeout.
    public func with(timeout: Double) -> WorkerProcess {
        WorkerProcess(timeout: timeout, wallClock: wallClock, executable: executable, outputLimit: outputLimit, errorLimit: errorLimit,
                      memoryMiB: memoryMiB)
    }

    /// Starts `executable REQUEST-KIND`, with the request on its standard input, and waits for it to end.
    /// With `forwardingStandardInput`, the worker gets this process's standard input as
    /// descriptor 3 (see `WorkerRequestCoding.takeForwardedStandardInput`).
    public func run<Request: WorkerRequest>(_ request: Request, forwardingStandardInput: Bool = false) -> Run {
        let input: [UInt8]
        do {
            input = try WorkerRequestCoding.encode(request)
        } catch {
            return Run(lines: [], stdout: "", stderr: "cannot encode a worker request: \(error)", outcome: .exited(127), leftover: nil)
        }
        return run([Request.kind], input: input, forwardingStandardInput: forwardingStandardInput)
    }

    /// Starts `executable ARGUMENTS`, `input` on its standard input (none: /dev/null), and waits for it to end.
    public func run(_ arguments: [String], input: [UInt8]? = nil, forwardingStandardInput: Bool = false) -> Run {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash must end the worker at once
        environment[WorkerLimits.memoryVariable] = memoryMiB > 0 ? String(memoryMiB) : nil
        let child: SpawnedWorker
        do throws(Errno) {
            child = try SpawnedWorker.start([executable] + arguments, input: input, environment: environment,
                                            forwarding: forwardingStandardInput ? .standardInput : nil)
        } catch {
            return Run(lines: [], stdout: "", stderr: "\(Self.cannotStart): \(error)", outcome: .exited(127), leftover: nil)
        }
        var collector = Collector(outputLimit: outputLimit, errorLimit: errorLimit)
        let startedAt = Self.now()
        var lastActivity = startedAt
        var endedAt: Double? = nil
        var status: Int32 = 0
        var usage = rusage()
        var killedFor: WorkerOutcome? = nil
        var peakKiB = 0
        var leftover: String? = nil
        var open = [child.out, child.err]
        while true {
            let progressed = Self.drain(&open, child: child, into: &collector, wait: endedAt == nil ? 20 : 10)
            if progressed { lastActivity = Self.now() }
            if endedAt == nil {
                peakKiB = max(peakKiB, Self.peakKiB(child.pid))
                if let ended = ProcessSpawn.reap(child.pid, waiting: false) {
                    (status, usage) = ended
                    endedAt = Self.now()
                    peakKiB = max(peakKiB, Int(usage.ru_maxrss))
                    leftover = Self.killGroup(child.pid, reportingLeftover: true)
                } else if collector.over {
                    killedFor = .outputLimit(bytes: outputLimit)
                } else if let wallClock, Self.now() - startedAt > wallClock {
                    killedFor = .timedOut(seconds: wallClock)
                } else if Self.now() - lastActivity > timeout {
                    killedFor = wallClock == nil ? .timedOut(seconds: timeout) : .stalled(seconds: timeout)
                }
                if killedFor != nil {
                    _ = Self.killGroup(child.pid, reportingLeftover: false)
                    ProcessSignal.send(SIGKILL, to: child.pid)
                    if let ended = ProcessSpawn.reap(child.pid, waiting: true) { (status, usage) = ended }
                    endedAt = Self.now()
                }
            } else if open.isEmpty {
                break
            } else if Self.now() - endedAt! > Self.drainGrace {
                // Someone outside its group still holds the pipes: stop reading, do not wait for EOF.
                leftover = leftover ?? "left a process holding its output after it exited (one that left the worker's process group)"
                break
            }
        }
        for fd in open { try? fd.close() }
        if killedFor == nil && collector.over { killedFor = .outputLimit(bytes: outputLimit) }
        var outcome: WorkerOutcome
        if let killedFor {
            outcome = killedFor
        } else if (status & 0x7f) != 0 {
            outcome = .signaled(SignalName.of(status & 0x7f))
        } else {
            outcome = .exited((status >> 8) & 0xff)
        }
        if memoryMiB > 0, Self.failedLikeOutOfMemory(outcome), peakKiB >= memoryMiB * 1024 * 3 / 4 {
            outcome = .memoryLimit(mib: memoryMiB)
        }
        let (stdout, stderr) = collector.contents
        let text = String(decoding: stdout, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        return Run(lines: lines, stdout: text, stderr: String(decoding: stderr, as: UTF8.self), outcome: outcome, leftover: leftover)
    }

    /// A crash, or an exit that is neither success nor the host's own error status.
    private static func failedLikeOutOfMemory(_ outcome: WorkerOutcome) -> Bool {
        switch outcome {
        case .signaled: true
        case .exited(let code): code != 0 && code != 1 && code != WorkerChannel.lostStatus
        default: false
        }
    }

    /// Kills what is left of the worker's process group; with `reportingLeftover`,
    /// says so when something was (a zombie about to be reaped gets a moment first).
    private static func killGroup(_ group: pid_t, reportingLeftover: Bool) -> String? {
        guard ProcessSignal.groupExists(group) else { return nil }
        if reportingLeftover {
            usleep(20_000)
            guard ProcessSignal.groupExists(group) else { return nil }
        }
        ProcessSignal.send(SIGKILL, to: -group)
        return reportingLeftover ? "left a process running (killed it)" : nil
    }

    /// Reads what the open pipes hold, waiting at most `wait` ms for something;
    /// closes a pipe at EOF. True when standard output brought something.
    private static func drain(_ open: inout [FileDescriptor], child: SpawnedWorker, into collector: inout Collector, wait: Int32) -> Bool {
        guard !open.isEmpty else { return false }
        var fds = open.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        let ready = Poll.wait(&fds, milliseconds: wait)
        guard ready > 0 else { return false }
        var progressed = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        for entry in fds where entry.revents != 0 {
            let fd = FileDescriptor(rawValue: entry.fd)
            while true {
                let n: Int
                do {
                    n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
                } catch Errno.resourceTemporarilyUnavailable {
                    break
                } catch {
                    n = 0  // a read error ends the pipe like EOF
                }
                if n > 0 {
                    let isOut = fd == child.out
                    if isOut { progressed = true }
                    collector.append(chunk[0..<n], toOut: isOut)
                    if n < chunk.count { break }
                } else {
                    try? fd.close()
                    open.removeAll { $0 == fd }
                    break
                }
            }
        }
        return progressed
    }

    /// The largest address space (VmPeak) the process has had, in KiB; 0 when unknown.
    private static func peakKiB(_ pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmPeak:") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }

    private static func now() -> Double { ClockTime.monotonicSeconds() }
}

/// A worker started with `posix_spawn` in a process group of its own, standard
/// input from a pipe that holds its whole request (or /dev/null), standard
/// output and error on non-blocking pipes.
private struct SpawnedWorker {
    let pid: pid_t
    let out: FileDescriptor
    let err: FileDescriptor

    /// Held from creating the pipes until they are close-on-exec and the worker
    /// started, so no worker started at the same time inherits another's pipes.
    private static let spawnLock = Mutex(())

    static func start(_ argv: [String], input: [UInt8]?, environment: [String: String],
                      forwarding forwarded: FileDescriptor?) throws(Errno) -> SpawnedWorker {
        try spawnLock.withLock { _ throws(Errno) in
            // Written whole before the worker starts: the host never waits on it, nor gets SIGPIPE.
            let inPipe = try input.map { bytes throws(Errno) in try Pipe.holding(bytes) }
            defer { try? inPipe?.close() }
            // A copy numbered above every descriptor the child's standard streams come from, so
            // making it the child's descriptor 3 (after 0, 1 and 2) cannot clobber one of them.
            let copy = try forwarded.map { fd throws(Errno) in try fd.duplicateCloseOnExec(atLeast: 10) }
            defer { try? copy?.close() }
            return try startLocked(argv, standardInput: inPipe, forwarding: copy, environment: environment)
        }
    }

    private static func startLocked(_ argv: [String], standardInput: FileDescriptor?, forwarding forwarded: FileDescriptor?,
                                    environment: [String: String]) throws(Errno) -> SpawnedWorker {
        let outPipe = try Pipe.closeOnExec()
        let errPipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do { errPipe = try Pipe.closeOnExec() } catch {
            try? outPipe.readEnd.close()
            try? outPipe.writeEnd.close()
            throw error
        }
        let spawned = Result { () throws(Errno) in
            try ProcessSpawn.start(argv, environment: environment, standardInput: standardInput, standardOutput: outPipe.writeEnd,
                                   standardError: errPipe.writeEnd, forwarding: forwarded)
        }
        try? outPipe.writeEnd.close()
        try? errPipe.writeEnd.close()
        switch spawned {
        case .success(let pid):
            for end in [outPipe.readEnd, errPipe.readEnd] { try? end.setNonBlocking() }
            return SpawnedWorker(pid: pid, out: outPipe.readEnd, err: errPipe.readEnd)
        case .failure(let error):
            try? outPipe.readEnd.close()
            try? errPipe.readEnd.close()
            throw error
        }
    }
}

/// Output gathered from the worker's pipes, within limits: standard output up
/// to `outputLimit` (then the worker is killed), standard error up to
/// `errorLimit` (then counted and dropped).
private struct Collector {
    private var out = Data(), err = Data()
    private var droppedErr = 0
    private let outputLimit: Int, errorLimit: Int
    private(set) var over = false

    init(outputLimit: Int, errorLimit: Int) {
        self.outputLimit = outputLimit
        self.errorLimit = errorLimit
    }

    mutating func append(_ data: ArraySlice<UInt8>, toOut: Bool) {
        if toOut {
            if out.count + data.count > outputLimit {
                over = true
                out.append(contentsOf: data.prefix(max(0, outputLimit - out.count)))
            } else {
                out.append(contentsOf: data)
            }
        } else {
            let room = max(0, errorLimit - err.count)
            err.append(contentsOf: data.prefix(room))
            droppedErr += data.count - min(room, data.count)
        }
    }

    var contents: (Data, Data) {
        guard droppedErr > 0 else { return (out, err) }
        return (out, err + Data("\n[losshost: \(droppedErr) more bytes of standard error dropped]\n".utf8))
    }
}
