import Foundation
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine
@testable import LossHostIO
@testable import LossHostIsolation
@testable import LossHostScalar
@testable import LossHostTools

#if canImport(Glibc)
import Glibc
import SystemPackage
#endif

/// CSV / TSV parsing, file and standard-input reading, and exact error texts.
final class InputTests: XCTestCase {
    typealias S = InputTestSupport

    var folder: URL!

    override func setUpWithError() throws {
        folder = try S.temporaryFolder()
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func read(_ path: String, allowNonFinite: Bool = false) -> Result<Matrix, InputError> {
        Result { () throws(InputError) in try MatrixReader.read(path: path, allowNonFinite: allowNonFinite) }
    }

    // MARK: Values

    func testCommaSeparated() {
        let m = S.parse("1,2\n3,4\n5,6\n")
        XCTAssertEqual(m, Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6]))
    }

    func testTabSeparatedWithSpacesAroundCells() {
        let m = S.parse(" 1.5\t -2 \n3e2 \t  .25\n", name: "p.tsv")
        XCTAssertEqual(m, Matrix(rows: 2, columns: 2, values: [1.5, -2, 300, 0.25]))
    }

    func testSpacesAndTabsAroundCommaCells() {
        XCTAssertEqual(S.parse("1 , 2\n\t3,4\t \n"), Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
    }

    func testSingleColumn() {
        XCTAssertEqual(S.parse("0.5\n-1\n2\n"), Matrix(rows: 3, columns: 1, values: [0.5, -1, 2]))
    }

    func testNumberForms() throws {
        let m = try XCTUnwrap(S.parse("+1,-2,.5,5.,1e3,1E-3,-0,0.000125,007,1e+2\n"))
        XCTAssertEqual(m.values, [1, -2, 0.5, 5, 1000, 0.001, 0, 0.000125, 7, 100])
        XCTAssertEqual(m.values[6].sign, .minus, "-0 keeps its sign")
    }

    func testConversionIsCorrectlyRounded() throws {
        let cells = ["0.1", "0.30000000000000004", "1.7976931348623157e308", "2.2250738585072014e-308",
                     "4.9e-324", "9007199254740993", "123456789012345678901234567890",
                     "1.000000000000000111022302462515654042363166809082031250000001",
                     "6.02214076e23", "-1.234567890123456789e-7", "3.141592653589793238462643383279",
                     "1e-400", "0.9999999999999999444888487687421729788184165954589843749"]
        let m = try XCTUnwrap(S.parse(cells.joined(separator: "\n")))
        XCTAssertEqual(S.bits(m.values), S.bits(cells.map { Double($0)! }))
    }

    func testCRLFAndMissingFinalNewline() {
        XCTAssertEqual(S.parse("1,2\r\n3,4\r\n"), Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        XCTAssertEqual(S.parse("1,2\n3,4"), Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        XCTAssertEqual(S.parse("1,2\r\n3,4"), Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
    }

    func testBlankTrailingLinesAreIgnored() {
        XCTAssertEqual(S.parse("1\n2\n\n\n  \r\n\t\n"), Matrix(rows: 2, columns: 1, values: [1, 2]))
    }

    func testByteOrderMarkIsSkipped() {
        XCTAssertEqual(S.parse("\u{FEFF}x,y\n1,2\n"), Matrix(rows: 1, columns: 2, values: [1, 2]))
    }

    func testHeaderIsSkipped() {
        XCTAssertEqual(S.parse("pred_a,pred_b\n1,2\n3,4\n"), Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        XCTAssertEqual(S.parse("\"a\"\t\"b\"\r\n1\t2\r\n"), Matrix(rows: 1, columns: 2, values: [1, 2]))
        // An unnamed index column is still a header.
        XCTAssertEqual(S.parse(",b\n1,2\n"), Matrix(rows: 1, columns: 2, values: [1, 2]))
    }

    func testHeaderCountsInRowNumbers() {
        XCTAssertEqual(S.textFailure("a,b\n1,2\n3,x\n"), "p.csv: row 3, column 2: 'x' is not a number")
    }

    func testFirstRowWithANumberIsNotAHeader() {
        XCTAssertEqual(S.textFailure("a,1\n2,3\n"), "p.csv: row 1, column 1: 'a' is not a number")
        // nan is a number (non-finite), so a row of nan is data, not a header.
        XCTAssertEqual(S.textFailure("nan\n1\n"),
                       "p.csv: row 1, column 1: non-finite value 'nan'")
    }

    func testDelimiterComesFromTheFirstLine() {
        // The first line has no tab, so this is a one-column comma file and "1\t2" is one cell.
        XCTAssertEqual(S.textFailure("1\n1\t2\n"), "p.csv: row 2, column 1: '1\\u{9}2' is not a number")
        // In a tab file a comma is part of a cell.
        XCTAssertEqual(S.textFailure("1\t2\n1,5\t2\n", name: "p.tsv"), "p.tsv: row 2, column 1: '1,5' is not a number")
    }

    // MARK: Errors, exact texts

    func testNonNumericCell() {
        XCTAssertEqual(S.textFailure("1,2\n3,4\n5,abc\n"), "p.csv: row 3, column 2: 'abc' is not a number")
    }

    func testRaggedRows() {
        XCTAssertEqual(S.textFailure("1,2\n3,4\n5,6\n7,8,9\n"), "p.csv: row 4 has 3 columns, expected 2")
        XCTAssertEqual(S.textFailure("1,2\n3\n"), "p.csv: row 2 has 1 column, expected 2")
        XCTAssertEqual(S.textFailure("h1,h2,h3\n1,2,3\n4,5\n"), "p.csv: row 3 has 2 columns, expected 3")
    }

    func testNoDataRows() {
        XCTAssertEqual(S.textFailure(""), "p.csv: no data rows")
        XCTAssertEqual(S.textFailure("\n\r\n  \n"), "p.csv: no data rows")
        XCTAssertEqual(S.textFailure("a,b\n"), "p.csv: row 1, column 1: 'a' is not a number (the file's only row, so it is data, not a header)")
        XCTAssertEqual(S.textFailure("a,b\n\n\n"), "p.csv: row 1, column 1: 'a' is not a number (the file's only row, so it is data, not a header)")
        XCTAssertEqual(S.textFailure("\u{FEFF}"), "p.csv: no data rows")
    }

    func testEmptyCells() {
        XCTAssertEqual(S.textFailure("1,2\n3,\n"), "p.csv: row 2, column 2: empty cell")
        XCTAssertEqual(S.textFailure("1,,3\n"), "p.csv: row 1, column 2: empty cell")
        XCTAssertEqual(S.textFailure("1,2\n ,4\n"), "p.csv: row 2, column 1: empty cell")
        XCTAssertEqual(S.textFailure("1,2,\n"), "p.csv: row 1, column 3: empty cell")
    }

    func testBlankLineInsideTheData() {
        XCTAssertEqual(S.textFailure("1\n\n2\n"), "p.csv: row 2 is empty")
        XCTAssertEqual(S.textFailure("\n1\n"), "p.csv: row 1 is empty")
    }

    func testNonFiniteRefusedByDefault() {
        XCTAssertEqual(S.textFailure("1\nnan\n"),
                       "p.csv: row 2, column 1: non-finite value 'nan'")
        XCTAssertEqual(S.textFailure("1,2\n3,-inf\n"),
                       "p.csv: row 2, column 2: non-finite value '-inf'")
        XCTAssertEqual(S.textFailure("1\n 1e400 \n"),
                       "p.csv: row 2, column 1: non-finite value '1e400'")
    }

    func testNonFiniteAcceptedWhenAllowed() throws {
        let m = try XCTUnwrap(S.parse("nan,NaN,inf,Infinity,-inf,+INF,1e400,-1e999,-nan\n", allowNonFinite: true))
        XCTAssertTrue(m.values[0].isNaN && m.values[1].isNaN && m.values[8].isNaN)
        XCTAssertEqual(Array(m.values[2...7]), [.infinity, .infinity, -.infinity, .infinity, .infinity, -.infinity])
    }

    func testThingsThatAreNotNumbers() {
        for cell in ["1e", "1e+", "--1", "+-1", "0x10", "1.2.3", "1 2", "nan(1)", "inf1", "infinit", ".", "+", "-",
                     "e5", ".e5", "1_000", "\"1\"", "1d0", "١", "0b1", "true"] {
            XCTAssertEqual(S.textFailure("1,2\n3,\(cell)\n"), "p.csv: row 2, column 2: '\(cell)' is not a number", cell)
        }
    }

    func testMessagesShowControlBytesAndCutLongCells() {
        XCTAssertEqual(S.textFailure("1\n\u{1}x\u{7F}\n"), "p.csv: row 2, column 1: '\\u{1}x\\u{7f}' is not a number")
        XCTAssertEqual(S.textFailure("1\n1\r2\n"), "p.csv: row 2, column 1: '1\\u{d}2' is not a number")
        let long = String(repeating: "z", count: 500)
        XCTAssertEqual(S.textFailure("1\n\(long)\n"),
                       "p.csv: row 2, column 1: '\(String(repeating: "z", count: 40))…' is not a number")
        let invalid = S.failure { () throws(InputError) in
            try MatrixReader.parseText([0x31, 0x0A, 0xFF, 0xFE, 0x0A], name: "p.csv", allowNonFinite: false)
        }
        XCTAssertEqual(invalid, "p.csv: row 2, column 1: '\u{FFFD}\u{FFFD}' is not a number")
    }

    func testRawBufferEntryPointNeedsNoTerminator() throws {
        // The last cell ends exactly at the end of the buffer, with more digits after it in memory.
        let bytes = Array("1,2\n3,45".utf8)
        let m = try bytes.withUnsafeBytes { buffer in
            try MatrixReader.parseText(UnsafeRawBufferPointer(rebasing: buffer[0..<7]), name: "b", allowNonFinite: false)
        }
        XCTAssertEqual(m, Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
    }

    func testLongNumbersUseTheSlowPath() throws {
        let digits = "0." + String(repeating: "3", count: 700)
        let m = try XCTUnwrap(S.parse("\(digits),1\n2,\(digits)\n"))
        XCTAssertEqual(m.values, [1.0 / 3.0, 1, 2, 1.0 / 3.0])
    }

    // MARK: Files and standard input

    func testReadsCSVAndTSVFiles() throws {
        let csv = try write("p.csv", "a,b\n1,2\n3,4\n")
        XCTAssertEqual(try read(csv).get(), Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        let tsv = try write("p.tsv", "1\t2\t3\n")
        XCTAssertEqual(try read(tsv).get(), Matrix(rows: 1, columns: 3, values: [1, 2, 3]))
    }

    func testFileErrorsNameThePath() throws {
        let word = try write("word.csv", "1\n2\nabc\n")
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: word) },
                       "\(word): row 3, column 1: 'abc' is not a number")
        let empty = try write("empty.csv", "")
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: empty) }, "\(empty): no data rows")
    }

    func testMissingFile() {
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: "no/such/p.csv") },
                       "no/such/p.csv: no such file")
        let path = folder.appendingPathComponent("p.csv").path
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: path) }, "\(path): no such file")
    }

    func testDirectory() {
        let path = folder.path
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: path) }, "\(path): is a directory")
    }

    func testUnreadableFile() throws {
        try XCTSkipIf(geteuid() == 0, "root reads any file")
        let path = try write("secret.csv", "1\n")
        chmod(path, 0)
        XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: path) },
                       "\(path): cannot read (permission denied)")
    }

    func testReadsFromAPipeLikeFile() throws {
        // /dev/stdin-style inputs cannot be mapped: a FIFO takes the read(2) path.
        let fifo = folder.appendingPathComponent("fifo.csv").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            let text = Array("x\n1\n2\n".utf8)
            _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        XCTAssertEqual(try read(fifo).get(), Matrix(rows: 2, columns: 1, values: [1, 2]))
    }

    /// Runs `body` with standard input replaced by a file holding `bytes`.
    private func withStandardInput(_ bytes: [UInt8], _ body: () -> Void) throws {
        let url = folder.appendingPathComponent("stdin-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        let saved = dup(STDIN_FILENO)
        let fd = open(url.path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        dup2(fd, STDIN_FILENO)
        close(fd)
        defer {
            dup2(saved, STDIN_FILENO)
            close(saved)
        }
        body()
    }

    func testDashReadsStandardInput() throws {
        try withStandardInput(Array("y\r\n0.5\r\n1.5\r\n".utf8)) {
            XCTAssertEqual(try? read("-").get(), Matrix(rows: 2, columns: 1, values: [0.5, 1.5]))
        }
        try withStandardInput(Array("1\n2\nx\n".utf8)) {
            XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: "-") },
                           "<stdin>: row 3, column 1: 'x' is not a number")
        }
        try withStandardInput([]) {
            XCTAssertEqual(S.failure { () throws(InputError) in try MatrixReader.read(path: "-") }, "<stdin>: no data rows")
        }
    }

    func testDashAcceptsNpyBytesToo() throws {
        let bytes = S.npy(S.dict("<f8", "(2,)"), payload: S.f8([1.5, -2]))
        try withStandardInput(bytes) {
            XCTAssertEqual(try? read("-").get(), Matrix(rows: 2, columns: 1, values: [1.5, -2]))
        }
    }

    // MARK: Robustness

    func testRandomBytesNeverCrash() {
        var generator = S.SplitMix(seed: 42)
        let alphabet = Array("0123456789.,\t\n\r -+eEnaif x".utf8)
        for round in 0..<3000 {
            let count = Int(generator.next() % 120)
            let bytes: [UInt8] = (0..<count).map { _ in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: generator.next())
                               : alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            for allow in [false, true] {
                do throws(InputError) {
                    let m = try MatrixReader.parseText(bytes, name: "f.csv", allowNonFinite: allow)
                    XCTAssertEqual(m.values.count, m.rows * m.columns)
                    XCTAssertGreaterThan(m.rows, 0)
                    if !allow { XCTAssertTrue(m.values.allSatisfy(\.isFinite)) }
                } catch {
                    XCTAssertTrue(error.message.hasPrefix("f.csv: "), error.message)
                    XCTAssertFalse(error.message.contains("\n"), error.message)
                }
            }
        }
    }

    func testMutatedValidFilesNeverCrash() {
        var generator = S.SplitMix(seed: 7)
        let base = Array("a,b,c\n1.5,-2e3,7\n0.25,nan,1e400\n3,4,5\n".utf8)
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: at)
                }
                if bytes.isEmpty { break }
            }
            _ = S.failure { () throws(InputError) in try MatrixReader.parseText(bytes, name: "m.csv", allowNonFinite: true) }
        }
    }

    /// Not a timed assertion: run with LOSSHOST_INPUT_BENCH=1 (and `-c release`) to print MB/s.
    func testParseSpeedReport() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["LOSSHOST_INPUT_BENCH"] == "1",
                          "set LOSSHOST_INPUT_BENCH=1 to measure CSV parsing speed")
        var generator = S.SplitMix(seed: 1)
        var text = "a,b,c,d\n"
        text.reserveCapacity(52_000_000)
        while text.utf8.count < 50_000_000 {
            for column in 0..<4 {
                let value = Double(Int64(bitPattern: generator.next()) >> 11) / Double(1 << 52)
                text += "\(value)"  // shortest round-trip form, 15-17 digits
                text += column == 3 ? "\n" : ","
            }
        }
        let path = try write("bench.csv", text)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = Date()
            _ = try read(path).get()
            best = min(best, Date().timeIntervalSince(start))
        }
        print("InputTests: parsed \(text.utf8.count / 1_000_000) MB in \(best) s = \(Double(text.utf8.count) / 1e6 / best) MB/s")
    }

    func testCountsAgreeWithTheirNouns() {
        XCTAssertEqual(counted(1, "plugin"), "1 plugin")
        XCTAssertEqual(counted(0, "plugin"), "0 plugins")
        XCTAssertEqual(counted(1, "loss", "losses"), "1 loss")
        XCTAssertEqual(counted(3, "loss", "losses"), "3 losses")
        XCTAssertEqual(S.textFailure("1,2\n3,4,5\n"), "p.csv: row 2 has 3 columns, expected 2")
    }
}

/// What is read from a pipe is capped: more is a clear error, not memory exhaustion.
final class PipeLimitTests: XCTestCase {
    func testMoreThanTheLimitFromAPipeIsRefused() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let bytes = [UInt8](repeating: UInt8(ascii: "1"), count: 5000)
        let writer = fds[1]
        DispatchQueue.global().async {
            _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
            close(writer)
        }
        defer { close(fds[0]) }
        XCTAssertEqual(InputTestSupport.failure { () throws(InputError) -> Matrix in
            _ = try FileBytes.readAll(FileDescriptor(rawValue: fds[0]), name: "<stdin>", limit: 4096)
            return Matrix(rows: 0, columns: 0, values: [])
        },
                       "<stdin>: more than 4 KiB from a pipe; save it to a file and pass that")
    }
}
