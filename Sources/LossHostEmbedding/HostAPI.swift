import CLossHost
import Foundation
import LossHostEngine
import LossHostIO
import LossModel
#if canImport(Glibc)
import Glibc
#endif

// The C host API of include/losshost_host.h. Every function that can fail runs
// its body through `guarded`: a HostError becomes a status and this thread's
// last-error message; nothing traps on anything a caller passes in.

/// Runs one API call; its error becomes the status and this thread's last error.
private func guarded(_ body: () throws(HostError) -> Void) -> lh_status {
    do throws(HostError) {
        try body()
        return lh_status(LH_OK)
    } catch {
        LastError.set(text: error.text, message: error.message, kind: error.kind?.code ?? LH_HOST_ERROR_OTHER)
        return error.status
    }
}

/// The object behind a handle the caller passed, or an error naming the argument.
private func object<T: AnyObject>(_ handle: OpaquePointer?, _ name: String, as _: T.Type) throws(HostError) -> T {
    guard let handle else { throw .argument("\(name) is NULL") }
    return Unmanaged<T>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// The caller's out-pointer, or an error naming it.
private func outPointer<T>(_ pointer: UnsafeMutablePointer<T>?, _ name: String) throws(HostError) -> UnsafeMutablePointer<T> {
    guard let pointer else { throw .argument("\(name) is NULL") }
    return pointer
}

/// A host-allocated copy of `text` for the caller to free with lh_host_free_string.
private func hostString(_ text: String) throws(HostError) -> UnsafeMutablePointer<CChar> {
    guard let copy = strdup(text) else { throw HostError(LH_ERR_NO_MEMORY, "out of memory for a \(text.utf8.count)-byte string") }
    return copy
}

/// A struct's `struct_size` checked against the smallest size this library
/// takes: `known`, its size in losshost_host.h `version` (default: this one;
/// the text is made only for the error).
func checkStructSize(_ size: UInt32, _ type: StaticString, _ known: Int, version: StaticString? = nil) throws(HostError) {
    guard Int(size) >= known else {
        let header = version.map { "\($0)" } ?? "\(LOSSHOST_HOST_API_MAJOR).\(LOSSHOST_HOST_API_MINOR)"
        throw .argument("\(type).struct_size is \(size), expected at least \(known) (sizeof(\(type)) in losshost_host.h \(header))")
    }
}

@_cdecl("lh_host_api_version")
public func lh_host_api_version() -> UInt32 {
    UInt32(LOSSHOST_HOST_API_MAJOR) << 16 | UInt32(LOSSHOST_HOST_API_MINOR)
}

@_cdecl("lh_host_last_error")
public func lh_host_last_error() -> UnsafePointer<CChar> {
    LastError.text
}

@_cdecl("lh_host_last_error_kind")
public func lh_host_last_error_kind() -> Int32 {
    LastError.kind
}

@_cdecl("lh_host_last_error_message")
public func lh_host_last_error_message() -> UnsafePointer<CChar> {
    LastError.message
}

@_cdecl("lh_host_free_string")
public func lh_host_free_string(_ text: UnsafeMutablePointer<CChar>?) {
    free(text)
}

@_cdecl("lh_host_open")
public func lh_host_open(_ config: UnsafePointer<lh_host_config>?, _ outHost: UnsafeMutablePointer<OpaquePointer?>?) -> lh_status {
    guarded { () throws(HostError) in
        let out = try outPointer(outHost, "out_host")
        out.pointee = nil
        let host = try Host(try readConfiguration(config))
        out.pointee = OpaquePointer(Unmanaged.passRetained(host).toOpaque())
    }
}

/// `lh_host_config` as a Swift value; NULL is every default.
private func readConfiguration(_ pointer: UnsafePointer<lh_host_config>?) throws(HostError) -> HostOptions {
    var configuration = HostOptions(workerExecutable: LibraryLocation.defaultWorkerExecutable,
                                          cacheDir: HostConfiguration.defaultCacheDirectory() ?? NSHomeDirectory() + "/.cache/losshost")
    guard let c = pointer?.pointee else { return configuration }
    try checkStructSize(c.struct_size, "lh_host_config", MemoryLayout<lh_host_config>.size)
    let known = UInt32(LH_HOST_ALLOW_UNSAFE_PLUGINS | LH_HOST_ONLY_PLUGIN_DIRS | LH_HOST_ALLOW_NONFINITE)
    guard c.flags & ~known == 0 else {
        throw .argument("lh_host_config.flags has unknown bits 0x\(String(c.flags & ~known, radix: 16))")
    }
    configuration.allowUnsafePlugins = c.flags & UInt32(LH_HOST_ALLOW_UNSAFE_PLUGINS) != 0
    configuration.onlyPluginDirs = c.flags & UInt32(LH_HOST_ONLY_PLUGIN_DIRS) != 0
    configuration.allowNonFinite = c.flags & UInt32(LH_HOST_ALLOW_NONFINITE) != 0
    if c.plugin_dir_count > 0 {
        guard let dirs = c.plugin_dirs else {
            throw .argument("lh_host_config.plugin_dirs is NULL but plugin_dir_count is \(c.plugin_dir_count)")
        }
        for i in 0..<Int(c.plugin_dir_count) {
            guard let dir = dirs[i] else { throw .argument("lh_host_config.plugin_dirs[\(i)] is NULL") }
            configuration.pluginDirs.append(String(cString: dir))
        }
    }
    configuration.threads = Int(c.threads)
    if let worker = c.worker_executable { configuration.workerExecutable = String(cString: worker) }
    if let cache = c.cache_dir { configuration.cacheDir = String(cString: cache) }
    for (name, value) in [("scan_timeout", c.scan_timeout), ("call_timeout", c.call_timeout), ("eval_timeout", c.eval_timeout)] {
        guard value >= 0 && value.isFinite else {
            throw .argument("lh_host_config.\(name) must be a finite number of seconds >= 0 (0: the default), got \(formatNumber(value))")
        }
    }
    if c.scan_timeout > 0 { configuration.scanTimeout = c.scan_timeout }
    if c.call_timeout > 0 { configuration.callTimeout = c.call_timeout }
    if c.eval_timeout > 0 { configuration.evalTimeout = c.eval_timeout }
    return configuration
}

@_cdecl("lh_host_close")
public func lh_host_close(_ host: OpaquePointer?) {
    guard let host else { return }
    Unmanaged<Host>.fromOpaque(UnsafeRawPointer(host)).release()
}

@_cdecl("lh_host_losses_json")
public func lh_host_losses_json(_ host: OpaquePointer?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> lh_status {
    guarded { () throws(HostError) in
        let out = try outPointer(outJSON, "out_json")
        out.pointee = nil
        let host = try object(host, "host", as: Host.self)
        out.pointee = try hostString(LossListing.json(host.registry).text)
    }
}

@_cdecl("lh_host_loss_create")
public func lh_host_loss_create(_ host: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ params: UnsafePointer<lh_host_param>?,
                                _ paramCount: UInt32, _ outLoss: UnsafeMutablePointer<OpaquePointer?>?) -> lh_status {
    guarded { () throws(HostError) in
        let out = try outPointer(outLoss, "out_loss")
        out.pointee = nil
        let host = try object(host, "host", as: Host.self)
        guard let id else { throw .argument("id is NULL") }
        let loss = try HostLoss(host: host, id: String(cString: id), params: readParams(params, paramCount))
        out.pointee = OpaquePointer(Unmanaged.passRetained(loss).toOpaque())
    }
}

/// The caller's lh_host_param array as names and values.
private func readParams(_ params: UnsafePointer<lh_host_param>?, _ paramCount: UInt32) throws(HostError) -> [(name: String, values: [Double])] {
    guard paramCount > 0 else { return [] }
    guard let params else { throw .argument("params is NULL but param_count is \(paramCount)") }
    var named: [(name: String, values: [Double])] = []
    for i in 0..<Int(paramCount) {
        let p = params[i]
        guard let name = p.name else { throw .argument("params[\(i)].name is NULL") }
        guard p.count == 0 || p.values != nil else { throw .argument("params[\(i)].values is NULL but count is \(p.count)") }
        guard p.count <= 1 << 24 else { throw .argument("params[\(i)].count is \(p.count), more than a parameter can hold") }
        let values = p.values.map { Array(UnsafeBufferPointer(start: $0, count: Int(p.count))) } ?? []
        named.append((String(cString: name), values))
    }
    return named
}

@_cdecl("lh_host_loss_destroy")
public func lh_host_loss_destroy(_ loss: OpaquePointer?) {
    guard let loss else { return }
    Unmanaged<HostLoss>.fromOpaque(UnsafeRawPointer(loss)).release()
}

@_cdecl("lh_host_loss_info_json")
public func lh_host_loss_info_json(_ loss: OpaquePointer?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> lh_status {
    guarded { () throws(HostError) in
        let out = try outPointer(outJSON, "out_json")
        out.pointee = nil
        let loss = try object(loss, "loss", as: HostLoss.self)
        out.pointee = try hostString(loss.infoJSON.text)
    }
}

@_cdecl("lh_host_loss_evaluate")
public func lh_host_loss_evaluate(_ loss: OpaquePointer?, _ batch: UnsafePointer<lh_host_batch>?,
                                  _ outputs: UnsafeMutablePointer<lh_host_outputs>?) -> lh_status {
    guarded { () throws(HostError) in
        let loss = try object(loss, "loss", as: HostLoss.self)
        guard let batch else { throw .argument("batch is NULL") }
        let out = try outPointer(outputs, "outputs")
        try HostEvaluation.evaluate(loss, batch.pointee, out)
    }
}

@_cdecl("lh_host_loss_optimal_constant")
public func lh_host_loss_optimal_constant(_ loss: OpaquePointer?, _ batch: UnsafePointer<lh_host_batch>?,
                                          _ outConstant: UnsafeMutablePointer<Double>?) -> lh_status {
    guarded { () throws(HostError) in
        let loss = try object(loss, "loss", as: HostLoss.self)
        guard let batch else { throw .argument("batch is NULL") }
        let out = try outPointer(outConstant, "out_constant")
        try HostEvaluation.optimalConstant(loss, batch.pointee, out)
    }
}

@_cdecl("lh_host_check")
public func lh_host_check(_ host: OpaquePointer?, _ target: UnsafePointer<CChar>?, _ seed: UInt64, _ flags: UInt32,
                          _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> lh_status {
    checkReport("lh_host_check", host, target, flags, outJSON) { host, target, cached throws(HostError) in
        try HostCheck.run(host, target: target, seed: seed, cached: cached)
    }
}

@_cdecl("lh_host_check_params")
public func lh_host_check_params(_ host: OpaquePointer?, _ target: UnsafePointer<CChar>?, _ params: UnsafePointer<lh_host_param>?,
                                 _ paramCount: UInt32, _ seed: UInt64, _ flags: UInt32,
                                 _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> lh_status {
    checkReport("lh_host_check_params", host, target, flags, outJSON) { host, target, cached throws(HostError) in
        let pins = try readParams(params, paramCount).map { "\($0.name)=\($0.values.map { "\($0)" }.joined(separator: ","))" }
        return try HostCheck.run(host, target: target, seed: seed, cached: cached, pins: pins, sweep: false)
    }
}

/// What the check functions share: the arguments' checks, then `run(host, target, cached)`'s report as the out string.
private func checkReport(_ function: String, _ host: OpaquePointer?, _ target: UnsafePointer<CChar>?, _ flags: UInt32,
                         _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ run: (Host, String, Bool) throws(HostError) -> String) -> lh_status {
    guarded { () throws(HostError) in
        let out = try outPointer(outJSON, "out_json")
        out.pointee = nil
        let host = try object(host, "host", as: Host.self)
        guard let target else { throw .argument("target is NULL") }
        let known = UInt32(LH_HOST_CHECK_CACHED)
        guard flags & ~known == 0 else { throw .argument("\(function) flags has unknown bits 0x\(String(flags & ~known, radix: 16))") }
        out.pointee = try hostString(try run(host, String(cString: target), flags & known != 0))
    }
}
