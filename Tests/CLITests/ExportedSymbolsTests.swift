import Foundation
import XCTest

/// The dynamic symbols a shared library defines for others to bind, as `nm -D --defined-only --extern-only` lists them.
enum ExportedSymbols {
    static func of(_ path: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["nm", "-D", "--defined-only", "--extern-only", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path]) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }.sorted()
    }
}

/// The host library exports the C host API and nothing else; each plugin exports its one entry symbol.
final class ExportedSymbolsTests: XCTestCase {
    private func library(_ name: String) -> String { CLI.productsFolder.appendingPathComponent(name).path }

    func testHostLibraryExportsTheHostAPIOnly() throws {
        let header = try String(contentsOf: CLI.packageRoot.appendingPathComponent("include/losshost_host.h"), encoding: .utf8)
        let declared = Set(header.matches(of: /\b(lh_host_[a-z_0-9]+)\(/).map { String($0.1) })
        XCTAssertEqual(Set(try ExportedSymbols.of(library("liblosshost-host.so"))), declared)
        XCTAssertGreaterThan(declared.count, 10)
    }

    func testPluginsExportTheEntrySymbolOnly() throws {
        for name in ["liblosshost-standard.so", "liblosshost-plugin-csample.so", "liblosshost-plugin-swiftsample.so"] {
            XCTAssertEqual(try ExportedSymbols.of(library(name)), ["losshost_plugin_entry"], name)
        }
    }
}
