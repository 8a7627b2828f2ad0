/// A small JSON reader that remembers the line of every value and key, so that
/// manifest errors can name `file:line`. Strict RFC 8259: no comments, no
/// trailing commas; a key given twice in one object is an error.
struct ManifestJSON {
    /// One JSON value and the 1-based line it starts on.
    struct Node {
        enum Value {
            case object([Member])
            case array([Node])
            case string(String)
            case number(Double)
            case bool(Bool)
            case null
        }
        let value: Value
        let line: Int

        /// The kind of value, for messages such as "expected a string, found a number".
        var kindName: String {
            switch value {
            case .object: "an object"
            case .array: "a list"
            case .string: "a string"
            case .number: "a number"
            case .bool: "true/false"
            case .null: "null"
            }
        }
    }

    /// `"key": value` with the line of the key.
    struct Member {
        let key: String
        let keyLine: Int
        let value: Node
    }

    /// A syntax error at a line.
    struct SyntaxError: Error {
        let line: Int
        let message: String
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a whole document.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Node {
        var parser = ManifestJSON(bytes)
        if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }  // UTF-8 byte order mark
        let node = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.index < parser.bytes.count { throw parser.error("unexpected text after the end of the JSON document") }
        return node
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(line: line, message: message) }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): line += 1; index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ c: UInt8, _ what: String) throws(SyntaxError) {
        skipSpace()
        guard current == c else { throw error("expected \(what)\(current == nil ? " before the end of the file" : "")") }
        index += 1
    }

    private mutating func value(depth: Int) throws(SyntaxError) -> Node {
        skipSpace()
        guard depth < 64 else { throw error("nested too deeply") }
        guard let c = current else { throw error("unexpected end of the file") }
        let start = line
        switch c {
        case UInt8(ascii: "{"):
            index += 1
            var members: [Member] = []
            var seen = Set<String>()
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return Node(value: .object([]), line: start) }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a \"key\" in double quotes") }
                let keyLine = line
                let key = try string()
                guard seen.insert(key).inserted else { throw SyntaxError(line: keyLine, message: "key '\(key)' is given twice") }
                try expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
                let v = try value(depth: depth + 1)
                members.append(Member(key: key, keyLine: keyLine, value: v))
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "}") { index += 1; break }
                throw error("expected ',' or '}' in an object")
            }
            return Node(value: .object(members), line: start)
        case UInt8(ascii: "["):
            index += 1
            var items: [Node] = []
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return Node(value: .array([]), line: start) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "]") { index += 1; break }
                throw error("expected ',' or ']' in a list")
            }
            return Node(value: .array(items), line: start)
        case UInt8(ascii: "\""):
            return Node(value: .string(try string()), line: start)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, v) in [("true", Node.Value.bool(true)), ("false", .bool(false)), ("null", .null)]
            where bytes[index...].starts(with: Array(word.utf8)) {
                index += word.utf8.count
                return Node(value: v, line: start)
            }
            throw error("unexpected text (not true, false or null)")
        default:
            return Node(value: .number(try number()), line: start)
        }
    }

    private mutating func number() throws(SyntaxError) -> Double {
        let begin = index
        if current == UInt8(ascii: "-") { index += 1 }
        func digits(_ p: inout ManifestJSON) -> Int {
            var n = 0
            while let c = p.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { p.index += 1; n += 1 }
            return n
        }
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw error("unexpected character '\(Unicode.Scalar(bytes[begin]))'") }
        if intDigits > 1 && bytes[index - intDigits] == UInt8(ascii: "0") { throw error("a number must not start with 0") }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("expected digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("expected digits in the exponent") }
        }
        let text = String(decoding: bytes[begin..<index], as: UTF8.self)
        guard let x = Double(text), x.isFinite else { throw error("number \(text) is out of range") }
        return x
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unfinished \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            index += 1
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("bad \\u escape")
            }
            v = v * 16 + d
        }
        return v
    }

    private mutating func string() throws(SyntaxError) -> String {
        index += 1  // the opening quote
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("unterminated string") }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return s
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("unterminated string") }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes[index...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else { throw error("lone surrogate in \\u escape") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("bad surrogate pair in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("bad \\u escape") }
                    out += Array(String(Character(u)).utf8)
                default: throw error("unknown escape '\\\(Unicode.Scalar(e))'")
                }
            case 0..<0x20:
                throw error("control character in a string (a line break must be written \\n)")
            default:
                out.append(c)
            }
        }
    }
}
