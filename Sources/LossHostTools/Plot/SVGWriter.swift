import Foundation

/// Writes a `Figure` as a standalone SVG 1.1 document: per panel a frame, grid,
/// ticks with labels, axis titles, the zero lines, and one `<path>` per series
/// (clipped to the panel); a legend for the whole figure. Only `<path>` elements
/// draw data, so a reader can count the curves.
public enum SVGWriter {
    public static func svg(_ figure: Figure, width: Int = 820, panelHeight: Int = 300) -> String {
        let names = legendEntries(figure)
        let W = Double(width)
        let top = 62.0, gap = 64.0, left = 78.0, right = 24.0
        // As many legend columns as the longest name allows (about 7 px a character).
        let longest = Double(names.map(\.name.count).max() ?? 10)
        let columns = max(1, min(3, Int((W - left - right) / (longest * 7.2 + 48))))
        let legendRows = (names.count + columns - 1) / columns + (hasDashed(figure) ? 1 : 0)
        let legendHeight = Double(legendRows) * 22 + 16
        let plotH = Double(panelHeight)
        let height = top + Double(figure.panels.count) * (plotH + gap) + legendHeight
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(Int(height))" viewBox="0 0 \(width) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(width)" height="\(Int(height))" fill="#ffffff"/>
            <text x="\(f(W / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold">\(escape(figure.title))</text>

            """
        for (index, panel) in figure.panels.enumerated() {
            let y0 = top + Double(index) * (plotH + gap)
            let box = (x: left, y: y0, w: W - left - right, h: plotH)
            let (xr, yrRaw) = panel.bounds
            let yPad = (yrRaw.upperBound - yrRaw.lowerBound) * 0.05
            let yr = (yrRaw.lowerBound - yPad)...(yrRaw.upperBound + yPad)
            func px(_ x: Double) -> Double { box.x + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * box.w }
            func py(_ y: Double) -> Double { box.y + box.h - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * box.h }
            out += "<g class=\"panel\">\n"
            out += "<text x=\"\(f(box.x))\" y=\"\(f(box.y - 8))\" font-size=\"13\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
            out += "<clipPath id=\"clip\(index)\"><rect x=\"\(f(box.x))\" y=\"\(f(box.y))\" width=\"\(f(box.w))\" height=\"\(f(box.h))\"/></clipPath>\n"
            // Grid and ticks.
            for t in Figure.ticks(xr) {
                let x = px(t)
                out += "<line x1=\"\(f(x))\" y1=\"\(f(box.y))\" x2=\"\(f(x))\" y2=\"\(f(box.y + box.h))\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n"
                out += "<line x1=\"\(f(x))\" y1=\"\(f(box.y + box.h))\" x2=\"\(f(x))\" y2=\"\(f(box.y + box.h + 5))\" stroke=\"#333333\" stroke-width=\"1\"/>\n"
                out += "<text x=\"\(f(x))\" y=\"\(f(box.y + box.h + 18))\" text-anchor=\"middle\">\(Figure.label(t))</text>\n"
            }
            for t in Figure.ticks(yr) {
                let y = py(t)
                out += "<line x1=\"\(f(box.x))\" y1=\"\(f(y))\" x2=\"\(f(box.x + box.w))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n"
                out += "<line x1=\"\(f(box.x - 5))\" y1=\"\(f(y))\" x2=\"\(f(box.x))\" y2=\"\(f(y))\" stroke=\"#333333\" stroke-width=\"1\"/>\n"
                out += "<text x=\"\(f(box.x - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Figure.label(t))</text>\n"
            }
            // Zero lines, when inside.
            if xr.contains(0) {
                out += "<line x1=\"\(f(px(0)))\" y1=\"\(f(box.y))\" x2=\"\(f(px(0)))\" y2=\"\(f(box.y + box.h))\" stroke=\"#999999\" stroke-width=\"1\"/>\n"
            }
            if yr.contains(0) {
                out += "<line x1=\"\(f(box.x))\" y1=\"\(f(py(0)))\" x2=\"\(f(box.x + box.w))\" y2=\"\(f(py(0)))\" stroke=\"#999999\" stroke-width=\"1\"/>\n"
            }
            // Frame and axis titles.
            out += "<rect x=\"\(f(box.x))\" y=\"\(f(box.y))\" width=\"\(f(box.w))\" height=\"\(f(box.h))\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n"
            out += "<text x=\"\(f(box.x + box.w / 2))\" y=\"\(f(box.y + box.h + 38))\" text-anchor=\"middle\">\(escape(panel.xLabel))</text>\n"
            let ly = box.y + box.h / 2
            out += "<text x=\"18\" y=\"\(f(ly))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f(ly)))\">\(escape(panel.yLabel))</text>\n"
            // One path per series; non-finite points break the line.
            for s in panel.series {
                var d = ""
                var pen = false
                for (x, y) in zip(s.x, s.y) {
                    guard x.isFinite, y.isFinite else { pen = false; continue }
                    d += (pen ? " L" : (d.isEmpty ? "M" : " M")) + "\(f(px(x))),\(f(py(y)))"
                    pen = true
                }
                if d.isEmpty { d = "M\(f(box.x)),\(f(box.y))" }
                let color = Figure.palette[s.color % Figure.palette.count]
                let dash = s.dashed ? " stroke-dasharray=\"7 4\"" : ""
                out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) stroke-linejoin=\"round\" clip-path=\"url(#clip\(index))\"><title>\(escape(s.name))</title></path>\n"
            }
            out += "</g>\n"
        }
        // Legend: a short line (not a path) and the name per colour; then what dashes mean.
        let legendTop = top + Double(figure.panels.count) * (plotH + gap) - gap + 52
        out += "<g class=\"legend\">\n"
        let column = (W - left - right) / Double(columns)
        for (i, entry) in names.enumerated() {
            let x = left + Double(i % columns) * column, y = legendTop + Double(i / columns) * 22
            let color = Figure.palette[entry.color % Figure.palette.count]
            out += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 28))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"2.5\"/>\n"
            out += "<text x=\"\(f(x + 36))\" y=\"\(f(y + 4))\">\(escape(entry.name))</text>\n"
        }
        if hasDashed(figure) {
            let y = legendTop + Double((names.count + columns - 1) / columns) * 22
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + 28))\" y2=\"\(f(y))\" stroke=\"#333333\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(f(left + 36))\" y=\"\(f(y + 4))\">loss (solid)</text>\n"
            out += "<line x1=\"\(f(left + 150))\" y1=\"\(f(y))\" x2=\"\(f(left + 178))\" y2=\"\(f(y))\" stroke=\"#333333\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\n"
            out += "<text x=\"\(f(left + 186))\" y=\"\(f(y + 4))\">gradient (dashed)</text>\n"
        }
        out += "</g>\n</svg>\n"
        return out
    }

    /// One legend entry per colour, named after its first (solid) series.
    static func legendEntries(_ figure: Figure) -> [(name: String, color: Int)] {
        var entries: [(name: String, color: Int)] = []
        let all = figure.panels.flatMap(\.series)
        for s in all.filter({ !$0.dashed }) + all.filter(\.dashed) where !entries.contains(where: { $0.color == s.color }) {
            entries.append((s.name, s.color))
        }
        return entries
    }

    static func hasDashed(_ figure: Figure) -> Bool {
        figure.panels.contains { $0.series.contains(where: \.dashed) }
    }

    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
