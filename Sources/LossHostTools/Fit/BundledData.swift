import Foundation
import LossHostEngine

/// The datasets bundled in the package's `data/` folder (made by scripts/make_datasets.py).
public enum BundledData {
    /// `data/` of the package the executable was built from: walks up from the
    /// executable (`/proc/self/exe`) to the folder holding Package.swift, then tries the
    /// current directory.
    public static func locate(executablePath: String? = PluginSearchPath.currentExecutablePath(),
                              currentDirectory: String = FileManager.default.currentDirectoryPath) -> String? {
        var starts: [String] = []
        if let executablePath { starts.append((executablePath as NSString).deletingLastPathComponent) }
        starts.append(currentDirectory)
        for start in starts {
            var dir = start
            while true {
                let data = (dir as NSString).appendingPathComponent("data")
                if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("Package.swift")),
                   FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent("regression_train.csv")) {
                    return data
                }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return nil
    }
}
