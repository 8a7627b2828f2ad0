import Foundation

/// Runs this executable again as a worker (`/proc/self/exe __worker …`) and
/// watches it: collects the lines it prints, kills it when it has been silent
/// longer than the timeout, and reports how it ended. The worker is started with
/// `posix_spawn` (through `Process`), never with `fork` of this threaded process.
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

    public init(timeout: Double, executable: String? = nil) {
        self.timeout = timeout
        self.executable = executable ?? PluginSearchPath.currentExecutablePath() ?? CommandLine.arguments[0]
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
        let collector = Collector()
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
        var timedOut = false
        while process.isRunning {
            if collector.secondsSinceActivity > timeout {
                kill(process.processIdentifier, SIGKILL)
                timedOut = true
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        _ = readers.wait(timeout: .now() + 2)
        let outcome: WorkerOutcome
        if timedOut {
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

/// Output gathered from the worker's pipes by reader threads.
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private var lastActivity = Date()

    func append(_ data: Data, toOut: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if toOut { out.append(data) } else { err.append(data) }
        if toOut { lastActivity = Date() }
    }

    var secondsSinceActivity: Double {
        lock.lock()
        defer { lock.unlock() }
        return Date().timeIntervalSince(lastActivity)
    }

    var contents: (Data, Data) {
        lock.lock()
        defer { lock.unlock() }
        return (out, err)
    }
}
