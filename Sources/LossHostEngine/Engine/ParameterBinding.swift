import LossKit

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
            guard info.parameters.contains(where: { $0.name == name }) else {
                let known = info.parameters.map(\.name)
                let hint = known.isEmpty ? "it has no parameters" : "its parameters: \(known.joined(separator: ", "))"
                throw EvaluationError("unknown param '\(name)' for loss '\(info.id)' (\(hint))", input: .parameter)
            }
            guard given[name] == nil else { throw EvaluationError("param '\(name)' is given twice", input: .parameter) }
            given[name] = text
        }
        var values: [Value] = []
        for p in info.parameters {
            guard let text = given[p.name] else {
                values.append(p.type == .list ? .list([]) : .scalar(p.defaultValue))
                continue
            }
            if p.type == .list {
                var items: [Double] = []
                for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                    items.append(try number(String(item), p))
                }
                values.append(.list(items))
            } else {
                values.append(.scalar(try number(text, p)))
            }
        }
        return BoundParameters(values: values)
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
        guard let value, value.isFinite else {
            throw EvaluationError("param '\(p.name)': '\(text)' is not a number", input: .parameter)
        }
        guard p.admits(value) else {
            let what = p.type == .integer ? "a whole number in " : p.type == .boolean ? "0 or 1, in " : ""
            throw EvaluationError("param '\(p.name)' = \(text) is out of range: expected \(what)\(p.rangeDescription)",
                                  input: .parameter)
        }
        return value
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
