// Figure: a page of panels in a grid, with an optional title, row labels,
// colour bars and a label under the grid. `draw(into:)` lays it out with the
// renderer's text measurements and draws it; saving to SVG/PDF/PNG is in
// FiguresCairo. Plain values in, no tensors and no I/O here.

public struct Figure: Sendable {
    /// Size in points (1/72 inch).
    public var width: Double
    public var height: Double
    public var title: String?
    /// Panels in row-major order, `columns` to a row.
    public var panels: [Panel]
    public var columns: Int
    /// All plotting panels share one x range; only the bottom row labels it.
    public var sharedX: Bool
    /// All plotting panels share one y range; only the first column labels it.
    public var sharedY: Bool
    /// One per row, drawn left of the row; empty for none.
    public var rowLabels: [String]
    public var colorBars: [ColorBar]
    /// A label centred under the whole grid (e.g. "frame").
    public var bottomLabel: String?
    public var style: FigureStyle
    /// PNG resolution in dots per inch, written into the file (pHYs); nil: the
    /// saver's scale (2 pixels a point, 144 dpi) and no resolution tag.
    public var dpi: Double? = nil
    /// SVG only: text as <text> elements naming DejaVu Sans (editable), not
    /// glyph outlines (FiguresCairo/SVGText.swift).
    public var svgText = false
    /// What the saved file says about itself (FigureMetadata.swift).
    public var metadata = FigureMetadata()

    public init(width: Double = 480, height: Double = 320, columns: Int = 1, panels: [Panel] = [],
                title: String? = nil) {
        self.width = width; self.height = height; self.columns = columns; self.panels = panels
        self.title = title
        sharedX = false; sharedY = false; rowLabels = []; colorBars = []; bottomLabel = nil
        style = .standard
    }

    public var rows: Int { columns > 0 ? (panels.count + columns - 1) / columns : 0 }

    /// Throws when the figure cannot be drawn as described.
    public func validate() throws {
        guard width.isFinite, height.isFinite, width > 0, height > 0 else {
            throw FigureError.invalidFigureSize(width: width, height: height)
        }
        guard columns >= 1 else { throw FigureError.invalidArgument("a figure needs at least one column, got \(columns)") }
        guard !panels.isEmpty else { throw FigureError.empty("figure panel list") }
        guard rowLabels.isEmpty || rowLabels.count == rows else {
            throw FigureError.lengthMismatch(what: "row labels", expected: rows, got: rowLabels.count)
        }
        for (i, bar) in colorBars.enumerated() {
            if let r = bar.rows, r.lowerBound < 0 || r.upperBound >= rows {
                throw FigureError.invalidArgument("colour bar \(i) spans rows \(r.lowerBound)...\(r.upperBound), but the figure has \(rows) rows")
            }
            guard bar.range.lowerBound.isFinite, bar.range.upperBound.isFinite else {
                throw FigureError.invalidArgument("colour bar \(i) has a non-finite range")
            }
        }
        for (i, p) in panels.enumerated() where p.style == .image {
            guard let base = p.imageLayers.first else { throw FigureError.empty("image panel \(i) layer list") }
            for m in p.markers where m.y < 0 || m.x < 0 || m.y >= base.values.height || m.x >= base.values.width {
                throw FigureError.queryOutOfBounds(y: m.y, x: m.x, width: base.values.width, height: base.values.height)
            }
        }
    }

    /// This figure, taller where its page is too short for what it holds:
    /// every plotting panel keeps at least 40 % of its share of the requested
    /// height (at least 40 pt) after its titles, labels and a legend below it;
    /// an image grid's captions, the line under it and its colour bars' labels fit.
    /// The width, the author's choice, never changes. Saving draws this.
    public func fitted() throws -> Figure {
        try validate()
        var f = self
        let want = max(40, 0.4 * height / Double(max(rows, 1)))
        for _ in 0..<16 {
            let layout = try FigureLayout(figure: f, renderer: RecordingRenderer())
            // an image grid narrowed to a page: taller until its captions and notes fit
            if layout.shortfall > 0.5 { f.height = (f.height + layout.shortfall + 1).rounded(.up); continue }
            let shortest = zip(f.panels, layout.placements).filter { $0.0.style == .axes }.map { $0.1.plot.height }.min()
            guard let shortest, shortest < want - 0.5 else { break }
            // At its 10 pt floor a plot says nothing of the shortfall: grow by half, else by the shortfall.
            f.height = shortest <= 10.5 ? (f.height * 1.5).rounded(.up)
                : (f.height + (want - shortest) * Double(f.rows) + 1).rounded(.up)
        }
        return f
    }

    /// Lay the figure out and draw it.
    public func draw(into target: Renderer) throws {
        try validate()
        let renderer: Renderer = style.opaque ? FlatColorRenderer(target) : target
        let layout = try FigureLayout(figure: self, renderer: renderer)
        renderer.fill(Path.rect(Rect(x: 0, y: 0, width: width, height: height)), color: .white)
        for (panel, placement) in zip(panels, layout.placements) {
            switch panel.style {
            case .axes: PanelDrawing.drawAxes(panel, placement, style: style, renderer: renderer)
            case .image: try PanelDrawing.drawImage(panel, placement, style: style, renderer: renderer)
            case .blank: PanelDrawing.drawBlank(panel, placement, style: style, renderer: renderer)
            }
        }
        if let t = title, let at = layout.titlePoint {
            let (font, lines) = TextFit.fit(t, font: style.titleFont, width: width - 2 * style.outerPadding, renderer: renderer)
            for (k, line) in lines.enumerated() {
                renderer.drawText(line, at: Point(at.x, at.y + Double(k) * font.size * 1.1), font: font, color: .ink,
                                  anchor: TextAnchor(.center, .top), rotation: .horizontal)
            }
        }
        for l in layout.rowLabels {
            renderer.drawText(l.text, at: l.point, font: style.rowLabelFont, color: .ink, anchor: l.anchor,
                              rotation: l.rotation)
        }
        for (k, (bar, rect)) in zip(colorBars, layout.colorBarRects).enumerated() {
            PanelDrawing.drawColorBar(bar, in: rect, label: layout.colorBarLabels[k], style: style, renderer: renderer)
        }
        if let b = bottomLabel, let at = layout.bottomLabelPoint {
            renderer.drawText(b, at: at, font: style.axisLabelFont, color: .ink, anchor: TextAnchor(.center, .top),
                              rotation: .horizontal)
        }
    }
}
