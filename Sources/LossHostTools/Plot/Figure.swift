import Foundation

/// A figure of line charts, stacked vertically, that renders to SVG or to text.
public struct Figure: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        /// Index into the palette; series that belong together share a colour.
        public var color: Int
        public var dashed: Bool

        public init(name: String, x: [Double], y: [Double], color: Int, dashed: Bool = false) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
            self.dashed = dashed
        }
    }

    public struct Panel: Sendable {
        public var title: String
        public var xLabel: String
        public var yLabel: String
        public var series: [Series]

        public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.series = series
        }

        /// The data bounds over finite points, widened when flat.
        var bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
            var x0 = Double.infinity, x1 = -Double.infinity, y0 = Double.infinity, y1 = -Double.infinity
            for s in series {
                for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite {
                    x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
                }
            }
            if !x0.isFinite { x0 = 0; x1 = 1 }
            if !y0.isFinite { y0 = 0; y1 = 1 }
            if x1 - x0 <= 0 { x0 -= 0.5; x1 += 0.5 }
            if y1 - y0 <= 1e-12 * max(1, abs(y0)) { y0 -= 0.5; y1 += 0.5 }
            return (x0...x1, y0...y1)
        }
    }

    public var title: String
    public var panels: [Panel]

    public init(title: String, panels: [Panel]) {
        self.title = title
        self.panels = panels
    }

    /// Colours that stay apart for colour-blind readers (Okabe–Ito).
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
    /// Marks for the text chart, one per colour.
    public static let marks: [Character] = ["*", "o", "+", "x", "#", "@", "%", "&"]

    /// About `count` round tick values covering `range`.
    public static func ticks(_ range: ClosedRange<Double>, count: Int = 8) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(max(count - 1, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Double] = []
        var t = ceil(range.lowerBound / step - 1e-9) * step
        while t <= range.upperBound + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }

    /// A tick label: short, no trailing zeros.
    public static func label(_ x: Double) -> String {
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.2g", x) }
        var s = String(format: "%.4f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
