import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LossHostABI
import LossHostIO
import SystemPackage
import LossHostSystem

/// The files `eval --out FILE.npy` writes: the values (--reduction none) to
/// FILE.npy, the gradient to FILE-gradient.npy, the Hessian to FILE-hessian.npy.
///
/// Fixed when created, before any plugin code runs: the path is made absolute
/// against the current directory and the mode is taken from the umask then,
/// so a plugin that changes either moves nothing. Written all or nothing:
/// every file goes to a temporary name first; only when all are complete are
/// they renamed into place, and a failed rename puts back what it replaced.
/// Temporaries a killed run left behind are removed by the next run.
public struct OutputFiles: Sendable {
    /// (output, absolute path), in writing order.
    public let files: [(String, String)]
    /// The mode new files get (0666 less the umask at start).
    public let mode: mode_t

    /// Refuses an empty name, a folder, and a run with nothing to write.
    public init(_ path: String, wanted: [String]) throws(InputError) {
        guard !path.isEmpty else { throw InputError("--out '': give a file name such as out.npy") }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var isFolder: ObjCBool = false
        if path.hasSuffix("/") || (FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder) && isFolder.boolValue) {
            throw InputError("--out \(path): is a folder; give a file name such as \(path.hasSuffix("/") ? path : path + "/")out.npy")
        }
        guard !wanted.isEmpty else {
            throw InputError("--out \(path): nothing to write (add --grad or --hessian, or use --reduction none)")
        }
        let base = absolute.lowercased().hasSuffix(".npy") ? String(absolute.dropLast(4)) : absolute
        let names = ["values": base + ".npy", "gradient": base + "-gradient.npy", "hessian": base + "-hessian.npy"]
        files = wanted.map { ($0, names[$0]!) }
        mode = 0o666 & ~FileCalls.creationMask()
        Self.removeAbandonedTemporaries(near: files.map(\.1))
    }

    /// Writes every wanted output of `e` (in its dtype; one-column outputs are
    /// 1-D, per-row values 1-D), all or nothing. Returns `files`.
    public func write(_ e: Evaluation, perRowValues: Bool) throws(InputError) -> [(String, String)] {
        let shape = e.columns == 1 ? [e.rows] : [e.rows, e.columns]
        let f32 = e.dtype == .f32
        var temporaries: [String] = []
        do throws(InputError) {
            for (output, path) in files {
                if FileType.of(path, followingLinks: false)?.type == .directory {
                    throw InputError.file(path, "cannot write (a folder is in the way)")
                }
                let (d, f): ([Double]?, [Float]?) = switch output {
                case "values": (e.values, f32 ? e.valuesF32 : nil)
                case "gradient": (e.gradient, f32 ? e.gradientF32 : nil)
                default: (e.hessian, f32 ? e.hessianF32 : nil)
                }
                let outShape = output == "values" && perRowValues ? [e.rows] : shape
                let temporary: String
                if let f {
                    temporary = try f.withUnsafeBytes { b in
                        Result { () throws(InputError) in
                            try NpyWriter.writeTemporary(b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, dtype: .f32,
                                                         shape: outShape, for: path, mode: mode)
                        }
                    }.get()
                } else if let d {
                    temporary = try d.withUnsafeBytes { b in
                        Result { () throws(InputError) in
                            try NpyWriter.writeTemporary(b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, dtype: .f64,
                                                         shape: outShape, for: path, mode: mode)
                        }
                    }.get()
                } else {
                    throw InputError.file(path, "cannot write (the evaluation has no \(output))")
                }
                temporaries.append(temporary)
            }
        } catch {
            for t in temporaries { try? FileCalls.unlink(t) }
            throw error
        }
        try commit(temporaries)
        return files
    }

    /// Renames every temporary over its file; if one rename fails, the files
    /// already replaced get their old contents back (kept as hard links meanwhile).
    private func commit(_ temporaries: [String]) throws(InputError) {
        var backups: [(String, String?)] = []
        for (index, temporary) in temporaries.enumerated() {
            let path = files[index].1
            let name = (path as NSString).lastPathComponent, folder = (path as NSString).deletingLastPathComponent
            var backup: String? = "\(folder)/.\(name)\(AtomicFile.temporaryMarker)\(ProcessIdentity.current)-old"
            if (try? FileCalls.link(path, as: backup!)) == nil { backup = nil }
            do throws(Errno) {
                try FileCalls.rename(temporary, to: path)
            } catch {
                if let backup { try? FileCalls.unlink(backup) }
                for t in temporaries[index...] { try? FileCalls.unlink(t) }
                for (done, old) in backups.reversed() {
                    if let old { try? FileCalls.rename(old, to: done) } else { try? FileCalls.unlink(done) }
                }
                throw AtomicFile.failure(path, error)
            }
            backups.append((path, backup))
        }
        for case (_, let old?) in backups { try? FileCalls.unlink(old) }
    }

    /// Removes `*.losshost-tmp-PID-*` files next to `paths` whose run (PID) is gone.
    static func removeAbandonedTemporaries(near paths: [String]) {
        for folder in Set(paths.map { ($0 as NSString).deletingLastPathComponent }) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(".") {
                guard let marker = name.range(of: AtomicFile.temporaryMarker),
                      let pid = Int32(name[marker.upperBound...].prefix { $0.isNumber }) else { continue }
                if pid != ProcessIdentity.current && !ProcessExistence.isRunning(pid) { try? FileCalls.unlink(folder + "/" + name) }
            }
        }
    }
}
