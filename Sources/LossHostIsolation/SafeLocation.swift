#if canImport(Glibc)
import Glibc
import LossHostSystem
#endif

/// The folder rules: a plugin file, and the folder it is in, must not be
/// writable by other users, and must be owned by the current user or root.
/// Anyone who can replace a plugin can run code as whoever loads it. The same
/// rules hold for every library a scalar manifest names: loading the manifest
/// runs that library's code.
///
/// As `ssh` does for its files, the rule goes up the path: every folder above
/// the plugin's, up to `/`, must not be writable by other users either (who
/// could rename the folder and put another in its place), unless it has the
/// sticky bit (like `/tmp`: others cannot rename what they do not own).
public enum SafeLocation {
    /// Why `path` (a canonical plugin path) may not be loaded, or nil when it
    /// may: the rules for the file and its folder, then for every companion file
    /// (a manifest's libraries) and its folder.
    public static func problem(with path: String, companions: [String] = []) -> String? {
        if let why = problem(item: path, named: "the file \(path)") { return why }
        let own = folder(of: path)
        if let why = problem(item: own, named: "the folder \(own)") { return why }
        if let why = ancestorProblem(above: own, of: "the folder \(own)") { return why }
        for library in companions {
            if let why = problem(item: library, named: "the library \(library) (named by the manifest)") { return why }
            let theirs = folder(of: library)
            if let why = problem(item: theirs, named: "the folder \(theirs) of the library \(library) (named by the manifest)") { return why }
            if let why = ancestorProblem(above: theirs, of: "the folder \(theirs) of the library \(library)") { return why }
        }
        return nil
    }

    /// Why a folder above `folder` (up to `/`) breaks the rules, or nil.
    static func ancestorProblem(above folder: String, of label: String) -> String? {
        var current = folder
        while current != "/" {
            current = self.folder(of: current)
            guard let info = FileType.of(current)?.status else { continue }
            if info.st_mode & S_ISVTX != 0 && info.st_uid == 0 { continue }  // /tmp-like: others cannot replace our entry
            if let why = problem(item: current, named: "the folder \(current), above \(label),") { return why }
        }
        return nil
    }

    private static func folder(of path: String) -> String {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return folder.isEmpty ? "/" : folder
    }

    private static func problem(item: String, named label: String) -> String? {
        // Unreadable files fail later, with their own reason.
        guard let info = FileType.of(item)?.status else { return nil }
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
