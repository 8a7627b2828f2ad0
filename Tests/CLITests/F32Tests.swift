import Foundation
import XCTest

/// ABI 1.1 float32: a plugin built against the frozen 1.0 header still loads and
/// evaluates (float32 converted by the host), the standard losses evaluate
/// float32 directly, float32 .npy stays float32, and --out writes .npy files.
final class F32Tests: XCTestCase {
    /// A .npy file of float32 or float64 values, shape (n,) or (n, d).
    static func npy(_ name: String, _ values: [Double], columns: Int = 1, f32: Bool) -> String {
        let rows = values.count / columns
        let shape = columns == 1 ? "(\(rows),)" : "(\(rows), \(columns))"
        var header = Array("{'descr': '\(f32 ? "<f4" : "<f8")', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let padded = (10 + header.count + 1 + 63) / 64 * 64 - 10
        header += Array(repeating: UInt8(ascii: " "), count: padded - header.count - 1) + [UInt8(ascii: "\n")]
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
        bytes += header
        for v in values {
            if f32 { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { bytes += $0 } }
            else { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        }
        let url = CLI.scratch.appendingPathComponent(name)
        try? Data(bytes).write(to: url)
        return url.path
    }

    /// The data of a 1-D or 2-D .npy written by losshost: (descr, values as Double).
    static func readNpy(_ path: String) throws -> (String, [Double]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        XCTAssertEqual(Array(bytes[0..<6]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<10 + length], as: UTF8.self)
        let f32 = header.contains("'<f4'")
        let body = Array(bytes[(10 + length)...])
        var values: [Double] = []
        if f32 {
            for i in stride(from: 0, to: body.count, by: 4) {
                let bits = UInt32(body[i]) | UInt32(body[i + 1]) << 8 | UInt32(body[i + 2]) << 16 | UInt32(body[i + 3]) << 24
                values.append(Double(Float(bitPattern: bits)))
            }
        } else {
            for i in stride(from: 0, to: body.count, by: 8) {
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(body[i + k]) << (8 * UInt64(k)) }
                values.append(Double(bitPattern: bits))
            }
        }
        return (f32 ? "<f4" : "<f8", values)
    }

    let pred: [Double] = [0.5, -1.25, 3, 2.5, 0, -0.75]
    let target: [Double] = [0, 1, 2.5, 2, 1, -1]
    let weight: [Double] = [1, 2, 0.5, 0, 3, 1]

    func expectedSquare() -> (mean: Double, gradient: [Double]) {
        let sum = zip(zip(pred, target), weight).reduce(0.0) { $0 + $1.1 * ($1.0.0 - $1.0.1) * ($1.0.0 - $1.0.1) }
        let n = weight.reduce(0, +)
        return (sum / n, zip(zip(pred, target), weight).map { 2 * $0.1 * ($0.0.0 - $0.0.1) / n })
    }

    func testPluginBuiltAgainstABI10LoadsAndEvaluatesInBothDtypes() throws {
        let dir = CLI.folder("abi10")
        let source = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/abi-v1.0/v10_plugin.c").path
        try CLI.compile([source], to: dir.appendingPathComponent("libv10.so").path)

        let info = try CLI.run(["info", "v10/sq", "--plugin-dir", dir.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("ABI 1.0"), info.stdout)

        let p = CLI.file("abi10/p.csv", pred.map { "\($0)" }.joined(separator: "\n") + "\n")
        let t = CLI.file("abi10/t.csv", target.map { "\($0)" }.joined(separator: "\n") + "\n")
        let w = CLI.file("abi10/w.csv", weight.map { "\($0)" }.joined(separator: "\n") + "\n")
        let (mean, gradient) = expectedSquare()
        for dtype in ["f64", "f32"] {
            let run = try CLI.run(["eval", "v10/sq", "--pred", p, "--target", t, "--weight", w, "--grad",
                                   "--dtype", dtype, "--format", "json", "--plugin-dir", dir.path])
            XCTAssertEqual(run.status, 0, "\(dtype): \(run.stderr)")
            let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout)
            let value = try XCTUnwrap(json["value"] as? Double)
            let g = try XCTUnwrap(json["gradient"] as? [Double])
            let tolerance = dtype == "f32" ? 1e-6 : 1e-15
            XCTAssertEqual(value, mean, accuracy: tolerance * abs(mean), dtype)
            XCTAssertEqual(g.count, gradient.count)
            for (a, b) in zip(g, gradient) { XCTAssertEqual(a, b, accuracy: tolerance * max(1, abs(b)), dtype) }
            if dtype == "f32" {
                // Float32 results: every gradient entry is exactly a float.
                // (JSON prints 16 digits, so compare to the nearest float32 with a tolerance far below float32's.)
                for a in g { XCTAssertEqual(Double(Float(a)), a, accuracy: 1e-14 * abs(a), "gradient \(a) is not a float32 value") }
            }
        }
    }

    func testStandardLossesEvaluateFloat32DirectlyAndAgreeWithFloat64() throws {
        let labels: [Double] = [0, 1, 1, 0, 1, 0]
        let cases: [(String, [Double], [Double])] = [
            ("mse", pred, target), ("huber", pred, target), ("bce_with_logits", pred, labels), ("focal", pred, labels),
            ("log_cosh", pred, target),
        ]
        for (loss, p, t) in cases {
            let p32 = Self.npy("\(loss)-p32.npy", p, f32: true), t32 = Self.npy("\(loss)-t32.npy", t, f32: true)
            let p64 = Self.npy("\(loss)-p64.npy", p.map { Double(Float($0)) }, f32: false)
            let t64 = Self.npy("\(loss)-t64.npy", t.map { Double(Float($0)) }, f32: false)
            let r32 = try CLI.run(["eval", loss, "--pred", p32, "--target", t32, "--grad", "--hessian", "--format", "json"])
            let r64 = try CLI.run(["eval", loss, "--pred", p64, "--target", t64, "--grad", "--hessian", "--format", "json"])
            XCTAssertEqual(r32.status, 0, r32.stderr)
            XCTAssertEqual(r64.status, 0, r64.stderr)
            let j32 = try XCTUnwrap(CLI.json(r32.stdout) as? [String: Any])
            let j64 = try XCTUnwrap(CLI.json(r64.stdout) as? [String: Any])
            let v32 = try XCTUnwrap(j32["value"] as? Double), v64 = try XCTUnwrap(j64["value"] as? Double)
            XCTAssertEqual(v32, v64, accuracy: 1e-6 * max(1, abs(v64)), loss)
            for key in ["gradient", "hessian"] {
                let a = try XCTUnwrap(j32[key] as? [Double]), b = try XCTUnwrap(j64[key] as? [Double])
                XCTAssertEqual(a.count, b.count)
                for (x, y) in zip(a, b) {
                    XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, abs(y)), "\(loss) \(key)")
                    XCTAssertEqual(Double(Float(x)), x, accuracy: 1e-14 * abs(x),
                                   "\(loss) \(key): \(x) is not a float32 value (auto dtype for float32 .npy)")
                }
            }
        }
    }

    func testOutWritesNpyFilesInTheEvaluationDtype() throws {
        let p32 = Self.npy("out-p.npy", pred, f32: true), t32 = Self.npy("out-t.npy", target, f32: true)
        let out = CLI.scratch.appendingPathComponent("out-result.npy").path
        let run = try CLI.run(["eval", "mse", "--pred", p32, "--target", t32, "--reduction", "none", "--grad", "--hessian",
                               "--out", out, "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout)
        XCTAssertEqual(json["dtype"] as? String, "f32")
        let (descr, values) = try Self.readNpy(out)
        XCTAssertEqual(descr, "<f4")
        let expected = zip(pred, target).map { Double(Float((Double(Float($0.0)) - Double(Float($0.1))) * (Double(Float($0.0)) - Double(Float($0.1))))) }
        XCTAssertEqual(values, expected)
        let (gdescr, g) = try Self.readNpy(CLI.scratch.appendingPathComponent("out-result-gradient.npy").path)
        XCTAssertEqual(gdescr, "<f4")
        XCTAssertEqual(g.count, pred.count)
        let (_, h) = try Self.readNpy(CLI.scratch.appendingPathComponent("out-result-hessian.npy").path)
        XCTAssertEqual(h, Array(repeating: 2, count: pred.count))

        // float64 CSV input: float64 files.
        let p = CLI.file("out/p.csv", pred.map { "\($0)" }.joined(separator: "\n") + "\n")
        let t = CLI.file("out/t.csv", target.map { "\($0)" }.joined(separator: "\n") + "\n")
        let out64 = CLI.scratch.appendingPathComponent("out64.npy").path
        let run64 = try CLI.run(["eval", "mse", "--pred", p, "--target", t, "--grad", "--out", out64])
        XCTAssertEqual(run64.status, 0, run64.stderr)
        XCTAssertTrue(run64.stdout.contains("out64-gradient.npy"), run64.stdout)
        let (d64, g64) = try Self.readNpy(CLI.scratch.appendingPathComponent("out64-gradient.npy").path)
        XCTAssertEqual(d64, "<f8")
        XCTAssertEqual(g64, zip(pred, target).map { 2 * ($0.0 - $0.1) / Double(pred.count) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: out64), "no values file without --reduction none")
    }

    func testBenchRunsAndReportsRatiosAsJSON() throws {
        let run = try CLI.run(["bench", "mse", "cross_entropy", "--n", "20000", "--repeats", "1", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(CLI.json(run.stdout) as? [String: Any], run.stdout)
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.map { $0["loss"] as? String }, ["std/mse", "std/cross_entropy"])
        for c in cases {
            for key in ["ns_per_element", "gb_per_s", "floor_ratio", "speedup_vs_1_thread"] {
                XCTAssertNotNil(c[key] as? Double, "\(key) in \(c)")
            }
        }
        XCTAssertNotNil((json["call_overhead"] as? [String: Any])?["overhead_ns"] as? Double)
        XCTAssertEqual(run.stderr, "", "no progress line when stderr is not a terminal")
    }

    /// `--progress` prints progress lines on stderr even without a terminal; the text
    /// report names the vector math level; `--help` lists the default cases.
    func testBenchProgressLevelAndHelp() throws {
        let run = try CLI.run(["bench", "bce_with_logits", "--n", "3000", "--repeats", "2", "--progress"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("bench: std/bce_with_logits: repeat 2/2 ("), run.stderr)
        XCTAssertTrue(run.stderr.contains("bench: per-call overhead ("), run.stderr)
        let machine = try XCTUnwrap(run.stdout.split(separator: "\n").first.map(String.init))
        XCTAssertNotNil(["scalar", "sse2", "avx2", "avx512"].first { machine.hasSuffix(", vector math \($0)") }, machine)
        let help = try CLI.run(["bench", "--help"])
        XCTAssertEqual(help.status, 0)
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // the help wraps lines
        XCTAssertTrue(words.contains("Losses to time (default: mse, huber, bce_with_logits, focal, cross_entropy)."), help.stdout)
        XCTAssertFalse(help.stdout.contains("issue"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--progress"), help.stdout)
    }
}
