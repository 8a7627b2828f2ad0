import Foundation
import XCTest

/// Runs the built `losshost` executable as a user would and captures what it prints.
enum CLI {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The package root, found from this file.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder that holds the test bundle, the executable and the plugin products.
    static let productsFolder: URL = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The XCTest runner may live inside the .xctest bundle folder.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("losshost").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static var executable: String { productsFolder.appendingPathComponent("losshost").path }

    /// Runs `losshost ARGS`, with standard input from `input`, in an environment
    /// that has no user plugin folder unless the test sets one.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                    directory: URL? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = scratch.appendingPathComponent("xdg-empty").path
        env["LOSSHOST_PLUGIN_PATH"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        // Read both pipes while the process runs, so a large output cannot block it.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh folder for this test run.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("losshost-cli-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `text` to a file in the scratch folder and returns its path.
    static func file(_ name: String, _ text: String) -> String {
        let url = scratch.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: url)
        return url.path
    }

    /// A new empty folder in the scratch folder.
    static func folder(_ name: String) -> URL {
        let url = scratch.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Compiles C sources into a shared object with the system compiler: against
    /// `include/` with hidden visibility, or (`againstHeader: false`) as a plain
    /// library that knows nothing of losshost.
    static func compile(_ sources: [String], to output: String, extraFlags: [String] = [],
                        againstHeader: Bool = true) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let flags = againstHeader
            ? ["-std=c99", "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-I", packageRoot.appendingPathComponent("include").path]
            : ["-shared", "-fPIC", "-O2"]
        process.arguments = ["cc"] + flags + extraFlags + sources + ["-o", output, "-lm"]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "cc", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
    }

    /// Parses JSON output.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}

/// Standard error read on another thread, handed back after `wait`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
