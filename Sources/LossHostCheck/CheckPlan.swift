import Foundation

/// The named checks for a target, in the order they run: `plugin.load`,
/// `plugin.metadata`, then each loss's checks (`huber.gradient`, …).
public struct CheckPlan: Sendable {
    /// The checks every loss gets, in order.
    public enum LossCheckKind: String, Sendable, CaseIterable {
        case lifecycle, gradient, hessian, boosting, fused, composition, determinism, threads, robustness, memory, params, float32
    }

    public struct Item: Sendable {
        public var name: String
        /// nil for the plugin-level checks.
        public var loss: String?
        public var kind: LossCheckKind?
    }

    public var items: [Item]

    /// The plan for `losses` of a plugin, keeping only names that match `only`
    /// (a glob such as `*.gradient`, or a substring); `plugin.load` always runs.
    public init(losses: [String], only: String?) {
        var all = [Item(name: "plugin.load", loss: nil, kind: nil), Item(name: "plugin.metadata", loss: nil, kind: nil)]
        for loss in losses {
            for kind in LossCheckKind.allCases { all.append(Item(name: "\(loss).\(kind.rawValue)", loss: loss, kind: kind)) }
        }
        items = all.filter { $0.name == "plugin.load" || Self.matches($0.name, only) }
    }

    static func matches(_ name: String, _ pattern: String?) -> Bool {
        guard let pattern, !pattern.isEmpty else { return true }
        if pattern.contains("*") || pattern.contains("?") { return fnmatch(pattern, name, 0) == 0 }
        return name.contains(pattern)
    }
}
