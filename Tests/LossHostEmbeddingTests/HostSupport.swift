import CLossHost
import Foundation
import LossHostEmbedding
import XCTest

/// Opens hosts through the C API for the tests, and reads what they return.
enum HostSupport {
    /// The package root, found from this file.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder that holds the test bundle, `losshost` and the library products.
    static let productsFolder: URL = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("losshost").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// A fresh folder for this test run.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("losshost-host-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A new empty folder in the scratch folder.
    static func folder(_ name: String) -> URL {
        let url = scratch.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The calling thread's last error message.
    static var lastError: String { String(cString: lh_host_last_error()) }

    /// A host over only `dirs` (and the built-ins), with a scan cache of its own.
    static func open(dirs: [String] = [], flags: UInt32 = UInt32(LH_HOST_ONLY_PLUGIN_DIRS),
                     file: StaticString = #filePath, line: UInt = #line) throws -> OpaquePointer {
        var host: OpaquePointer?
        let cache = scratch.appendingPathComponent("cache").path
        let status = withConfig(dirs: dirs, flags: flags, cacheDir: cache) { config in lh_host_open(config, &host) }
        XCTAssertEqual(status, lh_status(LH_OK), lastError, file: file, line: line)
        return try XCTUnwrap(host, file: file, line: line)
    }

    /// Calls `body` with a config naming `dirs` (C strings alive for the call).
    static func withConfig<R>(dirs: [String], flags: UInt32, cacheDir: String?, worker: String? = nil,
                              _ body: (UnsafePointer<lh_host_config>) -> R) -> R {
        let cDirs = dirs.map { strdup($0) }
        let cCache = cacheDir.map { strdup($0) } ?? nil
        let cWorker = worker.map { strdup($0) } ?? nil
        defer {
            cDirs.forEach { free($0) }
            free(cCache)
            free(cWorker)
        }
        var pointers: [UnsafePointer<CChar>?] = cDirs.map { UnsafePointer($0) }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var config = lh_host_config()
            config.struct_size = UInt32(MemoryLayout<lh_host_config>.size)
            config.flags = flags
            config.plugin_dirs = UnsafePointer(buffer.baseAddress)
            config.plugin_dir_count = UInt32(dirs.count)
            config.cache_dir = UnsafePointer(cCache)
            config.worker_executable = UnsafePointer(cWorker)
            return body(&config)
        }
    }

    /// A host-allocated string, freed after reading.
    static func take(_ text: UnsafeMutablePointer<CChar>?) -> String? {
        guard let text else { return nil }
        defer { lh_host_free_string(text) }
        return String(cString: text)
    }

    static func json(_ text: String?) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(text).utf8)) as? [String: Any])
    }

    /// Compiles C sources into a plugin against `include/`.
    static func compile(_ sources: [String], to output: String, extraFlags: [String] = [], shared: Bool = true) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let flags = (shared ? ["-shared", "-fPIC", "-fvisibility=hidden"] : []) + ["-O2", "-I", packageRoot.appendingPathComponent("include").path]
        process.arguments = ["cc"] + flags + sources + ["-o", output] + extraFlags + ["-lm"]
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

    /// Runs a program and returns its status and standard output and error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = scratch.appendingPathComponent("xdg-empty").path
        env["XDG_CACHE_HOME"] = scratch.appendingPathComponent("xdg-cache").path
        env["LOSSHOST_PLUGIN_PATH"] = nil
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errBox = ErrBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
    }
}

private final class ErrBox: @unchecked Sendable {
    var data = Data()
}

/// The outputs of one evaluation through the C API.
struct HostResult {
    var status: lh_status
    var value: Double
    var sum: Double
    var normalizer: Double
    var values: [Double]
    var gradient: [Double]
    var hessian: [Double]
    /// The outputs struct after the call (its 1.2 fields: flags and facts).
    var outputs: lh_host_outputs
}

extension HostSupport {
    /// A loss created by id with named params; fails the test when it cannot be.
    static func loss(_ host: OpaquePointer, _ id: String, _ params: [String: [Double]] = [:],
                     file: StaticString = #filePath, line: UInt = #line) throws -> OpaquePointer {
        var loss: OpaquePointer?
        let status = create(host, id, params, &loss)
        XCTAssertEqual(status, lh_status(LH_OK), lastError, file: file, line: line)
        return try XCTUnwrap(loss, file: file, line: line)
    }

    /// lh_host_loss_create with `params` given by name.
    static func create(_ host: OpaquePointer?, _ id: String, _ params: [String: [Double]], _ out: inout OpaquePointer?) -> lh_status {
        withParams(params) { lh_host_loss_create(host, id, $0, $1, &out) }
    }

    /// Calls `body` with `params` as an lh_host_param array and its count (names and values alive for the call).
    static func withParams<R>(_ params: [String: [Double]], _ body: (UnsafePointer<lh_host_param>?, UInt32) -> R) -> R {
        let names = params.keys.sorted()
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let values = names.map { params[$0] ?? [] }
        let buffers = values.map { v -> UnsafeMutablePointer<Double> in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(v.count, 1))
            p.initialize(from: v, count: v.count)
            return p
        }
        defer { buffers.forEach { $0.deallocate() } }
        var cParams = names.indices.map { i in
            lh_host_param(name: UnsafePointer(cNames[i]), values: UnsafePointer(buffers[i]), count: UInt64(values[i].count))
        }
        return cParams.withUnsafeMutableBufferPointer { p in body(p.baseAddress, UInt32(p.count)) }
    }

    /// Evaluates float64 inputs, asking for every output.
    static func evaluate(_ loss: OpaquePointer?, pred: [Double], target: [Double], weight: [Double]? = nil,
                         predColumns: Int = 1, targetColumns: Int = 1, reduction: Int32 = LH_HOST_MEAN,
                         gradient: Bool = true, hessian: Bool = true, valueCount: Int? = nil,
                         outputs: lh_host_outputs? = nil) throws -> HostResult {
        let rows = pred.count / predColumns
        var values = [Double](repeating: .nan, count: valueCount ?? pred.count)
        var g = [Double](repeating: .nan, count: pred.count), h = [Double](repeating: .nan, count: pred.count)
        var out = outputs ?? lh_host_outputs()
        if outputs == nil { out.struct_size = UInt32(MemoryLayout<lh_host_outputs>.size) }
        out.reduction = reduction
        let status = pred.withUnsafeBufferPointer { p in
            target.withUnsafeBufferPointer { t in
                (weight ?? []).withUnsafeBufferPointer { w in
                    values.withUnsafeMutableBufferPointer { v in
                        g.withUnsafeMutableBufferPointer { gp in
                            h.withUnsafeMutableBufferPointer { hp in
                                var batch = lh_host_batch(struct_size: UInt32(MemoryLayout<lh_host_batch>.size), dtype: LH_HOST_F64,
                                                          rows: UInt64(rows), pred_columns: UInt32(predColumns),
                                                          target_columns: UInt32(targetColumns), pred: p.baseAddress,
                                                          target: t.baseAddress, weight: weight == nil ? nil : w.baseAddress)
                                out.values = UnsafeMutableRawPointer(v.baseAddress)
                                out.gradient = gradient ? UnsafeMutableRawPointer(gp.baseAddress) : nil
                                out.hessian = hessian ? UnsafeMutableRawPointer(hp.baseAddress) : nil
                                return lh_host_loss_evaluate(loss, &batch, &out)
                            }
                        }
                    }
                }
            }
        }
        return HostResult(status: status, value: out.value, sum: out.sum, normalizer: out.normalizer,
                          values: values, gradient: g, hessian: h, outputs: out)
    }

    /// lh_host_loss_optimal_constant over float64 targets.
    static func optimalConstant(_ loss: OpaquePointer?, target: [Double], weight: [Double]? = nil, predColumns: Int = 1,
                                targetColumns: Int = 1) -> (status: lh_status, constant: [Double]) {
        var constant = [Double](repeating: .nan, count: predColumns)
        let status = target.withUnsafeBufferPointer { t in
            (weight ?? []).withUnsafeBufferPointer { w in
                var batch = lh_host_batch(struct_size: UInt32(MemoryLayout<lh_host_batch>.size), dtype: LH_HOST_F64,
                                          rows: UInt64(target.count / targetColumns), pred_columns: UInt32(predColumns),
                                          target_columns: UInt32(targetColumns), pred: nil, target: t.baseAddress,
                                          weight: weight == nil ? nil : w.baseAddress)
                return lh_host_loss_optimal_constant(loss, &batch, &constant)
            }
        }
        return (status, constant)
    }
}

extension HostSupport {
    /// Writes `text` to a file in the scratch folder and returns its path.
    static func file(_ name: String, _ text: String) -> String {
        let url = scratch.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: url)
        return url.path
    }
}
