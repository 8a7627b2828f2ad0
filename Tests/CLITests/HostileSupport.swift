import Foundation
import XCTest

/// Builds the hostile fixtures of `Tests/Fixtures/hostile` into one folder, once
/// per test run, plus the two files that are not C: a text file named like a
/// plugin and the header of an aarch64 shared object.
enum Hostile {
    static let sources = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/hostile")

    /// An empty cache folder, so every test run starts from a cold cache.
    static let cacheHome: String = CLI.folder("hostile-cache").path

    static var environment: [String: String] { ["XDG_CACHE_HOME": cacheHome] }

    /// The folder holding `lib<name>.so` for every fixture, and the compiler's output
    /// for each fixture that did not compile.
    static let compiled: (folder: URL, failures: [String: String]) = {
        let dir = CLI.folder("hostile")
        var failures: [String: String] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? []
        for name in names where name.hasSuffix(".c") {
            let base = String(name.dropLast(2))
            do {
                try CLI.compile([sources.appendingPathComponent(name).path], to: dir.appendingPathComponent("lib\(base).so").path,
                                extraFlags: ["-I", sources.path])
            } catch {
                failures[base] = error.localizedDescription
            }
        }
        for name in names where name.hasSuffix(".losshost.json") {
            try? FileManager.default.copyItem(at: sources.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try? Data("this is not a shared object\n".utf8).write(to: dir.appendingPathComponent("libnot_elf.so"))
        try? aarch64Header().write(to: dir.appendingPathComponent("libaarch64.so"))
        return (dir, failures)
    }()

    static var folder: URL { compiled.folder }

    /// The fixture `lib<name>.so`; a fixture that did not compile fails the test with the compiler's output.
    static func path(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        if let failure = compiled.failures[name] {
            XCTFail("the fixture \(name).c does not compile:\n\(failure)", file: file, line: line)
        }
        return folder.appendingPathComponent("lib\(name).so").path
    }

    /// The scalar manifest fixture `NAME.losshost.json`, next to the libraries.
    static func manifest(_ name: String) -> String { folder.appendingPathComponent("\(name).losshost.json").path }

    /// A folder holding only the fixtures named (copied), for tests that list one at a time.
    static func folder(with names: [String], _ label: String) -> URL {
        let dir = CLI.folder(label)
        for name in names {
            try? FileManager.default.copyItem(atPath: path(name), toPath: dir.appendingPathComponent("lib\(name).so").path)
        }
        return dir
    }

    /// The 64-byte ELF header of a little-endian aarch64 shared object (ET_DYN, EM_AARCH64 = 183).
    static func aarch64Header() -> Data {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...3] = [0x7F, 0x45, 0x4C, 0x46]  // \x7fELF
        bytes[4] = 2  // ELFCLASS64
        bytes[5] = 1  // little-endian
        bytes[6] = 1  // EV_CURRENT
        bytes[16] = 3  // e_type ET_DYN
        bytes[18] = 183  // e_machine EM_AARCH64
        bytes[20] = 1  // e_version
        bytes[52] = 64  // e_ehsize
        return Data(bytes)
    }

    /// `losshost check PATH --format json`: the checks by name, and the run.
    static func check(_ name: String, _ extra: [String] = [], file: String? = nil) throws -> (checks: [String: (result: String, detail: String)], run: CLI.Run) {
        let run = try CLI.run(["check", file ?? path(name), "--format", "json", "--seed", "7"] + extra, environment: environment)
        let object = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        var checks: [String: (String, String)] = [:]
        for item in object["checks"] as? [[String: Any]] ?? [] {
            checks[item["check"] as? String ?? ""] = (item["result"] as? String ?? "", item["detail"] as? String ?? "")
        }
        return (checks, run)
    }
}
