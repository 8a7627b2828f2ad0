import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

/// Helpers shared by InputTests and NpyTests.
enum InputTestSupport {
    /// Parses `text` as CSV/TSV and returns the matrix, or fails the test.
    static func parse(_ text: String, name: String = "p.csv", allowNonFinite: Bool = false,
                      file: StaticString = #filePath, line: UInt = #line) -> Matrix? {
        do throws(InputError) {
            return try MatrixReader.parseText(Array(text.utf8), name: name, allowNonFinite: allowNonFinite)
        } catch {
            XCTFail("unexpected error: \(error)", file: file, line: line)
            return nil
        }
    }

    /// The error message `body` throws, or nil when it succeeds.
    static func failure(_ body: () throws(InputError) -> Matrix) -> String? {
        do throws(InputError) {
            _ = try body()
            return nil
        } catch {
            return error.message
        }
    }

    /// The error message parsing `text` gives, or nil.
    static func textFailure(_ text: String, name: String = "p.csv", allowNonFinite: Bool = false) -> String? {
        failure { () throws(InputError) in
            try MatrixReader.parseText(Array(text.utf8), name: name, allowNonFinite: allowNonFinite)
        }
    }

    /// A fresh empty folder under the temporary directory.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("losshost-input-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The bit patterns of `values`, for bit-exact comparisons (NaN != NaN otherwise).
    static func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    /// A `.npy` file built by hand: magic, version, header length, the header dictionary
    /// `dict` padded with spaces and a newline to a multiple of 64 bytes, then `payload`.
    static func npy(_ dict: String, payload: [UInt8], major: UInt8 = 1, pad: Bool = true) -> [UInt8] {
        let preamble = major == 1 ? 10 : 12
        var header = Array(dict.utf8)
        if pad {
            let total = (preamble + header.count + 1 + 63) / 64 * 64
            header += Array(repeating: UInt8(ascii: " "), count: total - preamble - header.count - 1)
            header.append(UInt8(ascii: "\n"))
        }
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        let length = UInt32(header.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF)]
        if major != 1 { bytes += [UInt8(length >> 16 & 0xFF), UInt8(length >> 24 & 0xFF)] }
        return bytes + header + payload
    }

    /// The standard header dictionary for `descr` and `shape`.
    static func dict(_ descr: String, _ shape: String, fortran: String = "False") -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    /// Little-endian bytes of each value.
    static func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    static func f8(_ values: [Double]) -> [UInt8] { le(values.map(\.bitPattern)) }
    static func f4(_ values: [Float]) -> [UInt8] { le(values.map(\.bitPattern)) }

    /// Parses in-memory `.npy` bytes (the path the file reader takes after mapping the file).
    static func parseNpy(_ bytes: [UInt8], name: String = "x.npy", allowNonFinite: Bool = false)
        throws(InputError) -> Matrix
    {
        try FileBytes.withBytes(of: bytes) { (buffer) throws(InputError) in
            try NpyReader.parse(buffer, name: name, allowNonFinite: allowNonFinite)
        }
    }

    /// A small deterministic generator for the fuzz tests.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
