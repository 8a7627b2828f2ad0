import Foundation
import XCTest

/// docs/examples/host_example.c, compiled with plain `cc` against
/// liblosshost-host.so, run, and checked against the CLI's numbers.
final class HostExampleTests: XCTestCase {
    func testTheGuideExampleAgreesWithTheCLI() throws {
        let bin = HostSupport.productsFolder.path
        let library = HostSupport.productsFolder.appendingPathComponent("liblosshost-host.so").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: library), "swift build makes \(library)")
        let dir = HostSupport.folder("example")
        let program = dir.appendingPathComponent("host_example").path
        try HostSupport.compile([HostSupport.packageRoot.appendingPathComponent("docs/examples/host_example.c").path], to: program,
                                extraFlags: ["-L" + bin, "-llosshost-host", "-Wl,-rpath," + bin], shared: false)
        let run = try HostSupport.run(program, [])
        XCTAssertEqual(run.status, 0, run.stderr)
        var lines: [String: [String]] = [:]
        for line in run.stdout.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            if let key = words.first { lines[key] = Array(words.dropFirst()) }
        }
        // The CLI on the same data.
        let pred = HostSupport.file("example/p.csv", "0.5\n2.0\n-1.0\n3.0\n"), target = HostSupport.file("example/y.csv", "0\n0\n0\n1\n")
        let weight = HostSupport.file("example/w.csv", "1\n2\n1\n0.5\n")
        let losshost = HostSupport.productsFolder.appendingPathComponent("losshost").path
        let eval = try HostSupport.run(losshost, ["eval", "huber", "--param", "delta=1.5", "--pred", pred, "--target", target,
                                                  "--weight", weight, "--grad", "--hessian", "--format", "json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertEqual(lines["value"]?.compactMap(Double.init), Self.numbers("value", in: eval.stdout))
        XCTAssertEqual(lines["gradient"]?.compactMap(Double.init), Self.numbers("gradient", in: eval.stdout))
        XCTAssertEqual(lines["hessian"]?.compactMap(Double.init), Self.numbers("hessian", in: eval.stdout))
        let eval32 = try HostSupport.run(losshost, ["eval", "huber", "--param", "delta=1.5", "--pred", pred, "--target", target,
                                                    "--weight", weight, "--reduction", "none", "--dtype", "f32", "--format", "json"])
        XCTAssertEqual(lines["f32"]?.dropFirst(3).compactMap(Float.init), Self.numbers("value", in: eval32.stdout).map { Float($0) })
        let best = try HostSupport.run(losshost, ["eval", "huber", "--param", "delta=1.5", "--target", target, "--weight", weight,
                                                  "--optimal-constant", "--format", "json"])
        XCTAssertEqual(best.status, 0, best.stderr)
        XCTAssertEqual(lines["optimal_constant"]?.compactMap(Double.init), Self.numbers("optimal_constant", in: best.stdout))
        let list = try HostSupport.run(losshost, ["list", "--format", "json"])
        let count = (try HostSupport.json(list.stdout)["losses"] as? [Any])?.count
        XCTAssertEqual(lines["losses"].flatMap { Int($0[0]) }, count)
        XCTAssertEqual(lines["error"]?.joined(separator: " "), "unknown param 'dleta' for loss 'huber' (its parameters: delta)")
        XCTAssertEqual(lines["check"], ["passed"])
    }

    /// The number or list of numbers after `"key": ` in JSON text, read with
    /// `Double(_:)` (exact; Foundation's JSON reader may round the last bit).
    static func numbers(_ key: String, in text: String) -> [Double] {
        guard let start = text.range(of: "\"\(key)\": ")?.upperBound else { return [] }
        let rest = text[start...]
        let end = rest.hasPrefix("[") ? rest.firstIndex(of: "]") : rest.firstIndex { $0 == "," || $0 == "}" }
        let body = rest[..<(end ?? rest.endIndex)].trimmingCharacters(in: CharacterSet(charactersIn: "[ "))
        return body.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
}
