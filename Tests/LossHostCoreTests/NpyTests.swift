import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

/// NumPy `.npy` reading (hand-made headers) and writing.
final class NpyTests: XCTestCase {
    typealias S = InputTestSupport

    var folder: URL!

    override func setUpWithError() throws {
        folder = try S.temporaryFolder()
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func save(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func npyFailure(_ bytes: [UInt8], allowNonFinite: Bool = false) -> String? {
        S.failure { () throws(InputError) in try S.parseNpy(bytes, allowNonFinite: allowNonFinite) }
    }

    // MARK: dtypes and shapes

    func testFloat64OneAndTwoDimensions() throws {
        let vector = S.npy(S.dict("<f8", "(3,)"), payload: S.f8([1.5, -2, 0.1]))
        XCTAssertEqual(try S.parseNpy(vector), Matrix(rows: 3, columns: 1, values: [1.5, -2, 0.1]))
        let matrix = S.npy(S.dict("<f8", "(2, 3)"), payload: S.f8([1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(try S.parseNpy(matrix), Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6]))
    }

    func testFloat32() throws {
        let values: [Float] = [0.1, -3.25, 1e30]
        let vector = S.npy(S.dict("<f4", "(3,)"), payload: S.f4(values))
        XCTAssertEqual(try S.parseNpy(vector).values, values.map(Double.init))
        let matrix = S.npy(S.dict("<f4", "(1, 3)"), payload: S.f4(values))
        XCTAssertEqual(try S.parseNpy(matrix), Matrix(rows: 1, columns: 3, values: values.map(Double.init)))
    }

    func testInt32AndInt64() throws {
        let i4 = S.npy(S.dict("<i4", "(2, 2)"), payload: S.le([Int32(1), -2, .max, .min]))
        XCTAssertEqual(try S.parseNpy(i4), Matrix(rows: 2, columns: 2, values: [1, -2, 2147483647, -2147483648]))
        let i8 = S.npy(S.dict("<i8", "(4,)"), payload: S.le([Int64(7), -1, 1 << 53, .min]))
        XCTAssertEqual(try S.parseNpy(i8), Matrix(rows: 4, columns: 1, values: [7, -1, 9007199254740992, -9223372036854775808]))
    }

    func testNativeAndBigEndianByteOrders() throws {
        for order in ["=", "|"] {
            let bytes = S.npy(S.dict("\(order)f8", "(2,)"), payload: S.f8([3, 4]))
            XCTAssertEqual(try S.parseNpy(bytes).values, [3, 4], order)
        }
        let bigF8 = S.npy(S.dict(">f8", "(2,)"), payload: [2.5, -1.0].flatMap { value in
            withUnsafeBytes(of: value.bitPattern.bigEndian) { Array($0) } })
        XCTAssertEqual(try S.parseNpy(bigF8).values, [2.5, -1])
        let bigI4 = S.npy(S.dict(">i4", "(2,)"), payload: [Int32(5), -6].flatMap { value in
            withUnsafeBytes(of: value.bigEndian) { Array($0) } })
        XCTAssertEqual(try S.parseNpy(bigI4).values, [5, -6])
    }

    func testVersions2And3AndHeaderVariants() throws {
        let v2 = S.npy(S.dict("<f8", "(2,)"), payload: S.f8([1, 2]), major: 2)
        XCTAssertEqual(try S.parseNpy(v2).values, [1, 2])
        let v3 = S.npy(S.dict("<i8", "(1, 2)"), payload: S.le([Int64(3), 4]), major: 3)
        XCTAssertEqual(try S.parseNpy(v3), Matrix(rows: 1, columns: 2, values: [3, 4]))
        // Double quotes, other key order, no trailing comma, no padding, Python 2 longs, odd data offset.
        let loose = S.npy("{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<f8\"}",
                          payload: S.f8([5, 6]), pad: false)
        XCTAssertEqual(try S.parseNpy(loose), Matrix(rows: 2, columns: 1, values: [5, 6]))
    }

    func testReadsNpyFilesByExtensionOrMagic() throws {
        let bytes = S.npy(S.dict("<f8", "(2, 2)"), payload: S.f8([1, 2, 3, 4]))
        let expected = Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4])
        for name in ["a.npy", "b.NPY", "c.dat", "d.csv"] {
            let path = try save(name, bytes)
            XCTAssertEqual(try Result { () throws(InputError) in try MatrixReader.read(path: path) }.get(), expected, name)
        }
    }

    // MARK: Refusals

    func testFortranOrderIsRefused() {
        let bytes = S.npy(S.dict("<f8", "(2, 2)", fortran: "True"), payload: S.f8([1, 2, 3, 4]))
        XCTAssertEqual(npyFailure(bytes),
                       "x.npy: Fortran-order arrays are not supported (save it in C order, e.g. with numpy.ascontiguousarray)")
    }

    func testShapesOtherThanOneOrTwoDimensions() {
        XCTAssertEqual(npyFailure(S.npy(S.dict("<f8", "()"), payload: S.f8([1]))),
                       "x.npy: 0-d array (shape ()) is not supported; expected 1-d or 2-d")
        XCTAssertEqual(npyFailure(S.npy(S.dict("<f8", "(1, 2, 1)"), payload: S.f8([1, 2]))),
                       "x.npy: 3-d array (shape (1, 2, 1)) is not supported; expected 1-d or 2-d")
        XCTAssertEqual(npyFailure(S.npy(S.dict("<f8", "(0,)"), payload: [])), "x.npy: no data rows")
        XCTAssertEqual(npyFailure(S.npy(S.dict("<f8", "(0, 3)"), payload: [])), "x.npy: no data rows")
        XCTAssertEqual(npyFailure(S.npy(S.dict("<f8", "(3, 0)"), payload: [])), "x.npy: no data columns (shape (3, 0))")
    }

    func testUnsupportedDtypes() {
        for descr in ["<f2", "<u4", "|b1", "|u1", "<c16", "|O", "<U3", "<f16", "f8", "<f8 "] {
            XCTAssertEqual(npyFailure(S.npy(S.dict(descr, "(1,)"), payload: Array(repeating: 0, count: 16))),
                           "x.npy: unsupported dtype '\(descr)' (expected float64, float32, int32 or int64)", descr)
        }
        let structured = S.npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", payload: S.f8([1]))
        XCTAssertEqual(npyFailure(structured),
                       "x.npy: unsupported dtype (structured arrays are not supported; expected float64, float32, int32 or int64)")
    }

    // MARK: Corrupt files

    func testBadMagic() throws {
        let path = try save("x.npy", Array("1,2\n".utf8))
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: path) },
                       "\(path): corrupt .npy file (bad magic: does not start with \\x93NUMPY)")
        let empty = try save("e.npy", [])
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: empty) },
                       "\(empty): corrupt .npy file (empty file)")
        XCTAssertEqual(npyFailure([0x93, 0x4E, 0x55]), "x.npy: corrupt .npy file (header truncated)")
        XCTAssertEqual(npyFailure([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x58, 1, 0, 0, 0]),
                       "x.npy: corrupt .npy file (bad magic: does not start with \\x93NUMPY)")
    }

    func testTruncatedData() throws {
        let bytes = S.npy(S.dict("<f8", "(2, 2)"), payload: S.f8([1, 2, 3]))
        XCTAssertEqual(npyFailure(bytes), "x.npy: corrupt .npy file (data truncated: shape (2, 2) needs 32 bytes, found 24)")
        let path = try save("t.npy", bytes)
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: path) },
                       "\(path): corrupt .npy file (data truncated: shape (2, 2) needs 32 bytes, found 24)")
    }

    func testExtraBytesAfterTheDataAreIgnored() throws {
        let bytes = S.npy(S.dict("<f8", "(1,)"), payload: S.f8([1, 2]))
        XCTAssertEqual(try S.parseNpy(bytes).values, [1])
    }

    func testTruncatedHeader() {
        let whole = S.npy(S.dict("<f8", "(1,)"), payload: S.f8([1]))
        XCTAssertEqual(npyFailure(Array(whole[0..<9])), "x.npy: corrupt .npy file (header truncated)")
        XCTAssertEqual(npyFailure(Array(whole[0..<40])), "x.npy: corrupt .npy file (header truncated)")
        let v2 = S.npy(S.dict("<f8", "(1,)"), payload: S.f8([1]), major: 2)
        XCTAssertEqual(npyFailure(Array(v2[0..<11])), "x.npy: corrupt .npy file (header truncated)")
    }

    func testUnknownVersion() {
        var bytes = S.npy(S.dict("<f8", "(1,)"), payload: S.f8([1]))
        bytes[6] = 4
        XCTAssertEqual(npyFailure(bytes), "x.npy: corrupt .npy file (unknown format version 4.0)")
        bytes[6] = 1
        bytes[7] = 1
        XCTAssertEqual(npyFailure(bytes), "x.npy: corrupt .npy file (unknown format version 1.1)")
    }

    func testBadHeaderDictionaries() {
        let cases: [(String, String)] = [
            ("garbage", "expected '{' at offset 0"),
            ("{'descr': '<f8', 'shape': (1,), }", "header lacks 'fortran_order'"),
            ("{'descr': '<f8', 'fortran_order': False, }", "header lacks 'shape'"),
            ("{'fortran_order': False, 'shape': (1,), }", "header lacks 'descr'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'"),
            ("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", "key 'descr' appears twice"),
            ("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "fortran_order is not True or False"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", "shape is not a tuple of non-negative integers"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,)}", "expected ')' at offset 52"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", "expected '(' at offset 50"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", "shape dimension too large"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", "text after the header dictionary"),
            ("{'descr' '<f8'}", "expected ':' at offset 9"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", "expected '}' at offset 54"),
            ("{'descr", "unterminated string"),
        ]
        for (dict, reason) in cases {
            XCTAssertEqual(npyFailure(S.npy(dict, payload: S.f8([1]), pad: false)),
                           "x.npy: corrupt .npy file (bad header: \(reason))", dict)
        }
    }

    func testHugeShapeIsCorruptNotACrash() {
        let bytes = S.npy(S.dict("<f8", "(4611686018427387904, 4)"), payload: S.f8([1]))
        XCTAssertEqual(npyFailure(bytes), "x.npy: corrupt .npy file (shape (4611686018427387904, 4) is too large)")
        let big = S.npy(S.dict("<f8", "(1000000, 1000000)"), payload: S.f8([1]))
        XCTAssertEqual(npyFailure(big),
                       "x.npy: corrupt .npy file (data truncated: shape (1000000, 1000000) needs 8000000000000 bytes, found 8)")
    }

    // MARK: Non-finite values

    func testNonFiniteFloatsNameRowAndColumn() {
        let f8 = S.npy(S.dict("<f8", "(2, 3)"), payload: S.f8([1, 2, 3, 4, .nan, 6]))
        XCTAssertEqual(npyFailure(f8), "x.npy: row 2, column 2: non-finite value 'nan'")
        let f4 = S.npy(S.dict("<f4", "(3,)"), payload: S.f4([1, 2, -.infinity]))
        XCTAssertEqual(npyFailure(f4), "x.npy: row 3, column 1: non-finite value '-inf'")
    }

    func testNonFiniteFloatsAcceptedWhenAllowed() throws {
        let f8 = S.npy(S.dict("<f8", "(3,)"), payload: S.f8([.infinity, .nan, -.infinity]))
        let m = try S.parseNpy(f8, allowNonFinite: true)
        XCTAssertEqual(m.values[0], .infinity)
        XCTAssertTrue(m.values[1].isNaN)
        XCTAssertEqual(m.values[2], -.infinity)
    }

    func testRandomAndMutatedBytesNeverCrash() {
        var generator = S.SplitMix(seed: 3)
        let valid = S.npy(S.dict("<f4", "(2, 2)"), payload: S.f4([1, 2, 3, 4]))
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = [0x93] + Array("NUMPY".utf8) + (0..<Int(generator.next() % 100)).map { _ in
                    UInt8(truncatingIfNeeded: generator.next()) }
            } else {
                bytes = valid
                for _ in 0..<Int(generator.next() % 3 + 1) {
                    let at = Int(generator.next() % UInt64(bytes.count))
                    if generator.next() % 4 == 0 { bytes.removeSubrange(at...) } else {
                        bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                    }
                    if bytes.isEmpty { break }
                }
            }
            do throws(InputError) {
                let m = try S.parseNpy(bytes, allowNonFinite: round % 2 == 0)
                XCTAssertEqual(m.values.count, m.rows * m.columns)
            } catch {
                XCTAssertTrue(error.message.hasPrefix("x.npy: "), error.message)
                XCTAssertFalse(error.message.contains("\n"), error.message)
            }
        }
    }

    // MARK: Writing

    func testWriterRoundTripIsBitExact() throws {
        var generator = S.SplitMix(seed: 11)
        var values = (0..<60).map { _ in Double(bitPattern: generator.next()) }
        values += [0, -0.0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
                   Double(bitPattern: 0x7FF0_0000_0000_0001), 0.1, 1.0 / 3.0, .pi, -Double.leastNormalMagnitude / 3]
        for (rows, columns) in [(72, 1), (36, 2), (1, 72), (8, 9)] {
            let m = Matrix(rows: rows, columns: columns, values: values)
            for asVector in [false, true] {
                let path = folder.appendingPathComponent("out-\(rows)x\(columns)-\(asVector).npy").path
                try Result { () throws(InputError) in try NpyWriter.write(m, to: path, asVector: asVector) }.get()
                let back = try Result { () throws(InputError) in try MatrixReader.read(path: path, allowNonFinite: true) }.get()
                XCTAssertEqual(back.rows, rows)
                XCTAssertEqual(back.columns, columns)
                XCTAssertEqual(S.bits(back.values), S.bits(values))
            }
        }
    }

    func testWriterHeaderMatchesNumpySave() throws {
        let vectorPath = folder.appendingPathComponent("v.npy").path
        try Result { () throws(InputError) in
            try NpyWriter.write(Matrix(rows: 3, columns: 1, values: [1, 2, 3]), to: vectorPath, asVector: true)
        }.get()
        let vector = try [UInt8](Data(contentsOf: URL(fileURLWithPath: vectorPath)))
        XCTAssertEqual(vector.count, 128 + 24)
        XCTAssertEqual(Array(vector[0..<10]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 118, 0])
        let header = String(decoding: vector[10..<128], as: UTF8.self)
        XCTAssertEqual(header, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
                       + String(repeating: " ", count: 60) + "\n")
        XCTAssertEqual(Array(vector[128...]), S.f8([1, 2, 3]))

        let matrixPath = folder.appendingPathComponent("m.npy").path
        try Result { () throws(InputError) in
            try NpyWriter.write(Matrix(rows: 3, columns: 1, values: [1, 2, 3]), to: matrixPath, asVector: false)
        }.get()
        let matrix = try [UInt8](Data(contentsOf: URL(fileURLWithPath: matrixPath)))
        XCTAssertTrue(String(decoding: matrix[10..<128], as: UTF8.self).hasPrefix(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 1), }"))
    }

    func testWriterReplacesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let path = folder.appendingPathComponent("r.npy").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let m = Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4])
        try Result { () throws(InputError) in try NpyWriter.write(m, to: path, asVector: false) }.get()
        XCTAssertEqual(try Result { () throws(InputError) in try MatrixReader.read(path: path) }.get(), m)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["r.npy"])
    }

    func testWriterErrors() throws {
        let m = Matrix(rows: 1, columns: 1, values: [1])
        let missing = folder.appendingPathComponent("no/such/dir/out.npy").path
        XCTAssertEqual(S.failure { () throws(InputError) in try NpyWriter.write(m, to: missing, asVector: true); return m },
                       "\(missing): cannot write (No such file or directory)")
        // A directory in the way: the rename fails and the temporary file is removed.
        let blocked = folder.appendingPathComponent("taken.npy")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent("inside"), withIntermediateDirectories: true)
        XCTAssertEqual(S.failure { () throws(InputError) in try NpyWriter.write(m, to: blocked.path, asVector: true); return m },
                       "\(blocked.path): cannot write (Is a directory)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["taken.npy"])
        var bad = m
        bad.values = [1, 2]
        let path = folder.appendingPathComponent("bad.npy").path
        XCTAssertEqual(S.failure { () throws(InputError) in try NpyWriter.write(bad, to: path, asVector: false); return m },
                       "\(path): cannot write (matrix has 2 values, not 1×1)")
    }
}
