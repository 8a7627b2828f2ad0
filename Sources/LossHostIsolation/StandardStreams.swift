import Foundation
import LossHostIO
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
import LossHostSystem
#endif

/// Which files descriptors 0, 1 and 2 refer to, to notice plugin code that
/// closes or replaces them while it loads: in the host that would silence or
/// redirect `list` and `eval`, so a scan that sees it refuses the plugin.
public struct StandardStreams: Equatable, Sendable {
    private var identities: [String]

    /// The current identity (device, inode, mode) of descriptors 0, 1, 2.
    public static func snapshot() -> StandardStreams {
        StandardStreams(identities: (0...2).map { fd -> String in
            guard let info = try? FileCalls.status(FileDescriptor(rawValue: Int32(fd))) else { return "closed" }
            return "\(info.st_dev):\(info.st_ino):\(info.st_mode)"
        })
    }

    static let names = ["standard input (descriptor 0)", "standard output (descriptor 1)", "standard error (descriptor 2)"]

    /// The descriptors (0, 1, 2) that differ from `before`.
    func changedDescriptors(from before: StandardStreams) -> [Int] {
        (0..<3).filter { identities[$0] != before.identities[$0] }
    }

    /// Why the streams differ from `before`, or nil.
    public func change(since before: StandardStreams) -> String? {
        changedDescriptors(from: before).first.map { "closed or replaced \(Self.names[$0]) while loading (in its constructor or entry point)" }
    }
}

/// Watches descriptors 0, 1 and 2 around every call into plugin code made by
/// `check`: a plugin that closes or replaces one is put right at once (from
/// copies taken at start), before the host or libdispatch can reuse the number
/// for a file of its own, and the check that was running fails naming the stage.
public final class StreamGuard: Sendable {
    /// Created on first use: after a worker moved its reports off stdout.
    public static let shared = StreamGuard()

    private let expected: StandardStreams
    /// Copies of 0, 1 and 2 taken at start; nil for one that was closed then.
    private let saved: [FileDescriptor?]
    private let violation = Mutex<String?>(nil)

    private init() {
        expected = StandardStreams.snapshot()
        saved = (0...2).map { try? FileDescriptor(rawValue: Int32($0)).duplicateCloseOnExec(atLeast: 100) }
    }

    /// Checks the streams after plugin code ran in `stage`; restores any that changed.
    public func verify(after stage: String) {
        let now = StandardStreams.snapshot()
        guard now != expected else { return }
        violation.withLock { violation in
            let changed = now.changedDescriptors(from: expected)
            for fd in changed {
                _ = try? saved[fd]?.duplicate(as: FileDescriptor(rawValue: Int32(fd)))
            }
            if violation == nil, let fd = changed.first {
                violation = "closed or replaced \(StandardStreams.names[fd]) in \(stage)"
            }
        }
    }

    /// The first change seen since the last call, and forgets it.
    public func take() -> String? {
        violation.withLock { violation in
            defer { violation = nil }
            return violation
        }
    }
}
