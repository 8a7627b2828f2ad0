import Foundation

/// Draws a `Figure` as text for a terminal: one character grid per panel,
/// one mark per series, y labels on the left, x range below, then a legend.
public enum ASCIIChart {
    public static func render(_ figure: Figure, width: Int = 64, height: Int = 16) -> String {
        var out = figure.title + "\n"
        var legend: [String] = []
        var seen = Set<String>()
        for panel in figure.panels {
            let (xr, yr) = panel.bounds
            var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
            func col(_ x: Double) -> Int { Int(((x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * Double(width - 1)).rounded()) }
            func row(_ y: Double) -> Int { height - 1 - Int(((y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * Double(height - 1)).rounded()) }
            if yr.contains(0) { let r = row(0); for c in 0..<width { grid[r][c] = "-" } }
            if xr.contains(0) { let c = col(0); for r in 0..<height { grid[r][c] = grid[r][c] == "-" ? "+" : "|" } }
            for s in panel.series {
                let mark = Figure.marks[s.color % Figure.marks.count]
                // Sample every column so steep curves stay connected.
                for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite {
                    let r = row(y), c = col(x)
                    if (0..<height).contains(r) && (0..<width).contains(c) { grid[r][c] = mark }
                }
                // One legend entry per mark, named after its first series.
                if seen.insert(String(mark)).inserted { legend.append("\(mark) \(s.name)") }
            }
            let top = Figure.label(yr.upperBound), bottom = Figure.label(yr.lowerBound)
            let margin = max(top.count, bottom.count, 1)
            out += "\n" + panel.title + "\n"
            for (r, line) in grid.enumerated() {
                let label = r == 0 ? top : r == height - 1 ? bottom : ""
                out += String(repeating: " ", count: margin - label.count) + label + " |" + String(line) + "\n"
            }
            out += String(repeating: " ", count: margin) + " +" + String(repeating: "-", count: width) + "\n"
            let lo = Figure.label(xr.lowerBound), hi = Figure.label(xr.upperBound)
            let pad = max(1, width - lo.count - hi.count)
            out += String(repeating: " ", count: margin + 2) + lo + String(repeating: " ", count: pad) + hi + "\n"
            out += String(repeating: " ", count: margin + 2) + panel.xLabel + "\n"
        }
        out += "\n" + legend.joined(separator: "   ") + "\n"
        return out
    }
}
