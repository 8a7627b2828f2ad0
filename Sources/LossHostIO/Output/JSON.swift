import LossHostABI
import LossModel

/// A JSON value, written compactly with keys in the order given.
public indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case int(Int)
    /// An unsigned integer written exactly, such as a seed above Int.max.
    case unsigned(UInt64)
    case string(String)
    case array([JSON])
    /// A flat list of numbers, kept unboxed because gradients can be large.
    case numbers([Double])
    case object([(String, JSON)])

    /// An object's fields, in order; none for any other value.
    public var fields: [(String, JSON)] {
        if case .object(let fields) = self { return fields }
        return []
    }

    /// The compact text.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    public func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): JSON.writeNumber(x, to: &out)
        case .int(let i): out += String(i)
        case .unsigned(let u): out += String(u)
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(to: &out)
            }
            out += "]"
        case .numbers(let xs):
            out.reserveCapacity(out.utf8.count + xs.count * 22)
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += ", " }
                JSON.writeNumber(x, to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += ", " }
                JSON.writeString(key, to: &out)
                out += ": "
                value.write(to: &out)
            }
            out += "}"
        }
    }

    /// Shortest text that reads back as the same Double; NaN and infinities,
    /// which JSON cannot hold, become null.
    static func writeNumber(_ x: Double, to out: inout String) {
        guard x.isFinite else {
            out += "null"
            return
        }
        out += x.description
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension ParameterInfo {
    /// The parameter as `list --format json` and `info --format json` show it.
    public var json: JSON {
        .object([
            ("name", .string(name)), ("type", .string(type.description)),
            ("default", type == .list ? .null : .number(defaultValue)),
            ("min", .number(min)), ("max", .number(max)),
            ("min_exclusive", .bool(minExclusive)), ("max_exclusive", .bool(maxExclusive)),
            ("doc", .string(doc)),
        ])
    }
}

extension LoadedLoss {
    /// The loss as `list --format json` shows it.
    public var json: JSON { metadata.json }
}

extension LossMetadata {
    /// The loss as `list --format json` shows it.
    public var json: JSON {
        .object([
            ("id", .string(info.id)), ("plugin", .string(pluginID)), ("qualified_id", .string(qualifiedID)),
            ("kind", .string(info.kind.description)), ("summary", .string(info.summary)),
            ("reduce", .string(info.reduce == .elementwise ? "elementwise" : "row")),
            ("pred", .string(info.predDoc)), ("target", .string(info.targetDoc)),
            ("pred_columns", .int(info.predColumns)), ("target_layout", .string(info.targetLayout.description)),
            ("hessian", .string(hessianDescription)),
            ("thread_safe", .bool(info.threadSafe)), ("deterministic", .bool(info.deterministic)),
            ("params", .array(info.parameters.map(\.json))),
            ("pred_domain", .string(info.predDomain.description)),
            ("pred_domain_rest", info.predDomainRest.map { .string($0.description) } ?? .null),
            ("target_domain", .string(info.targetDomain.description)),
            ("link", .string(info.link.description)),
            ("curvature", info.curvature.json),
        ] + (numericGradient ? [("gradient", .string("numeric"))] : []))
    }
}

extension Curvature {
    /// The curvature facts as `info --format json` shows them.
    public var json: JSON {
        .object([
            ("convex", .bool(convex)), ("constant", .bool(constant)),
            ("piecewise_linear", .bool(piecewiseLinear)), ("surrogate", surrogate.map { .number($0) } ?? .null),
        ])
    }

    /// One line for `info`, e.g. "convex, piecewise linear (surrogate 1)"; "not declared" for none.
    public var summary: String {
        var facts: [String] = []
        if convex { facts.append("convex") }
        if constant { facts.append("constant Hessian") }
        if piecewiseLinear { facts.append("piecewise linear, Hessian 0 almost everywhere") }
        if let surrogate { facts.append("surrogate curvature \(formatNumber(surrogate))") }
        return facts.isEmpty ? "not declared" : facts.joined(separator: ", ")
    }
}

/// A JSON value inside a `Codable` message (a worker's reply): each case tagged
/// by name, an object as its ordered fields, so it decodes to the same value.
extension JSON: Codable {
    private enum Case: String, CodingKey { case null, bool, number, int, unsigned, string, array, numbers, object }

    private struct Field: Codable {
        let key: String
        let value: JSON
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Case.self)
        guard let tag = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a tagged JSON value"))
        }
        switch tag {
        case .null: self = .null
        case .bool: self = .bool(try c.decode(Bool.self, forKey: tag))
        case .number: self = .number(try c.decode(Double.self, forKey: tag))
        case .int: self = .int(try c.decode(Int.self, forKey: tag))
        case .unsigned: self = .unsigned(try c.decode(UInt64.self, forKey: tag))
        case .string: self = .string(try c.decode(String.self, forKey: tag))
        case .array: self = .array(try c.decode([JSON].self, forKey: tag))
        case .numbers: self = .numbers(try c.decode([Double].self, forKey: tag))
        case .object: self = .object(try c.decode([Field].self, forKey: tag).map { ($0.key, $0.value) })
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Case.self)
        switch self {
        case .null: try c.encode(true, forKey: .null)
        case .bool(let b): try c.encode(b, forKey: .bool)
        case .number(let x): try c.encode(x, forKey: .number)
        case .int(let i): try c.encode(i, forKey: .int)
        case .unsigned(let u): try c.encode(u, forKey: .unsigned)
        case .string(let s): try c.encode(s, forKey: .string)
        case .array(let items): try c.encode(items, forKey: .array)
        case .numbers(let xs): try c.encode(xs, forKey: .numbers)
        case .object(let fields): try c.encode(fields.map { Field(key: $0.0, value: $0.1) }, forKey: .object)
        }
    }
}
