// FigureLayout: where everything in a figure goes. Panels sit in a grid; each
// column reserves room on its left for y tick labels and the y title, each row
// room below for x tick labels, the x title and captions; the rest is shared
// equally. Tick choice depends on panel size and panel size on tick labels,
// so the layout iterates a few times; legends are placed where they hide the
// least data. Image-only grids keep square pixels and are centred.

struct PanelPlacement {
    /// Axes panels: the plotting area. Image panels: the picture.
    var plot: Rect
    var x: ResolvedAxis?
    var y: ResolvedAxis?
    var showXTickLabels = true
    var showYTickLabels = true
    var legend: LegendBox?
    var legendRect: Rect?
}

struct PlacedText {
    var text: String
    var point: Point
    var anchor: TextAnchor
    var rotation: TextRotation
}

struct FigureLayout {
    var placements: [PanelPlacement] = []
    var titlePoint: Point?
    var rowLabels: [PlacedText] = []
    var colorBarRects: [Rect] = []
    var bottomLabelPoint: Point?

    struct Decor { var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0 }

    init(figure f: Figure, renderer r: Renderer) throws {
        let s = f.style
        let rows = f.rows, cols = f.columns
        let n = f.panels.count
        var area = Rect(x: s.outerPadding, y: s.outerPadding,
                        width: f.width - 2 * s.outerPadding, height: f.height - 2 * s.outerPadding)
        if f.title != nil {
            titlePoint = Point(f.width / 2, s.outerPadding)
            let h = s.titleFont.size * 1.1 + 6
            area.y += h; area.height -= h
        }
        if f.bottomLabel != nil { area.height -= s.axisLabelFont.size + 4 }

        // Colour bars: reserve the widest one's room on the right.
        var barWidth = 0.0
        for bar in f.colorBars {
            let t = bar.ticks(maxTicks: 6)
            let labels = t.major.map { r.measure($0.label, font: s.tickFont).width }.max() ?? 0
            var w = s.colorBarGap + s.colorBarWidth + s.tickLength + s.labelGap + labels
            if bar.fullLabel(t) != nil { w += s.axisTitleGap + s.axisLabelFont.size }
            barWidth = max(barWidth, w + 2)
        }
        area.width -= barWidth

        // Row labels: turned up when they fit the row height, else written across.
        var rowLabelsUp = true
        if !f.rowLabels.isEmpty {
            let widest = f.rowLabels.map { r.measure($0, font: s.rowLabelFont).width }.max() ?? 0
            rowLabelsUp = widest <= 0.85 * area.height / Double(max(rows, 1)) - 20
            let reserve = rowLabelsUp ? s.rowLabelFont.size + 6 : widest + 8
            area.x += reserve; area.width -= reserve
        }

        let allImages = f.panels.allSatisfy { $0.style == .image }
        let anyAxes = !allImages
        let hgap = anyAxes ? s.panelGap : s.imageGap
        let vgap = anyAxes ? s.panelGap * 0.75 : s.imageGap
        func rc(_ i: Int) -> (Int, Int) { (i / cols, i % cols) }

        // Data extents, pooled when axes are shared.
        var extents = f.panels.map { $0.dataExtent() }
        func union(_ a: ClosedRange<Double>?, _ b: ClosedRange<Double>?) -> ClosedRange<Double>? {
            guard let a else { return b }
            guard let b else { return a }
            return min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
        }
        if f.sharedX {
            let u = extents.enumerated().filter { f.panels[$0.offset].style == .axes }.reduce(nil) { union($0, $1.element.x) }
            for i in extents.indices { extents[i].x = u }
        }
        if f.sharedY {
            let u = extents.enumerated().filter { f.panels[$0.offset].style == .axes }.reduce(nil) { union($0, $1.element.y) }
            for i in extents.indices { extents[i].y = u }
        }
        let showX = (0..<n).map { i -> Bool in
            let (row, col) = rc(i)
            return !f.sharedX || (row + 1) * cols + col >= n
        }
        let showY = (0..<n).map { i in !f.sharedY || rc(i).1 == 0 }

        func effective(_ a: Axis, heatmap: Bool) -> Axis {
            var a = a
            if heatmap, a.range == .auto { a.range = .tight }
            return a
        }
        func resolve(_ i: Int, plotW: Double, plotH: Double) -> (ResolvedAxis, ResolvedAxis) {
            let p = f.panels[i]
            let hm = p.heatmap != nil
            var xMax = max(2, Int(plotW / 40))
            var xa = ResolvedAxis(axis: effective(p.xAxis, heatmap: hm), dataLower: extents[i].x?.lowerBound,
                                  dataUpper: extents[i].x?.upperBound, maxTicks: xMax)
            // Fewer x ticks until their labels stand apart.
            while xMax > 2 && Self.xLabelsCrowded(xa, width: plotW, font: s.tickFont, renderer: r) {
                xMax -= 1
                xa = ResolvedAxis(axis: effective(p.xAxis, heatmap: hm), dataLower: extents[i].x?.lowerBound,
                                  dataUpper: extents[i].x?.upperBound, maxTicks: xMax)
            }
            let ya = ResolvedAxis(axis: effective(p.yAxis, heatmap: hm), dataLower: extents[i].y?.lowerBound,
                                  dataUpper: extents[i].y?.upperBound, maxTicks: max(2, Int(plotH / 30)))
            return (xa, ya)
        }

        var plotW = area.width / Double(cols) * 0.75
        var plotH = area.height / Double(rows) * 0.7
        var axes = [(ResolvedAxis, ResolvedAxis)?](repeating: nil, count: n)
        var legends = [LegendBox?](repeating: nil, count: n)
        var outside = [Bool](repeating: false, count: n)
        for i in 0..<n where f.panels[i].style == .axes && f.panels[i].legend != .hidden {
            let entries = f.panels[i].legendEntries()
            if !entries.isEmpty {
                legends[i] = LegendBox(entries: entries, font: s.legendFont, renderer: r)
                outside[i] = f.panels[i].legend == .outsideRight
            }
        }
        var colDecor = [Decor](repeating: Decor(), count: cols)
        var rowDecor = [Decor](repeating: Decor(), count: rows)

        for iteration in 0..<3 {
            colDecor = [Decor](repeating: Decor(), count: cols)
            rowDecor = [Decor](repeating: Decor(), count: rows)
            for i in 0..<n {
                let (row, col) = rc(i)
                let p = f.panels[i]
                var d = Decor()
                if p.style == .image {
                    if p.title != nil { d.top = s.panelTitleFont.size + 4 }
                    if p.caption != nil { d.bottom = 3 + s.captionFont.size }
                } else {
                    let (xa, ya) = resolve(i, plotW: plotW, plotH: plotH)
                    axes[i] = (xa, ya)
                    let yLabelW = ya.ticks.major.map { r.measure($0.label, font: s.tickFont).width }.max() ?? 0
                    d.left = s.tickLength + 1
                    if showY[i] {
                        d.left += s.labelGap + yLabelW
                        if p.yAxis.label != nil { d.left += s.axisTitleGap + s.axisLabelFont.size }
                    }
                    d.bottom = s.tickLength + 1
                    if showX[i] {
                        d.bottom += s.labelGap + s.tickFont.size
                        if p.xAxis.label != nil || xa.ticks.multiplier != nil {
                            d.bottom += s.axisTitleGap + s.axisLabelFont.size
                        }
                        let first = xa.ticks.major.first.map { r.measure($0.label, font: s.tickFont).width / 2 } ?? 0
                        let last = xa.ticks.major.last.map { r.measure($0.label, font: s.tickFont).width / 2 } ?? 0
                        d.left = max(d.left, first)
                        d.right = max(d.right, last)
                    }
                    if p.caption != nil { d.bottom += 3 + s.captionFont.size }
                    d.top = s.tickFont.size / 2 + 1
                    if p.title != nil { d.top = max(d.top, s.panelTitleFont.size + 5) }
                    if showY[i] && ya.ticks.multiplier != nil { d.top = max(d.top, s.tickFont.size + 4) }
                    if outside[i], let lb = legends[i] { d.right = max(d.right, 8 + lb.size.width + 2) }
                }
                colDecor[col].left = max(colDecor[col].left, d.left)
                colDecor[col].right = max(colDecor[col].right, d.right)
                rowDecor[row].top = max(rowDecor[row].top, d.top)
                rowDecor[row].bottom = max(rowDecor[row].bottom, d.bottom)
            }
            let decorW = colDecor.reduce(0) { $0 + $1.left + $1.right } + Double(cols - 1) * hgap
            let decorH = rowDecor.reduce(0) { $0 + $1.top + $1.bottom } + Double(rows - 1) * vgap
            plotW = max(10, (area.width - decorW) / Double(cols))
            plotH = max(10, (area.height - decorH) / Double(rows))

            // After the first pass, send `.auto` legends outside when every inside spot hides data.
            if iteration == 0 {
                for i in 0..<n where legends[i] != nil && f.panels[i].legend == .auto {
                    guard let (xa, ya) = axes[i] else { continue }
                    let plot = Rect(x: 0, y: 0, width: plotW, height: plotH)
                    let (lines, points) = PanelDrawing.project(f.panels[i], plot: plot, x: xa, y: ya)
                    let best = legends[i]!.bestInside(plot: plot, polylines: lines, points: points)
                    outside[i] = best == nil || best!.badness > 0
                }
            }
        }

        // Image-only grids: square pixels, block centred in the area.
        var cellW = plotW, cellH = plotH
        var offX = 0.0, offY = 0.0
        if allImages {
            let aspect = f.panels[0].imageAspect
            cellW = min(plotW, plotH * aspect)
            cellH = cellW / aspect
            let blockW = colDecor.reduce(0) { $0 + $1.left + $1.right } + Double(cols - 1) * hgap + Double(cols) * cellW
            let blockH = rowDecor.reduce(0) { $0 + $1.top + $1.bottom } + Double(rows - 1) * vgap + Double(rows) * cellH
            offX = max(0, (area.width - blockW) / 2)
            offY = max(0, (area.height - blockH) / 2)
        }
        var colX = [Double](), rowY = [Double]()
        var cx = area.x + offX
        for c in 0..<cols { cx += colDecor[c].left; colX.append(cx); cx += cellW + colDecor[c].right + hgap }
        var cy = area.y + offY
        for rr in 0..<rows { cy += rowDecor[rr].top; rowY.append(cy); cy += cellH + rowDecor[rr].bottom + vgap }
        let blockLeft = area.x + offX
        let blockRight = cx - hgap
        let blockBottom = cy - vgap

        for i in 0..<n {
            let (row, col) = rc(i)
            let p = f.panels[i]
            var cell = Rect(x: colX[col], y: rowY[row], width: cellW, height: cellH)
            if p.style == .image && !allImages {
                let a = p.imageAspect
                let w = min(cellW, cellH * a), h = w / a
                cell = Rect(x: cell.x + (cellW - w) / 2, y: cell.y + (cellH - h) / 2, width: w, height: h)
            }
            var pl = PanelPlacement(plot: cell)
            pl.showXTickLabels = showX[i]
            pl.showYTickLabels = showY[i]
            if p.style == .axes, let (xa, ya) = axes[i] {
                pl.x = xa; pl.y = ya
                if let lb = legends[i] {
                    pl.legend = lb
                    switch p.legend {
                    case .auto where !outside[i]:
                        let (lines, points) = PanelDrawing.project(p, plot: cell, x: xa, y: ya)
                        pl.legendRect = lb.bestInside(plot: cell, polylines: lines, points: points)?.rect
                            ?? lb.rect(for: .outsideRight, plot: cell)
                    case .auto:
                        pl.legendRect = lb.rect(for: .outsideRight, plot: cell)
                    default:
                        pl.legendRect = lb.rect(for: p.legend, plot: cell)
                    }
                }
            }
            placements.append(pl)
        }

        // Row labels beside each row's first panel.
        for (row, text) in f.rowLabels.enumerated() {
            let i = row * cols
            guard i < n else { continue }
            let mid = placements[i].plot.midY
            if rowLabelsUp {
                rowLabels.append(PlacedText(text: text, point: Point(blockLeft - 5, mid),
                                            anchor: TextAnchor(.center, .bottom), rotation: .up))
            } else {
                rowLabels.append(PlacedText(text: text, point: Point(blockLeft - 6, mid),
                                            anchor: TextAnchor(.end, .middle), rotation: .horizontal))
            }
        }
        // Colour bars right of the block, beside their rows.
        for bar in f.colorBars {
            let rowsSpan = bar.rows ?? 0...(rows - 1)
            let top = rowsSpan.lowerBound * cols < n ? placements[rowsSpan.lowerBound * cols].plot.minY : area.y
            let lastIndex = min(rowsSpan.upperBound * cols, n - 1)
            let bottom = placements[lastIndex].plot.maxY
            let x = (allImages ? blockRight : area.maxX) + s.colorBarGap
            colorBarRects.append(Rect(x: x, y: top, width: s.colorBarWidth, height: max(10, bottom - top)))
        }
        if f.bottomLabel != nil {
            bottomLabelPoint = Point((blockLeft + blockRight) / 2, min(blockBottom + 3, f.height - s.outerPadding - s.axisLabelFont.size))
        }
    }

    /// True when neighbouring x tick labels would come closer than 6 pt.
    static func xLabelsCrowded(_ a: ResolvedAxis, width: Double, font: Font, renderer: Renderer) -> Bool {
        var lastEnd = -Double.infinity
        for t in a.ticks.major {
            guard let x = a.position(t.value, start: 0, end: width) else { continue }
            let w = renderer.measure(t.label, font: font).width
            if x - w / 2 < lastEnd + 6 { return true }
            lastEnd = x + w / 2
        }
        return false
    }
}
