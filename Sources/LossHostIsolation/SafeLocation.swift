#if canImport(Glibc)
import Glibc
#endif

/// The folder rules: a plugin file, and the folder it is in, must not be
/// writable by other users, and must be owned by the current user or root.
/// Anyone who can replace a plugin can run code as whoever loads it. The same
/// rules hold for every library a scalar manifest names: loading the manifest
/// runs that library's code.
public enum SafeLocation {
    /// Why `path` (a canonical plugin path) may not be loaded, or nil when it
    /// may: the rules for the file and its folder, then for every companion file
    /// (a manifest's libraries) and its folder.
    public static func problem(with path: String, companions: [String] = []) -> String? {
        if let why = problem(item: path, named: "the file \(path)") { return why }
        let own = folder(of: path)
        if let why = problem(item: own, named: "the folder \(own)") { return why }
        for library in companions {
            if let why = problem(item: library, named: "the library \(library) (named by the manifest)") { return why }
            let theirs = folder(of: library)
            if let why = problem(item: theirs, named: "the folder \(theirs) of the library \(library) (named by the manifest)") { return why }
        }
        return nil
    }

    private static func folder(of path: String) -> String {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return folder.isEmpty ? "/" : folder
    }

    private static func problem(item: String, named label: String) -> String? {
        var info = stat()
        guard stat(item, &info) == 0 else { return nil }  // unreadable files fail later, with their own reason
        let mode = String(info.st_mode & 0o7777, radix: 8)
        if info.st_mode & S_IWOTH != 0 {
            return "\(label) is writable by every user (mode \(mode)); run chmod o-w on it, or pass --allow-unsafe-plugins"
        }
        if info.st_mode & S_IWGRP != 0 && info.st_gid != getegid() && info.st_gid != 0 {
            return "\(label) is writable by group \(info.st_gid) (mode \(mode)); run chmod g-w on it, or pass --allow-unsafe-plugins"
        }
        if info.st_uid != 0 && info.st_uid != geteuid() {
            return "\(label) is owned by user \(info.st_uid), not by you or root; pass --allow-unsafe-plugins to load it anyway"
        }
        return nil
    }
}
