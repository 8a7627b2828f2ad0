import LossModel

/// Parameter values for one loss, in declaration order, defaults filled in and
/// every value checked against its declared type and range.
public struct BoundParameters: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case scalar(Double)
        case list([Double])
    }

    public let values: [Value]

    /// Binds `name=value` assignments (as given to `--param`) to a loss's parameters.
    public static func bind(_ assignments: [String], to info: LossInfo) throws(EvaluationError) -> BoundParameters {
        var given: [String: String] = [:]
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "=") else {
                throw EvaluationError("--param '\(assignment)' is not NAME=VALUE", input: .parameter)
            }
            let name = String(assignment[..<eq]).trimmingSpaces, text = String(assignment[assignment.index(after: eq)...])
            _ = try parameter(name, of: info)
            guard given[name] == nil else { throw EvaluationError("param '\(name)' is given twice", input: .parameter) }
            given[name] = text
        }
        var numbers: [(name: String, values: [Double])] = []
        for p in info.parameters {
            guard let text = given[p.name] else { continue }
            let items = p.type == .list ? text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) : [text]
            var parsed: [Double] = []
            for item in items { parsed.append(try number(item, p)) }
            numbers.append((p.name, parsed))
        }
        return try bind(values: numbers, to: info)
    }

    /// Binds parameters given as numbers by name (the C host API's typed
    /// parameters): one value for a real, integer or boolean parameter (1/0),
    /// any number for a list (none: not given). The checks and messages are
    /// those of the `NAME=VALUE` form.
    public static func bind(values given: [(name: String, values: [Double])], to info: LossInfo) throws(EvaluationError) -> BoundParameters {
        var byName: [String: [Double]] = [:]
        for (name, items) in given {
            let p = try parameter(name, of: info)
            guard byName[name] == nil else { throw EvaluationError("param '\(name)' is given twice", input: .parameter) }
            if p.type != .list && items.count != 1 {
                throw EvaluationError("param '\(name)' takes one value, got \(items.count)", input: .parameter)
            }
            for value in items { try check(value, shown: formatNumber(value), p) }
            byName[name] = items
        }
        return BoundParameters(values: info.parameters.map { p in
            switch (p.type, byName[p.name]) {
            case (.list, let items): .list(items ?? [])
            case (_, let items?): .scalar(items[0])
            case (_, nil): .scalar(p.defaultValue)
            }
        })
    }

    /// The declared parameter called `name`, or the error listing the loss's parameters.
    private static func parameter(_ name: String, of info: LossInfo) throws(EvaluationError) -> ParameterInfo {
        guard let p = info.parameters.first(where: { $0.name == name }) else {
            let known = info.parameters.map(\.name)
            let hint = known.isEmpty ? "it has no parameters" : "its parameters: \(known.joined(separator: ", "))"
            throw EvaluationError("unknown param '\(name)' for loss '\(info.id)' (\(hint))", input: .parameter)
        }
        return p
    }

    /// The NAME of a `NAME=VALUE` assignment (spaces trimmed), or nil when it has no `=`.
    public static func name(of assignment: String) -> String? {
        guard let eq = assignment.firstIndex(of: "=") else { return nil }
        return String(assignment[..<eq]).trimmingSpaces
    }

    /// The defaults of every parameter.
    public static func defaults(for info: LossInfo) -> BoundParameters {
        BoundParameters(values: info.parameters.map { $0.type == .list ? .list([]) : .scalar($0.defaultValue) })
    }

    private static func number(_ raw: String, _ p: ParameterInfo) throws(EvaluationError) -> Double {
        let text = raw.trimmingSpaces
        let value: Double?
        switch (p.type, text.lowercased()) {
        case (.boolean, "true"), (.boolean, "yes"): value = 1
        case (.boolean, "false"), (.boolean, "no"): value = 0
        default: value = Double(text)
        }
        guard let value else {
            throw EvaluationError("param '\(p.name)': '\(text)' is not a number", input: .parameter)
        }
        try check(value, shown: text, p)
        return value
    }

    /// A value must be finite and inside the parameter's declared range; `shown` is how the caller wrote it.
    private static func check(_ value: Double, shown: String, _ p: ParameterInfo) throws(EvaluationError) {
        guard value.isFinite else {
            throw EvaluationError("param '\(p.name)': '\(shown)' is not a number", input: .parameter)
        }
        guard p.admits(value) else {
            let what = p.type == .integer ? "a whole number in " : p.type == .boolean ? "0 or 1, in " : ""
            throw EvaluationError("param '\(p.name)' = \(shown) is out of range: expected \(what)\(p.rangeDescription)",
                                  input: .parameter)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
