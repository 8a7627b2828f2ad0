import Foundation
import XCTest

/// The last word of each line a binutils tool prints about a shared library.
private func binutils(_ arguments: [String]) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: arguments.last ?? ""]) }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
}

/// The dynamic symbols a shared library defines for others to bind, as `nm -D --defined-only --extern-only` lists them.
enum ExportedSymbols {
    static func of(_ path: String) throws -> [String] {
        try binutils(["nm", "-D", "--defined-only", "--extern-only", path]).sorted()
    }
}

/// What the shipped libraries export and need: the host library exports the C host API
/// and nothing else; each plugin exports its one entry symbol; a LossKit plugin needs
/// neither Foundation nor ICU.
final class SharedLibraryTests: XCTestCase {
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

    func testLossKitPluginsNeedNoFoundationOrICU() throws {
        for name in ["liblosshost-standard.so", "liblosshost-plugin-swiftsample.so"] {
            let needed = try binutils(["readelf", "-d", library(name)]).filter { $0.hasPrefix("[") }
            XCTAssertTrue(needed.contains("[libswiftCore.so]"), "\(name): \(needed)")
            XCTAssertEqual(needed.filter { $0.contains("Foundation") || $0.contains("icu") }, [], name)
        }
    }
}
