import Foundation

/// Writes text to standard output in large pieces.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("losshost: warning: \(text)\n".utf8))
    }
}
