import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools
import LossKit

/// The two call paths of scalar losses: `direct` (typed calls, chosen at load
/// for all-double signatures of 2…6 arguments) and `libffi` (every other
/// signature) give bitwise the same results, and only all-double signatures
/// leave libffi.
final class ScalarCallPathTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh folder under the temporary directory.
    static func folder(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("losshost-callpath-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `cc -shared -fPIC -O2 sources -o output -lm`, as a user would build a plain C library.
    static func cc(_ sources: [String], to output: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-O2"] + sources + ["-o", output, "-lm"]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "cc", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
    }

    /// The example library of Plugins/ScalarExample, built with plain cc, and its manifest's path.
    static func example(_ name: String) throws -> String {
        let source = packageRoot.appendingPathComponent("Plugins/ScalarExample")
        let dir = try folder(name)
        try cc([source.appendingPathComponent("pinball.c").path], to: dir.appendingPathComponent("libpinball.so").path)
        let manifest = dir.appendingPathComponent("pinball.losshost.json")
        try FileManager.default.copyItem(at: source.appendingPathComponent("pinball.losshost.json"), to: manifest)
        return manifest.path
    }

    /// The same function, its call path forced to libffi.
    static func libffiTwin(_ f: ScalarFunction) throws -> ScalarFunction {
        func raw(_ c: ScalarFunction.CFunction) -> UnsafeRawPointer { unsafeBitCast(c, to: UnsafeRawPointer.self) }
        return try ScalarFunction(name: f.name, returns: f.returns, argTypes: f.argTypes, roles: f.roles,
                                  value: raw(f.value), gradient: f.gradient.map(raw), hessian: f.hessian.map(raw), allowDirect: false)
    }

    /// Everything one evaluation produces, as bit patterns.
    struct Outputs: Equatable {
        var values: [UInt64], gradient: [UInt64], hessian: [UInt64], sum: UInt64, normalizer: UInt64
    }

    static func evaluate(_ f: ScalarFunction, pred: [Double], target: [Double], weight: [Double]?, columns: Int,
                         parameters: [UInt64], derivatives: Bool) throws -> Outputs {
        let count = pred.count, rows = count / columns
        var values = [Double](repeating: .nan, count: count), gradient = values, hessian = values
        let totals = try pred.withUnsafeBufferPointer { p in
            try target.withUnsafeBufferPointer { t in
                try (weight ?? []).withUnsafeBufferPointer { w in
                    try values.withUnsafeMutableBufferPointer { v in
                        try gradient.withUnsafeMutableBufferPointer { g in
                            try hessian.withUnsafeMutableBufferPointer { h in
                                try f.evaluate(Batch(rows: rows, predColumns: columns, targetColumns: columns, pred: p.baseAddress,
                                                     target: t.baseAddress, weight: weight == nil ? nil : w.baseAddress,
                                                     values: v.baseAddress, gradient: derivatives ? g.baseAddress : nil,
                                                     hessian: derivatives ? h.baseAddress : nil, wantsSum: true),
                                               parameters: parameters)
                            }
                        }
                    }
                }
            }
        }
        return Outputs(values: values.map(\.bitPattern), gradient: gradient.map(\.bitPattern), hessian: hessian.map(\.bitPattern),
                       sum: totals.sum.bitPattern, normalizer: totals.normalizer.bitPattern)
    }

    func testExampleLossesChooseTheirCallPathAtLoad() throws {
        let manifest = try ScalarManifest.read(try Self.example("choose"))
        let paths = Dictionary(uniqueKeysWithValues: manifest.losses.map { ($0.info.id, $0.function.callPath) })
        // Three doubles: direct; an int32 parameter: libffi.
        XCTAssertEqual(paths, ["pinball": .direct, "logcosh_scaled": .direct, "scaled_square": .libffi])

        // The same facts on the loaded losses, for `info` and other commands.
        let plugin = try ScalarPlugins.load(manifest: try Self.example("choose-loaded")).get()
        XCTAssertEqual(plugin.losses.map(\.info.id), ["pinball", "logcosh_scaled", "scaled_square"])
        XCTAssertEqual(plugin.losses.map(\.scalarCallPath), [.direct, .direct, .libffi])
        XCTAssertEqual(plugin.losses.map(\.scalarCallPath?.rawValue), ["direct", "direct", "libffi"])
    }

    func testBothCallPathsGiveBitwiseIdenticalResultsForTheExample() throws {
        let manifest = try ScalarManifest.read(try Self.example("bitwise"))
        // pred, target on a grid that hits every branch of pinball (r > 0, r < 0, r == 0),
        // large and tiny magnitudes, negative zero.
        var pred: [Double] = [0, -0.0, 1, -1, 2.5, 1e-300, 1e6, -3.25, 0.1, 7]
        var target: [Double] = [0, 0, 1, 2, -2.5, 0, 1e6 + 1, -3.25, 0.3, -7]
        var seed: UInt64 = 42
        for _ in 0..<190 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            pred.append(Double(Int64(bitPattern: seed >> 1) % 20_000) / 1000)
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            target.append(Double(Int64(bitPattern: seed >> 1) % 20_000) / 1000)
        }
        let weight = (0..<100).map { 0.5 + Double($0 % 7) / 3 }
        let parameters: [String: [Double]] = ["pinball": [0.5, 0.1, 0.9], "logcosh_scaled": [1, 0.25, 30]]
        for loss in manifest.losses where loss.function.callPath == .direct {
            let direct = loss.function, ffi = try Self.libffiTwin(direct)
            XCTAssertEqual(ffi.callPath, .libffi)
            for param in try XCTUnwrap(parameters[loss.info.id]) {
                for (columns, weights) in [(1, nil), (2, weight)] as [(Int, [Double]?)] {
                    for derivatives in [false, true] {
                        let a = try Self.evaluate(direct, pred: pred, target: target, weight: weights, columns: columns,
                                                  parameters: [param.bitPattern], derivatives: derivatives)
                        let b = try Self.evaluate(ffi, pred: pred, target: target, weight: weights, columns: columns,
                                                  parameters: [param.bitPattern], derivatives: derivatives)
                        XCTAssertEqual(a, b, "\(loss.info.id) param \(param) columns \(columns) derivatives \(derivatives)")
                        XCTAssertFalse(a.values.contains(Double.nan.bitPattern), loss.info.id)
                    }
                }
            }
        }
        // Both losses were compared: one with gradient and Hessian symbols, one fully numeric.
        XCTAssertEqual(manifest.losses.filter { $0.function.callPath == .direct }.map(\.info.id), ["pinball", "logcosh_scaled"])
    }

    func testDirectPathKeepsDomainErrors() throws {
        let manifest = try ScalarManifest.read(try Self.example("domain"))
        let logcosh = try XCTUnwrap(manifest.losses.first { $0.info.id == "logcosh_scaled" }).function
        XCTAssertEqual(logcosh.callPath, .direct)
        for f in [logcosh, try Self.libffiTwin(logcosh)] {
            XCTAssertThrowsError(try Self.evaluate(f, pred: [0, 1e308], target: [0, -1e308], weight: nil, columns: 1,
                                                   parameters: [Double(1).bitPattern], derivatives: false)) { error in
                let failure = error as? LossFailure
                XCTAssertEqual(failure?.message, "logcosh_scaled(pred 1e+308, target -1e+308) returned inf", "\(f.callPath)")
            }
        }
    }

    func testFloatInt32AndLongSignaturesStayOnLibffi() throws {
        let dir = try Self.folder("signatures")
        let source = dir.appendingPathComponent("sig.c")
        try Data("""
            float sq_f(float k, float target, float pred) { return k * (pred - target) * (pred - target); }
            double mixed_f(double pred, double target, float k) { return k * (pred - target); }
            double sq_i(double pred, double target, int shift) { return (pred - target) * (pred - target) * (1 << shift); }
            double sq_l(double pred, double target, long long n) { return (pred - target) * (pred - target) * (double)n; }
            float ret_f(double pred, double target) { return (float)(pred - target); }
            double two(double pred, double target) { return (pred - target) * (pred - target); }
            double six(double a, double pred, double b, double target, double c, double d) { return a * (pred - target) + b + c + d; }
            double seven(double pred, double target, double a, double b, double c, double d, double e) {
                return (pred - target) * a + b + c + d + e;
            }
            """.utf8).write(to: source)
        let library = dir.appendingPathComponent("libsig.so")
        try Self.cc([source.path], to: library.path)
        guard let handle = dlopen(library.path, RTLD_NOW | RTLD_LOCAL) else { return XCTFail("dlopen") }
        defer { dlclose(handle) }

        func function(_ symbol: String, _ returns: ScalarCType, _ args: [ScalarCType], _ roles: [ScalarArgRole]) throws -> ScalarFunction {
            let address = try XCTUnwrap(dlsym(handle, symbol), symbol)
            return try ScalarFunction(name: symbol, returns: returns, argTypes: args, roles: roles,
                                      value: UnsafeRawPointer(address), gradient: nil, hessian: nil)
        }
        let sqF = try function("sq_f", .float, [.float, .float, .float], [.parameter(0), .target, .pred])
        let mixed = try function("mixed_f", .double, [.double, .double, .float], [.pred, .target, .parameter(0)])
        let sqI = try function("sq_i", .double, [.double, .double, .int32], [.pred, .target, .parameter(0)])
        let sqL = try function("sq_l", .double, [.double, .double, .int64], [.pred, .target, .parameter(0)])
        let retF = try function("ret_f", .float, [.double, .double], [.pred, .target])
        let seven = try function("seven", .double, [.double, .double, .double, .double, .double, .double, .double],
                                 [.pred, .target, .parameter(0), .parameter(1), .parameter(2), .parameter(3), .parameter(4)])
        for f in [sqF, mixed, sqI, sqL, retF, seven] { XCTAssertEqual(f.callPath, .libffi, f.name) }

        // And they compute through libffi as before.
        func values(_ f: ScalarFunction, _ parameters: [UInt64]) throws -> [Double] {
            try Self.evaluate(f, pred: [1.5, -2], target: [0.5, 1], weight: nil, columns: 1, parameters: parameters, derivatives: false)
                .values.map(Double.init(bitPattern:))
        }
        XCTAssertEqual(try values(sqF, [UInt64(Float(2).bitPattern)]), [2, 18])
        XCTAssertEqual(try values(mixed, [UInt64(Float(0.5).bitPattern)]), [0.5, -1.5])
        XCTAssertEqual(try values(sqI, [UInt64(UInt32(bitPattern: 2))]), [4, 36])
        XCTAssertEqual(try values(sqL, [UInt64(bitPattern: 3)]), [3, 27])
        XCTAssertEqual(try values(retF, []), [1, -3])
        XCTAssertEqual(try values(seven, [2, 1, 1, 1, 1].map(\.bitPattern)), [6, -2])

        // All-double signatures of 2 and 6 arguments, pred and target anywhere: direct, and the same bits as libffi.
        let two = try function("two", .double, [.double, .double], [.pred, .target])
        let six = try function("six", .double, [.double, .double, .double, .double, .double, .double],
                               [.parameter(0), .pred, .parameter(1), .target, .parameter(2), .parameter(3)])
        XCTAssertEqual(two.callPath, .direct)
        XCTAssertEqual(six.callPath, .direct)
        XCTAssertEqual(try values(two, []), [1, 9])
        XCTAssertEqual(try values(six, [2, 0.25, 0.5, 1].map(\.bitPattern)), [3.75, -4.25])
        for (f, parameters) in [(two, [UInt64]()), (six, [2, 0.25, 0.5, 1].map(\.bitPattern))] {
            let a = try Self.evaluate(f, pred: [1.5, -2, 0.1], target: [0.5, 1, 0.3], weight: [2, 0.5, 1], columns: 1,
                                      parameters: parameters, derivatives: true)
            let b = try Self.evaluate(try Self.libffiTwin(f), pred: [1.5, -2, 0.1], target: [0.5, 1, 0.3], weight: [2, 0.5, 1],
                                      columns: 1, parameters: parameters, derivatives: true)
            XCTAssertEqual(a, b, f.name)
        }
    }
}
