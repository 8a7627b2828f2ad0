import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostIO
@testable import LossHostIsolation
import SystemPackage
import LossHostSystem

/// The typed system-call layer: atomic file replacement, typed errors, descriptor control, spawning.
final class SystemCallTests: XCTestCase {
    private func scratch(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("losshost-syscalls-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    func testAtomicWriteReplacesTheFileWholeAndLeavesNoTemporary() throws {
        let dir = try scratch("atomic")
        let path = dir + "/cache.json"
        try AtomicFile.write(Array("old\n".utf8), to: path)
        try AtomicFile.write(Array("new contents\n".utf8), to: path, mode: 0o600)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["cache.json"])
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o600)
    }

    func testAtomicWriteFailuresNameTheFileAndTheReason() {
        XCTAssertThrowsError(try AtomicFile.write([1], to: "/nonexistent-losshost-dir/out.npy")) { error in
            XCTAssertEqual("\(error)", "/nonexistent-losshost-dir/out.npy: cannot write (No such file or directory)")
        }
        XCTAssertThrowsError(try AtomicFile.write([1], to: "somewhere/")) { error in
            XCTAssertEqual("\(error)", "somewhere/: cannot write (not a file name)")
        }
    }

    func testFileCallsThrowTypedErrors() throws {
        XCTAssertThrowsError(try FileCalls.open("/nonexistent-losshost-file", .readOnly)) { error in
            XCTAssertEqual(error as? Errno, .noSuchFileOrDirectory)
        }
        let dir = try scratch("calls")
        XCTAssertThrowsError(try FileCalls.rename(dir + "/missing", to: dir + "/other")) { error in
            XCTAssertEqual(error as? Errno, .noSuchFileOrDirectory)
        }
        let fd = try FileCalls.open(dir + "/f", .readWrite, options: [.create], permissions: .ownerReadWrite)
        defer { try? fd.close() }
        try FileCalls.writeAll(fd, Array("12345".utf8))
        XCTAssertEqual(try FileCalls.status(fd).st_size, 5)
        XCTAssertFalse(ProcessExistence.isRunning(Int32.max))
        XCTAssertTrue(ProcessExistence.isRunning(getpid()))
    }

    func testACloseOnExecCopyIsNumberedAtLeastTheMinimumAndReadsTheSamePipe() throws {
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.readEnd.close() }
        let copy = try pipe.writeEnd.duplicateCloseOnExec(atLeast: 200)
        XCTAssertGreaterThanOrEqual(copy.rawValue, 200)
        XCTAssertEqual(fcntl(copy.rawValue, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC)
        try pipe.writeEnd.close()
        try FileCalls.writeAll(copy, Array("x".utf8))
        try copy.close()
        try pipe.readEnd.setNonBlocking()
        var byte: [UInt8] = [0, 0]
        let n = try byte.withUnsafeMutableBytes { try pipe.readEnd.read(into: $0) }
        XCTAssertEqual(n, 1)
        XCTAssertEqual(byte[0], UInt8(ascii: "x"))
        XCTAssertThrowsError(try FileDescriptor(rawValue: -1).duplicateCloseOnExec(atLeast: 10)) { error in
            XCTAssertEqual(error as? Errno, .badFileDescriptor)
        }
    }

    func testAWorkerThatCannotStartIsAOneLineErrorWithTheReason() {
        let run = WorkerProcess(timeout: 1, executable: "/nonexistent-losshost-worker").run([])
        XCTAssertEqual(run.outcome, .exited(127))
        XCTAssertEqual(run.stderr, "cannot start a worker: \(Errno.noSuchFileOrDirectory)")
        XCTAssertTrue(run.stderr.hasSuffix("No such file or directory"), run.stderr)
    }
}
