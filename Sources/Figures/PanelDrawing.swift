// PanelDrawing: draws one placed panel — grid, data, frame, ticks, labels and
// legend of a plotting panel; picture, markers, title and caption of an image
// panel — and colour bars. Lines are clipped to the plotting area here
// (Liang–Barsky), so renderers need no clipping.

enum PanelDrawing {
    /// Series projected into figure space and clipped to `plot`: one list of
    /// polylines per line series, and every visible scatter/marker point.
    static func projectedLines(_ p: Panel, plot: Rect, x: ResolvedAxis, y: ResolvedAxis) -> [[[Point]]] {
        p.lines.map { l in projectedPolyline(l.x, l.y, plot: plot, x: x, y: y) }
    }

    /// One polyline in figure space, clipped to `plot`, as runs of at least two points.
    static func projectedPolyline(_ xs: [Double], _ ys: [Double], plot: Rect, x: ResolvedAxis, y: ResolvedAxis) -> [[Point]] {
            var runs: [[Point]] = []
            var current: [Point] = []
            var prev: Point? = nil
            func flush() { if current.count >= 2 { runs.append(current) }; current = [] }
            for (vx, vy) in zip(xs, ys) {
                guard let px = x.position(vx, start: plot.minX, end: plot.maxX),
                      let py = y.position(vy, start: plot.maxY, end: plot.minY) else {
                    flush(); prev = nil; continue
                }
                let q = Point(px, py)
                if let a = prev {
                    if let (c0, c1) = plot.clipSegment(a, q) {
                        if current.last != c0 { flush(); current = [c0] }
                        current.append(c1)
                        if c1 != q { flush() }
                    } else {
                        flush()
                    }
                }
                prev = q
            }
            flush()
            return runs
    }

    /// Points (scatter and line markers) inside `plot`, in figure space.
    static func projectedPoints(_ xs: [Double], _ ys: [Double], plot: Rect, x: ResolvedAxis, y: ResolvedAxis) -> [Point] {
        zip(xs, ys).compactMap { (vx, vy) in
            guard let px = x.position(vx, start: plot.minX, end: plot.maxX),
                  let py = y.position(vy, start: plot.maxY, end: plot.minY) else { return nil }
            let q = Point(px, py)
            return plot.inset(by: -0.01).contains(q) ? q : nil
        }
    }

    /// Everything the legend must avoid: line polylines and point positions.
    static func project(_ p: Panel, plot: Rect, x: ResolvedAxis, y: ResolvedAxis) -> ([[Point]], [Point]) {
        var lines = projectedLines(p, plot: plot, x: x, y: y).flatMap { $0 }
        // A band is data too: its two edges, and segments from low to high across its inside.
        for b in p.bands {
            lines += projectedPolyline(b.x, b.high, plot: plot, x: x, y: y)
            lines += projectedPolyline(b.x, b.low, plot: plot, x: x, y: y)
            for k in b.x.indices {
                // Eight segments per interval (linear between the x's), so no box fits unseen between two of them.
                let parts = k + 1 < b.x.count ? 8 : 1
                for j in 0..<parts {
                    let t = Double(j) / Double(parts), u = k + 1 < b.x.count ? k + 1 : k
                    let vx = b.x[k] + t * (b.x[u] - b.x[k])
                    let lo = b.low[k] + t * (b.low[u] - b.low[k]), hi = b.high[k] + t * (b.high[u] - b.high[k])
                    lines += projectedPolyline([vx, vx], [lo, hi], plot: plot, x: x, y: y)
                }
            }
        }
        var points: [Point] = []
        for l in p.lines where l.marker != nil { points += projectedPoints(l.x, l.y, plot: plot, x: x, y: y) }
        for s in p.scatters { points += projectedPoints(s.x, s.y, plot: plot, x: x, y: y) }
        return (lines, points)
    }

    static func drawAxes(_ p: Panel, _ pl: PanelPlacement, style s: FigureStyle, renderer r: Renderer) {
        guard let xa = pl.x, let ya = pl.y else { return }
        let plot = pl.plot
        let (lineColors, scatterColors) = p.resolvedColors()

        // Grid under the data.
        var grid = Path()
        if p.xAxis.grid {
            for t in xa.ticks.major where xa.contains(t.value) {
                if let px = xa.position(t.value, start: plot.minX, end: plot.maxX) {
                    grid.move(to: Point(px, plot.minY)); grid.line(to: Point(px, plot.maxY))
                }
            }
        }
        if p.yAxis.grid {
            for t in ya.ticks.major where ya.contains(t.value) {
                if let py = ya.position(t.value, start: plot.maxY, end: plot.minY) {
                    grid.move(to: Point(plot.minX, py)); grid.line(to: Point(plot.maxX, py))
                }
            }
        }
        if let h = p.heatmap {
            drawHeatmap(h, plot: plot, x: xa, y: ya, renderer: r)
        } else if !grid.elements.isEmpty {
            r.stroke(grid, style: StrokeStyle(color: .grid, width: s.gridLineWidth))
        }

        drawBands(p, plot: plot, x: xa, y: ya, renderer: r)
        // Lines, then their markers, then scatter points on top.
        let runs = projectedLines(p, plot: plot, x: xa, y: ya)
        for (i, l) in p.lines.enumerated() {
            let style = StrokeStyle(color: lineColors[i].withAlpha(l.opacity), width: l.width, dash: l.dash)
            for run in runs[i] { r.stroke(Path.polyline(run), style: style) }
        }
        for (i, l) in p.lines.enumerated() {
            guard let m = l.marker else { continue }
            for q in projectedPoints(l.x, l.y, plot: plot, x: xa, y: ya) {
                MarkerDrawing.draw(m, at: q, color: lineColors[i], renderer: r)
            }
        }
        for (i, sc) in p.scatters.enumerated() {
            for q in projectedPoints(sc.x, sc.y, plot: plot, x: xa, y: ya) {
                MarkerDrawing.draw(sc.marker, at: q, color: scatterColors[i], renderer: r)
            }
        }

        // Frame and ticks.
        r.stroke(Path.rect(plot), style: StrokeStyle(color: .ink, width: s.axisLineWidth))
        var ticks = Path()
        var xLabelY = plot.maxY + s.tickLength + s.labelGap
        for t in xa.ticks.major where xa.contains(t.value) {
            guard let px = xa.position(t.value, start: plot.minX, end: plot.maxX) else { continue }
            ticks.move(to: Point(px, plot.maxY)); ticks.line(to: Point(px, plot.maxY + s.tickLength))
            if pl.showXTickLabels {
                r.drawText(t.label, at: Point(px, xLabelY), font: s.tickFont, color: .ink,
                           anchor: TextAnchor(.center, .top), rotation: .horizontal)
            }
        }
        for v in xa.ticks.minor where xa.contains(v) {
            guard let px = xa.position(v, start: plot.minX, end: plot.maxX) else { continue }
            ticks.move(to: Point(px, plot.maxY)); ticks.line(to: Point(px, plot.maxY + s.minorTickLength))
        }
        var widestY = 0.0
        for t in ya.ticks.major where ya.contains(t.value) {
            guard let py = ya.position(t.value, start: plot.maxY, end: plot.minY) else { continue }
            ticks.move(to: Point(plot.minX, py)); ticks.line(to: Point(plot.minX - s.tickLength, py))
            if pl.showYTickLabels {
                widestY = max(widestY, r.measure(t.label, font: s.tickFont).width)
                r.drawText(t.label, at: Point(plot.minX - s.tickLength - s.labelGap, py), font: s.tickFont,
                           color: .ink, anchor: TextAnchor(.end, .middle), rotation: .horizontal)
            }
        }
        for v in ya.ticks.minor where ya.contains(v) {
            guard let py = ya.position(v, start: plot.maxY, end: plot.minY) else { continue }
            ticks.move(to: Point(plot.minX, py)); ticks.line(to: Point(plot.minX - s.minorTickLength, py))
        }
        r.stroke(ticks, style: StrokeStyle(color: .ink, width: s.axisLineWidth))

        // Axis titles and common factors.
        if pl.showXTickLabels {
            xLabelY += s.tickFont.size + s.axisTitleGap
            if let label = p.xAxis.label {
                r.drawText(label, at: Point(plot.midX, xLabelY), font: s.axisLabelFont, color: .ink,
                           anchor: TextAnchor(.center, .top), rotation: .horizontal)
            }
            if let m = xa.ticks.multiplier {
                r.drawText(m, at: Point(plot.maxX, xLabelY), font: s.tickFont, color: .ink,
                           anchor: TextAnchor(.end, .top), rotation: .horizontal)
            }
        }
        if pl.showYTickLabels {
            if let label = p.yAxis.label {
                let x = plot.minX - s.tickLength - s.labelGap - widestY - s.axisTitleGap
                r.drawText(label, at: Point(x, plot.midY), font: s.axisLabelFont, color: .ink,
                           anchor: TextAnchor(.center, .bottom), rotation: .up)
            }
            if let m = ya.ticks.multiplier {
                r.drawText(m, at: Point(plot.minX, plot.minY - 3), font: s.tickFont, color: .ink,
                           anchor: TextAnchor(.start, .bottom), rotation: .horizontal)
            }
        }
        if let t = p.title {
            let (font, lines) = TextFit.fit(t, font: s.panelTitleFont, width: plot.width + 8, renderer: r)
            let lift = pl.showYTickLabels && ya.ticks.multiplier != nil ? s.tickFont.size + 4 : 0   // above the common factor
            for (k, line) in lines.enumerated() {
                r.drawText(line, at: Point(plot.midX, plot.minY - 5 - lift - Double(lines.count - 1 - k) * font.size * 1.1), font: font,
                           color: .ink, anchor: TextAnchor(.center, .bottom), rotation: .horizontal)
            }
        }
        if let c = p.caption {
            let y = plot.maxY + s.tickLength + 1 + (pl.showXTickLabels ? s.labelGap + s.tickFont.size : 0)
                + (pl.showXTickLabels && (p.xAxis.label != nil || xa.ticks.multiplier != nil)
                    ? s.axisTitleGap + s.axisLabelFont.size : 0) + 3
            r.drawText(c, at: Point(plot.midX, y), font: s.captionFont, color: .ink,
                       anchor: TextAnchor(.center, .top), rotation: .horizontal)
        }
        if let lb = pl.legend, let rect = pl.legendRect { lb.draw(in: rect, renderer: r) }
    }

    static func drawHeatmap(_ h: Heatmap, plot: Rect, x: ResolvedAxis, y: ResolvedAxis, renderer r: Renderer) {
        let w = h.values.width, ht = h.values.height
        guard let x0 = x.position(0, start: plot.minX, end: plot.maxX),
              let x1 = x.position(Double(w), start: plot.minX, end: plot.maxX),
              let y0 = y.position(0, start: plot.maxY, end: plot.minY),
              let y1 = y.position(Double(ht), start: plot.maxY, end: plot.minY) else { return }
        // Row 0 belongs at data y = 0; flip the raster when that is at the bottom.
        let flipY = y0 > y1, flipX = x0 > x1
        let range = h.resolvedRange
        var bytes = [UInt8](repeating: 0, count: w * ht * 3)
        for row in 0..<ht {
            for col in 0..<w {
                let v = Double(h.values[row, col])
                let (cr, cg, cb) = h.colorMap.color(of: v, in: range).rgb8
                let oy = flipY ? ht - 1 - row : row, ox = flipX ? w - 1 - col : col
                let i = 3 * (oy * w + ox)
                bytes[i] = cr; bytes[i + 1] = cg; bytes[i + 2] = cb
            }
        }
        r.drawImage(RasterImage(width: w, height: ht, rgb: bytes),
                    in: Rect(x: min(x0, x1), y: min(y0, y1), width: abs(x1 - x0), height: abs(y1 - y0)))
    }

    static func drawImage(_ p: Panel, _ pl: PanelPlacement, style s: FigureStyle, renderer r: Renderer) throws {
        let img = try ImageCompositor.composite(p.imageLayers)
        let rect = pl.plot
        r.drawImage(img, in: rect)
        r.stroke(Path.rect(rect), style: StrokeStyle(color: .ink, width: 0.5))
        if let base = p.imageLayers.first {
            let cw = rect.width / Double(base.values.width), ch = rect.height / Double(base.values.height)
            let radius = max(3.2, 1.3 * max(cw, ch))
            for m in p.markers {
                let c = Point(rect.minX + (Double(m.x) + 0.5) * cw, rect.minY + (Double(m.y) + 0.5) * ch)
                r.stroke(Path.circle(center: c, radius: radius), style: StrokeStyle(color: .white, width: 2.2))
                r.stroke(Path.circle(center: c, radius: radius), style: StrokeStyle(color: .black, width: 0.9))
            }
        }
        if let t = p.title {
            r.drawText(t, at: Point(rect.midX, rect.minY - 4), font: s.panelTitleFont, color: .ink,
                       anchor: TextAnchor(.center, .bottom), rotation: .horizontal)
        }
        if let c = p.caption {
            r.drawText(c, at: Point(rect.midX, rect.maxY + 3), font: s.captionFont, color: .ink,
                       anchor: TextAnchor(.center, .top), rotation: .horizontal)
        }
    }

    /// A blank cell: only its caption, where an image's would be.
    static func drawBlank(_ p: Panel, _ pl: PanelPlacement, style s: FigureStyle, renderer r: Renderer) {
        if let c = p.caption {
            r.drawText(c, at: Point(pl.plot.midX, pl.plot.maxY + 3), font: s.captionFont, color: .ink,
                       anchor: TextAnchor(.center, .top), rotation: .horizontal)
        }
    }

    /// A colour bar's label, turned up beside its ticks: the text, font and
    /// point (the label's centre line), and half its length. Longer than the
    /// bar it steps down to the tick size; still longer, it stays centred on the
    /// bar but on the page. FigureLayout moves it right where several bars'
    /// labels would meet (FigureLayout.placeColorBarLabels).
    static func colorBarLabel(_ bar: ColorBar, in rect: Rect, pageHeight: Double, style s: FigureStyle,
                              renderer r: Renderer) -> ColorBarLabel? {
        let t = colorBarTicks(bar, in: rect, style: s)
        guard let label = bar.fullLabel(t) else { return nil }
        let widest = t.major.map { r.measure($0.label, font: s.tickFont).width }.max() ?? 0
        let x = rect.maxX + s.tickLength + s.labelGap + widest + s.axisTitleGap
        let font = r.measure(label, font: s.axisLabelFont).width > rect.height + 4 ? s.tickFont : s.axisLabelFont
        let half = r.measure(label, font: font).width / 2
        let y = min(max(rect.midY, s.outerPadding + half), pageHeight - s.outerPadding - half)
        return ColorBarLabel(text: label, font: font, at: Point(x, y), half: half)
    }

    /// A bar's ticks: about one per 28 pt; on a bar too short for their labels
    /// (a one-row bar of a stacked strip), its two ends, or its top alone.
    static func colorBarTicks(_ bar: ColorBar, in rect: Rect, style s: FigureStyle) -> AxisTicks {
        var t = bar.ticks(maxTicks: max(2, Int(rect.height / 28)))
        let line = s.tickFont.size + 1
        if t.major.count > 2, Double(t.major.count - 1) * line > rect.height, let first = t.major.first, let last = t.major.last {
            t.major = rect.height >= line ? [first, last] : [last]
        }
        return t
    }

    /// The distance between two columns of colour-bar labels.
    static func colorBarLabelStep(_ s: FigureStyle) -> Double { s.axisLabelFont.size + 2 }

    /// The bar, its ticks and `label` (placed by FigureLayout).
    static func drawColorBar(_ bar: ColorBar, in rect: Rect, label: ColorBarLabel?, style s: FigureStyle, renderer r: Renderer) {
        r.drawImage(bar.strip(), in: rect)
        r.stroke(Path.rect(rect), style: StrokeStyle(color: .ink, width: 0.5))
        let t = colorBarTicks(bar, in: rect, style: s)
        let axis = ResolvedAxis(fixedTicks: t)
        var ticks = Path()
        for tick in t.major {
            guard let py = axis.position(tick.value, start: rect.maxY, end: rect.minY) else { continue }
            ticks.move(to: Point(rect.maxX, py)); ticks.line(to: Point(rect.maxX + s.tickLength, py))
            r.drawText(tick.label, at: Point(rect.maxX + s.tickLength + s.labelGap, py), font: s.tickFont,
                       color: .ink, anchor: TextAnchor(.start, .middle), rotation: .horizontal)
        }
        r.stroke(ticks, style: StrokeStyle(color: .ink, width: 0.5))
        if let l = label {
            r.drawText(l.text, at: l.at, font: l.font, color: .ink, anchor: TextAnchor(.center, .top), rotation: .up)
        }
    }
}

/// A colour bar's label as placed: turned up, centred on `at`, `half` its length.
struct ColorBarLabel {
    var text: String
    var font: Font
    var at: Point
    var half: Double
}

extension ResolvedAxis {
    /// A linear axis with ticks already decided (colour bars).
    init(fixedTicks: AxisTicks) {
        self.init(ticks: fixedTicks, scale: .linear, inverted: false)
    }
}
