/// The ids to suggest for a loss id that names no loss: the same id in another
/// case, ids within a small edit distance, and ids that contain it or start alike.
/// A qualified id (`plugin/loss`) gets qualified suggestions, in that plugin when
/// it exists.
enum LossSuggestions {
    /// `all`: every (plugin, loss) pair, in plugin order.
    static func suggestions(for id: String, in all: [(plugin: String, loss: String)]) -> [String] {
        let wanted = id.lowercased()
        if let slash = wanted.firstIndex(of: "/") {
            let plugin = String(wanted[..<slash]), loss = String(wanted[wanted.index(after: slash)...])
            let own = all.filter { $0.plugin.lowercased() == plugin }
            // In the plugin named; else across plugins with a similar name or that loss.
            let pool = own.isEmpty ? all.filter { close(plugin, $0.plugin.lowercased()) || close(loss, $0.loss.lowercased()) } : own
            return rank(loss, pool.map { ($0.loss.lowercased(), "\($0.plugin)/\($0.loss)") })
        }
        let counts = Dictionary(all.map { ($0.loss, 1) }, uniquingKeysWith: +)
        return rank(wanted, all.map { ($0.loss.lowercased(), counts[$0.loss] == 1 ? $0.loss : "\($0.plugin)/\($0.loss)") })
    }

    /// Candidates that resemble `wanted`, closest first, each once.
    private static func rank(_ wanted: String, _ candidates: [(key: String, shown: String)]) -> [String] {
        var scored: [(Int, Int, String)] = []
        for (i, c) in candidates.enumerated() {
            let d = distance(wanted, c.key)
            let near = d <= max(1, min(wanted.count, c.key.count) / 3)
            let related = c.key.contains(wanted) || wanted.contains(c.key) || c.key.hasPrefix(String(wanted.prefix(3)))
            guard wanted.count >= 2, near || related else { continue }
            scored.append((near ? d : 100 + d, i, c.shown))
        }
        // The same id in another case is the answer.
        if scored.contains(where: { $0.0 == 0 }) { scored.removeAll { $0.0 != 0 } }
        var seen = Set<String>()
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2).filter { seen.insert($0).inserted }
    }

    private static func close(_ a: String, _ b: String) -> Bool {
        distance(a, b) <= max(1, min(a.count, b.count) / 3)
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
