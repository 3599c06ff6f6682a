// AttentionPlot: attention maps over the input frames — the figure behind the
// notebook built-in `plot_attention`. One panel per time step shows the map
// (through a colour map, partly transparent) over that step's input frame,
// with the query pixel ringed and one colour bar, one colour scale, for all
// panels; `grid` does the same for several query pixels, one row each. Steps
// whose input is the model's own prediction are captioned with a "*" (short enough for a
// page-wide grid of 7 pt captions) and a line
// under the panels says so. The page grows to fit the title, the captions
// and the colour bar's label at any number of panels (LayoutTests checks 1–12).

/// A pixel, as (row, column) in input-frame coordinates.
public struct PixelQuery: Sendable, Equatable {
    public var y: Int
    public var x: Int
    public init(y: Int, x: Int) { self.y = y; self.x = x }
}

public enum AttentionPlot {
    /// Panel edge in points.
    static let cell = 66.0

    /// One panel per time step (a row of up to six; more wrap into two or
    /// more rows of at most ten).
    /// - Parameters:
    ///   - frames: the input frame of each step (values in `frameRange`).
    ///   - maps: the attention map of each step; its width and height must
    ///     divide the frame's (a 16×16 map stretches over a 64×64 frame) or equal it.
    ///   - query: the query pixel in frame coordinates, ringed in every panel.
    ///   - frameLabels: captions under the panels; default "t = 1", "t = 2", …
    ///   - opacity: of the map over the frame (0 shows only the frame).
    ///   - predicted: indices of the panels whose frame is a prediction (captioned "t = 12*").
    public static func figure(frames: [FloatImage], maps: [FloatImage], query: PixelQuery,
                              frameLabels: [String]? = nil, title: String? = nil,
                              colorMap: ColorMap = .viridis, opacity: Double = 0.6,
                              frameRange: ClosedRange<Double> = 0...1, predicted: Set<Int> = []) throws -> Figure {
        try grid(frames: frames, queries: [query], maps: [maps], frameLabels: frameLabels, title: title,
                 colorMap: colorMap, opacity: opacity, frameRange: frameRange, predicted: predicted)
    }

    /// The caption mark of a step that reads a predicted frame.
    public static let predictedMark = "*"
    /// The line under a figure with predicted steps.
    public static let predictedNote = "*: the step's input is the model's own prediction"

    /// A grid: one row per query pixel (`maps[q]` holds that query's maps, one
    /// per frame), one column per time step, one shared colour bar.
    public static func grid(frames: [FloatImage], queries: [PixelQuery], maps: [[FloatImage]],
                            frameLabels: [String]? = nil, title: String? = nil,
                            colorMap: ColorMap = .viridis, opacity: Double = 0.6,
                            frameRange: ClosedRange<Double> = 0...1, predicted: Set<Int> = []) throws -> Figure {
        guard !frames.isEmpty else { throw FigureError.empty("plot_attention frame list") }
        guard !queries.isEmpty else { throw FigureError.empty("plot_attention query list") }
        guard maps.count == queries.count else {
            throw FigureError.lengthMismatch(what: "attention map lists (one per query)", expected: queries.count, got: maps.count)
        }
        let f0 = frames[0]
        for (t, f) in frames.enumerated() where f.width != f0.width || f.height != f0.height {
            throw FigureError.sizeMismatch(what: "frame \(t)", expected: "\(f0.width)×\(f0.height)", got: "\(f.width)×\(f.height)")
        }
        for (q, list) in maps.enumerated() {
            guard list.count == frames.count else {
                throw FigureError.lengthMismatch(what: "attention maps for query \(q) (one per frame)",
                                                 expected: frames.count, got: list.count)
            }
            for (t, m) in list.enumerated() {
                let fits = (f0.width % m.width == 0 && f0.height % m.height == 0)
                    || (m.width % f0.width == 0 && m.height % f0.height == 0)
                guard fits else {
                    throw FigureError.sizeMismatch(what: "attention map \(t) of query \(q) (must divide or equal the \(f0.width)×\(f0.height) frame)",
                                                   expected: "\(f0.width)×\(f0.height)", got: "\(m.width)×\(m.height)")
                }
            }
        }
        for q in queries where q.y < 0 || q.x < 0 || q.y >= f0.height || q.x >= f0.width {
            throw FigureError.queryOutOfBounds(y: q.y, x: q.x, width: f0.width, height: f0.height)
        }
        if let labels = frameLabels, labels.count != frames.count {
            throw FigureError.lengthMismatch(what: "frame labels", expected: frames.count, got: labels.count)
        }
        guard opacity >= 0 && opacity <= 1 else {
            throw FigureError.invalidArgument("attention map opacity must be in 0...1, got \(opacity)")
        }

        // One colour range for every map, so the bar reads across panels.
        var lo = 0.0, hi = -Double.infinity
        for list in maps { for m in list { if let r = m.finiteRange { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) } } }
        if !(hi > lo) { hi = lo + 1 }
        let range = lo...ColorBar.niceUpper(lower: lo, upper: hi)   // the bar ticked at both ends

        let steps = frames.count
        // One query: up to six steps in a row, more wrap into rows of at most
        // ten so the figure stays near a page width. Several queries: one row each.
        let columns = queries.count > 1 || steps <= 6 ? steps : min(10, (steps + 1) / 2)
        var panels: [Panel] = []
        for (q, query) in queries.enumerated() {
            for t in 0..<steps {
                let layers = [ImageLayer(values: frames[t], colorMap: .gray, range: frameRange),
                              ImageLayer(values: maps[q][t], colorMap: colorMap, range: range, opacity: opacity)]
                let lastRow = queries.count == 1 || q == queries.count - 1
                let caption = lastRow ? (frameLabels?[t] ?? "t = \(t + 1)") + (predicted.contains(t) ? predictedMark : "") : nil
                panels.append(.image(layers, markers: [PixelMarker(y: query.y, x: query.x)], caption: caption))
            }
        }
        let rows = (panels.count + columns - 1) / columns
        var fig = Figure(width: 0, height: 0, columns: columns, panels: panels, title: title)
        let bar = ColorBar(colorMap: colorMap, range: range, label: "attention weight")
        fig.colorBars = [bar]
        if queries.count > 1 {
            fig.rowLabels = queries.map { "query (y, x) = (\($0.y), \($0.x))" }
        }
        if !predicted.intersection(0..<steps).isEmpty { fig.bottomLabel = predictedNote }
        let s = fig.style
        func width(_ text: String, _ font: Font) -> Double { DejaVuMetrics.width(of: text, size: font.size, bold: font.bold) }
        // Panels large enough that the colour bar beside the rows holds its label
        // (turned up, at the axis-label size) and each caption fits under its panel.
        let ticks = bar.ticks(maxTicks: 6)
        let barLabel = bar.fullLabel(ticks) ?? ""
        let captions = panels.compactMap(\.caption).map { width($0, s.captionFont) }.max() ?? 0
        let need = (width(barLabel, s.axisLabelFont) + 12 - Double(rows - 1) * s.imageGap) / Double(rows)
        // Non-square frames: the longer side is `cell`, the panel keeps the frame's aspect,
        // and is still tall enough for the bar's label and wide enough for its caption.
        let aspect = Double(f0.width) / Double(f0.height)
        let panelH = max(aspect >= 1 ? cell / aspect : cell, need, (captions + 4) / aspect)
        let side = panelH * aspect
        // Room right of the block: as FigureLayout reserves it for the colour bar.
        let tickLabels = ticks.major.map { width($0.label, s.tickFont) }.max() ?? 0
        let barRoom = s.colorBarGap + s.colorBarWidth + s.tickLength + s.labelGap + tickLabels
            + (barLabel.isEmpty ? 0 : s.axisTitleGap + s.axisLabelFont.size) + 6
        // Row labels are written across (they are longer than a panel is tall).
        let rowLabelRoom = (fig.rowLabels.map { width($0, s.rowLabelFont) }.max() ?? -8) + 8
        let block = rowLabelRoom + Double(columns) * side + Double(columns - 1) * s.imageGap
        // The title is centred on the page, the bottom line under the block (left of the bar).
        let titleWidth = title.map { width($0, s.titleFont) + 4 } ?? 0
        let noteWidth = fig.bottomLabel.map { width($0, s.axisLabelFont) + 4 } ?? 0
        fig.width = (2 * s.outerPadding + max(block + barRoom, titleWidth, noteWidth + barRoom)).rounded(.up)
        fig.height = (2 * s.outerPadding + (title != nil ? s.titleFont.size * 1.1 + 6 : 0)
            + Double(rows) * (panelH + s.imageGap) + Double(queries.count == 1 ? rows : 1) * (3 + s.captionFont.size) + 2
            + (fig.bottomLabel != nil ? s.axisLabelFont.size + 6 : 0)).rounded(.up)
        return fig
    }
}
