import Foundation
import LossHostEngine

/// Runs this executable again as a worker (`/proc/self/exe __worker …`) and
/// watches it: collects the lines it prints, kills it when it has been silent
/// longer than the timeout, and reports how it ended. The worker is started with
/// `posix_spawn` (through `Process`), never with `fork` of this threaded process.
///
/// Whatever the worker writes, the host stays within bounds: reports (standard
/// output) beyond `outputLimit` bytes end the worker, standard error is kept up
/// to `errorLimit` bytes and the rest is read and dropped, and only reports
/// count as progress, so a plugin that loops printing still times out.
public struct WorkerProcess: Sendable {
    /// The worker subcommand's name; hidden from `--help`.
    public static let subcommand = "__worker"

    /// What the worker printed and how it ended.
    public struct Run: Sendable {
        public var lines: [String]
        /// Standard output exactly as printed.
        public var stdout: String
        public var stderr: String
        public var outcome: WorkerOutcome
    }

    public let executable: String
    /// Seconds the worker may go without printing a line.
    public let timeout: Double
    /// Bytes of standard output the worker may write before it is killed.
    public let outputLimit: Int
    /// Bytes of standard error kept; the rest is read and dropped.
    public let errorLimit: Int

    /// The output limit for workers that print only reports (scan, check): far
    /// more than any report, far less than a host can be made to hold.
    public static let reportLimit = 16 << 20
    /// The standard error kept by default.
    public static let defaultErrorLimit = 256 << 10

    public init(timeout: Double, executable: String? = nil, outputLimit: Int = WorkerProcess.reportLimit,
                errorLimit: Int = WorkerProcess.defaultErrorLimit) {
        self.timeout = timeout
        self.executable = executable ?? PluginSearchPath.currentExecutablePath() ?? CommandLine.arguments[0]
        self.outputLimit = outputLimit
        self.errorLimit = errorLimit
    }

    /// Starts `executable __worker ARGUMENTS` and waits for it to end.
    public func run(_ arguments: [String]) -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [Self.subcommand] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash must end the worker at once
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let collector = Collector(outputLimit: outputLimit, errorLimit: errorLimit)
        do { try process.run() } catch {
            return Run(lines: [], stdout: "", stderr: "cannot start a worker: \(error)", outcome: .exited(127))
        }
        let readers = DispatchGroup()
        for (handle, isOut) in [(out.fileHandleForReading, true), (err.fileHandleForReading, false)] {
            readers.enter()
            Thread.detachNewThread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    collector.append(data, toOut: isOut)
                }
                readers.leave()
            }
        }
        var timedOut = false, overLimit = false
        while process.isRunning {
            if collector.outputOverLimit {
                kill(process.processIdentifier, SIGKILL)
                overLimit = true
                break
            }
            if collector.secondsSinceActivity > timeout {
                kill(process.processIdentifier, SIGKILL)
                timedOut = true
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        _ = readers.wait(timeout: .now() + 2)
        // It may have finished writing too much before the loop above looked: its report is cut either way.
        if !timedOut && collector.outputOverLimit { overLimit = true }
        let outcome: WorkerOutcome
        if overLimit {
            outcome = .outputLimit(bytes: outputLimit)
        } else if timedOut {
            outcome = .timedOut(seconds: timeout)
        } else if process.terminationReason == .uncaughtSignal {
            outcome = .signaled(SignalName.of(process.terminationStatus))
        } else {
            outcome = .exited(process.terminationStatus)
        }
        let (stdout, stderr) = collector.contents
        let text = String(decoding: stdout, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        return Run(lines: lines, stdout: text, stderr: String(decoding: stderr, as: UTF8.self), outcome: outcome)
    }
}

/// Output gathered from the worker's pipes by reader threads, within limits:
/// standard output up to `outputLimit` (then the worker is killed), standard
/// error up to `errorLimit` (then counted and dropped).
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private var droppedErr = 0
    private var lastActivity = Date()
    private let outputLimit: Int, errorLimit: Int
    private var over = false

    init(outputLimit: Int, errorLimit: Int) {
        self.outputLimit = outputLimit
        self.errorLimit = errorLimit
    }

    func append(_ data: Data, toOut: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if toOut {
            if out.count + data.count > outputLimit {
                over = true
                out.append(data.prefix(max(0, outputLimit - out.count)))
            } else {
                out.append(data)
                lastActivity = Date()
            }
        } else {
            let room = max(0, errorLimit - err.count)
            err.append(data.prefix(room))
            droppedErr += data.count - min(room, data.count)
        }
    }

    var outputOverLimit: Bool {
        lock.lock()
        defer { lock.unlock() }
        return over
    }

    var secondsSinceActivity: Double {
        lock.lock()
        defer { lock.unlock() }
        return Date().timeIntervalSince(lastActivity)
    }

    var contents: (Data, Data) {
        lock.lock()
        defer { lock.unlock() }
        guard droppedErr > 0 else { return (out, err) }
        return (out, err + Data("\n[losshost: \(droppedErr) more bytes of standard error dropped]\n".utf8))
    }
}
