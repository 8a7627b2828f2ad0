import Foundation
import LossHostABI
import LossHostEngine

/// Where this library's code lives: the file mapped at the address of one of
/// its own functions, from `/proc/self/maps` (what `dladdr` reports, without
/// the GNU extension Swift cannot import). That is the library, or the program
/// it is linked into.
enum LibraryLocation {
    /// The file that holds this code, or nil.
    static var path: String? {
        let code: @convention(c) () -> Void = {}
        let symbol = unsafeBitCast(code, to: UInt.self)
        // Read to the end: /proc files report a size of 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        for line in maps.split(separator: "\n") {
            // start-end perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, let dash = fields[0].firstIndex(of: "-"),
                  let start = UInt(fields[0][..<dash], radix: 16),
                  let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  start <= symbol, symbol < end else { continue }
            let file = fields[5].trimmingCharacters(in: .whitespaces)
            return file.hasPrefix("/") ? PluginLoader.canonicalPath(file) : nil
        }
        return nil
    }

    /// The `losshost-worker` executable in the same folder.
    static var defaultWorkerExecutable: String {
        HostConfiguration.workerExecutable(besides: path ?? FileManager.default.currentDirectoryPath + "/")
    }
}
