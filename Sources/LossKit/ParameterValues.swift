/// The parameter values an instance is created with: every declared parameter,
/// defaults filled in and ranges already checked by the host.
public struct ParameterValues: Sendable {
    public private(set) var scalars: [String: Double]
    public private(set) var lists: [String: [Double]]

    public init(scalars: [String: Double] = [:], lists: [String: [Double]] = [:]) {
        self.scalars = scalars
        self.lists = lists
    }

    /// The value of a real, integer or boolean parameter (0 if undeclared).
    public subscript(_ name: String) -> Double { scalars[name] ?? 0 }

    /// The value of an integer parameter.
    public func integer(_ name: String) -> Int { Int(self[name]) }

    /// The value of a boolean parameter.
    public func flag(_ name: String) -> Bool { self[name] != 0 }

    /// The items of a list parameter; empty when not given.
    public func list(_ name: String) -> [Double] { lists[name] ?? [] }
}
