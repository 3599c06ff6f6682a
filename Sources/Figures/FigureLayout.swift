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
    /// Each colour bar's label, placed (nil for a bar without one).
    var colorBarLabels: [ColorBarLabel?] = []
    var bottomLabelPoint: Point?
    /// Image grids: how much taller the page must be for the block, its
    /// captions and the line under it to fit (0 when they do).
    var shortfall = 0.0

    struct Decor { var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0 }

    /// The phases in order: the page area, the colour bars' and row labels'
    /// room, panel sizes (iterated with ticks and legends), the grid of cells,
    /// then each panel and what sits beside the block.
    init(figure f: Figure, renderer r: Renderer) throws {
        let g = Grid(figure: f, renderer: r)
        var area = Self.pageArea(g, titlePoint: &titlePoint)
        area.width -= Self.colorBarRoom(g)
        let rowLabelsUp = Self.reserveRowLabelRoom(g, area: &area)
        let sizing = Self.sizePanels(g, area: area)
        let cells = Self.cellGrid(g, area: area, sizing: sizing)
        placements = (0..<g.n).map { Self.placement(of: $0, g, cells: cells, sizing: sizing) }
        rowLabels = Self.placeRowLabels(g, placements: placements, blockLeft: cells.blockLeft, up: rowLabelsUp)
        colorBarRects = Self.placeColorBars(g, placements: placements, area: area, blockRight: cells.blockRight)
        colorBarLabels = Self.placeColorBarLabels(g, rects: colorBarRects)
        if f.bottomLabel != nil {
            bottomLabelPoint = Point((cells.blockLeft + cells.blockRight) / 2,
                                     min(cells.blockBottom + 3, f.height - g.s.outerPadding - g.s.axisLabelFont.size))
        }
        if g.allImages {
            let need = cells.blockBottom + (f.bottomLabel != nil ? 3 + g.s.axisLabelFont.size : 0) + g.s.outerPadding
            // a colour bar's label, turned up beside it, must fit the page's height too
            var barNeed = 0.0
            for bar in f.colorBars {
                guard let label = bar.fullLabel(bar.ticks(maxTicks: 6)) else { continue }
                barNeed = max(barNeed, r.measure(label, font: g.s.tickFont).width + 2 * g.s.outerPadding + 4)
            }
            shortfall = max(0, need - f.height, barNeed - f.height)
        }
    }

    /// What every phase reads: the figure, its style, the renderer, the grid,
    /// and the data extents and tick-label flags of each panel.
    private struct Grid {
        let f: Figure
        let s: FigureStyle
        let r: Renderer
        let rows: Int, cols: Int, n: Int
        let allImages: Bool
        let hgap: Double, vgap: Double
        let extents: [(x: ClosedRange<Double>?, y: ClosedRange<Double>?)]
        let showX: [Bool], showY: [Bool]

        init(figure f: Figure, renderer r: Renderer) {
            let s = f.style, rows = f.rows, cols = f.columns, n = f.panels.count
            self.f = f; self.r = r; self.s = s
            self.rows = rows; self.cols = cols; self.n = n
            let allImages = f.panels.allSatisfy { $0.style != .axes }
            self.allImages = allImages
            let anyAxes = !allImages
            hgap = anyAxes ? s.panelGap : s.imageGap
            vgap = anyAxes ? s.panelGap * 0.75 : s.imageGap
            extents = Self.pooledExtents(f)
            showX = (0..<n).map { i -> Bool in
                let (row, col) = (i / cols, i % cols)
                return !f.sharedX || (row + 1) * cols + col >= n
            }
            showY = (0..<n).map { i in !f.sharedY || i % cols == 0 }
        }

        func rc(_ i: Int) -> (Int, Int) { (i / cols, i % cols) }

        /// Data extents, pooled when axes are shared.
        static func pooledExtents(_ f: Figure) -> [(x: ClosedRange<Double>?, y: ClosedRange<Double>?)] {
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
            return extents
        }
    }

    /// The page less its outer padding, the title line and the bottom label.
    private static func pageArea(_ g: Grid, titlePoint: inout Point?) -> Rect {
        let f = g.f, s = g.s
        var area = Rect(x: s.outerPadding, y: s.outerPadding,
                        width: f.width - 2 * s.outerPadding, height: f.height - 2 * s.outerPadding)
        if let t = f.title {
            titlePoint = Point(f.width / 2, s.outerPadding)
            let (font, lines) = TextFit.fit(t, font: s.titleFont, width: f.width - 2 * s.outerPadding, renderer: g.r)
            let h = Double(lines.count) * font.size * 1.1 + 6
            area.y += h; area.height -= h
        }
        if f.bottomLabel != nil { area.height -= s.axisLabelFont.size + 4 }
        return area
    }

    /// Colour bars: the widest one's room on the right.
    private static func colorBarRoom(_ g: Grid) -> Double {
        let s = g.s
        var barWidth = 0.0
        var labelled = 0
        for bar in g.f.colorBars {
            let t = bar.ticks(maxTicks: 6)
            let labels = t.major.map { g.r.measure($0.label, font: s.tickFont).width }.max() ?? 0
            var w = s.colorBarGap + s.colorBarWidth + s.tickLength + s.labelGap + labels
            if bar.fullLabel(t) != nil {
                w += s.axisTitleGap + s.axisLabelFont.size
                labelled += 1
            }
            barWidth = max(barWidth, w + 2)
        }
        // stacked bars' labels may need up to two more columns (placeColorBarLabels)
        return barWidth + Double(min(max(labelled - 1, 0), maxExtraLabelColumns)) * PanelDrawing.colorBarLabelStep(s)
    }

    static let maxExtraLabelColumns = 2

    /// Colour-bar labels. One bar's sits beside its ticks; several bars'
    /// labels go past every bar's ticks, top to bottom, each in the first
    /// column where it clears the label above it there (by 2 pt) — where none
    /// is clear, the column whose last label ends highest.
    private static func placeColorBarLabels(_ g: Grid, rects: [Rect]) -> [ColorBarLabel?] {
        var labels = zip(g.f.colorBars, rects).map { bar, rect in
            PanelDrawing.colorBarLabel(bar, in: rect, pageHeight: g.f.height, style: g.s, renderer: g.r)
        }
        let xs = labels.compactMap { $0?.at.x }
        guard xs.count > 1, let columnsX = xs.max() else { return labels }
        var lastEnd = [Double](repeating: -.infinity, count: maxExtraLabelColumns + 1)
        for k in rects.indices.sorted(by: { rects[$0].minY < rects[$1].minY }) {
            guard var l = labels[k] else { continue }
            let start = l.at.y - l.half
            let c = lastEnd.firstIndex { $0 + 2 <= start } ?? lastEnd.indices.min { lastEnd[$0] < lastEnd[$1] }!
            lastEnd[c] = l.at.y + l.half
            l.at.x = columnsX + Double(c) * PanelDrawing.colorBarLabelStep(g.s)
            labels[k] = l
        }
        return labels
    }

    /// Row labels: turned up when they fit the row height, else written across.
    /// Takes their room from the left of `area`; returns whether they are turned up.
    private static func reserveRowLabelRoom(_ g: Grid, area: inout Rect) -> Bool {
        let f = g.f, s = g.s
        var rowLabelsUp = true
        if !f.rowLabels.isEmpty {
            let widest = f.rowLabels.map { g.r.measure($0, font: s.rowLabelFont).width }.max() ?? 0
            rowLabelsUp = widest <= 0.85 * area.height / Double(max(g.rows, 1)) - 20
            let reserve = rowLabelsUp ? s.rowLabelFont.size + 6 : widest + 8
            area.x += reserve; area.width -= reserve
        }
        return rowLabelsUp
    }

    private static func effective(_ a: Axis, heatmap: Bool) -> Axis {
        var a = a
        if heatmap, a.range == .auto { a.range = .tight }
        return a
    }

    /// How many y ticks a plot `plotH` tall may have: one per 30 pt, or per
    /// 2.6 tick-label heights when that gives more (a short paper-style plot
    /// still gets 4, so its data do not sit in a third of the axis); at least
    /// 3 (with 2, data crossing 0 finds no nice step).
    static func yTicks(plotH: Double, font: Font) -> Int {
        max(3, Int(plotH / 30), Int(plotH / (2.6 * font.size)))
    }

    /// Panel `i`'s axes for a plot of `plotW` × `plotH`.
    private static func resolveAxes(_ i: Int, _ g: Grid, plotW: Double, plotH: Double) -> (ResolvedAxis, ResolvedAxis) {
        let p = g.f.panels[i], e = g.extents[i]
        let hm = p.heatmap != nil
        var xMax = max(2, Int(plotW / 40))
        var xa = ResolvedAxis(axis: effective(p.xAxis, heatmap: hm), dataLower: e.x?.lowerBound,
                              dataUpper: e.x?.upperBound, maxTicks: xMax)
        // Fewer x ticks until their labels stand apart.
        while xMax > 2 && Self.xLabelsCrowded(xa, width: plotW, font: g.s.tickFont, renderer: g.r) {
            xMax -= 1
            xa = ResolvedAxis(axis: effective(p.xAxis, heatmap: hm), dataLower: e.x?.lowerBound,
                              dataUpper: e.x?.upperBound, maxTicks: xMax)
        }
        let ya = ResolvedAxis(axis: effective(p.yAxis, heatmap: hm), dataLower: e.y?.lowerBound,
                              dataUpper: e.y?.upperBound, maxTicks: yTicks(plotH: plotH, font: g.s.tickFont))
        return (xa, ya)
    }

    /// Plot size, axes, legends and the room around each column and row, as
    /// the sizing passes leave them.
    private struct Sizing {
        var plotW: Double, plotH: Double
        var axes: [(ResolvedAxis, ResolvedAxis)?]
        var legends: [LegendBox?]
        var outside: [Bool]
        /// Legends under the axes, wrapped to the column's width.
        var below: [Bool]
        var colDecor: [Decor], rowDecor: [Decor]
    }

    /// Three passes: decoration from the ticks at the current size, then the
    /// size that decoration leaves. After the first, `.auto` legends go outside
    /// when every inside spot hides data.
    private static func sizePanels(_ g: Grid, area: Rect) -> Sizing {
        let f = g.f, n = g.n, cols = g.cols, rows = g.rows
        var z = Sizing(plotW: area.width / Double(cols) * 0.75, plotH: area.height / Double(rows) * 0.7,
                       axes: [(ResolvedAxis, ResolvedAxis)?](repeating: nil, count: n),
                       legends: [LegendBox?](repeating: nil, count: n),
                       outside: [Bool](repeating: false, count: n),
                       below: [Bool](repeating: false, count: n),
                       colDecor: [Decor](repeating: Decor(), count: cols),
                       rowDecor: [Decor](repeating: Decor(), count: rows))
        for i in 0..<n where f.panels[i].style == .axes && f.panels[i].legend != .hidden {
            let entries = f.panels[i].legendEntries()
            if !entries.isEmpty {
                z.legends[i] = LegendBox(entries: entries, font: g.s.legendFont, renderer: g.r)
                z.outside[i] = f.panels[i].legend == .outsideRight
                if f.panels[i].legend == .below { moveBelow(i, g, &z, area: area) }
            }
        }
        func pass() {
            z.colDecor = [Decor](repeating: Decor(), count: cols)
            z.rowDecor = [Decor](repeating: Decor(), count: rows)
            for i in 0..<n {
                let (row, col) = g.rc(i)
                let d = panelDecor(i, g, &z)
                z.colDecor[col].left = max(z.colDecor[col].left, d.left)
                z.colDecor[col].right = max(z.colDecor[col].right, d.right)
                z.rowDecor[row].top = max(z.rowDecor[row].top, d.top)
                z.rowDecor[row].bottom = max(z.rowDecor[row].bottom, d.bottom)
            }
            let decorW = z.colDecor.reduce(0) { $0 + $1.left + $1.right } + Double(cols - 1) * g.hgap
            let decorH = z.rowDecor.reduce(0) { $0 + $1.top + $1.bottom } + Double(rows - 1) * g.vgap
            z.plotW = max(10, (area.width - decorW) / Double(cols))
            z.plotH = max(10, (area.height - decorH) / Double(rows))
        }
        /// Outside, a legend wider than 40 % of its column would squeeze the axes, and one taller
        /// than its row would leave the page: it goes below them.
        func belowWhenTooLarge() {
            for i in 0..<n where z.outside[i] && f.panels[i].legend == .auto {
                if let lb = z.legends[i], lb.size.width + 10 > 0.4 * area.width / Double(cols)
                    || lb.size.height > 0.9 * area.height / Double(rows) { moveBelow(i, g, &z, area: area) }
            }
        }
        for iteration in 0..<3 {
            pass()
            if iteration == 0 {
                sendCrowdedLegendsOutside(g, &z)
                belowWhenTooLarge()
            }
        }
        // At the final size, an inside legend that now hides data goes outside too.
        var moved = false
        for i in 0..<n where z.legends[i] != nil && f.panels[i].legend == .auto && !z.outside[i] && !z.below[i] {
            guard let (xa, ya) = z.axes[i] else { continue }
            let plot = Rect(x: 0, y: 0, width: z.plotW, height: z.plotH)
            let (lines, points) = PanelDrawing.project(f.panels[i], plot: plot, x: xa, y: ya)
            if let best = z.legends[i]!.bestInside(plot: plot, polylines: lines, points: points), best.badness == 0 { continue }
            z.outside[i] = true
            moved = true
        }
        if moved {
            belowWhenTooLarge()
            pass(); pass()
        }
        // Until the sizes settle: the decorations (a wrapped title, tick labels) were measured
        // for the plot size that went in, and must hold at the size that comes out.
        for _ in 0..<8 {
            let before = (z.plotW, z.plotH)
            pass()
            if z.plotW == before.0 && z.plotH == before.1 { break }
        }
        return z
    }

    /// Whether panel `i`'s legend is the only one in its row (it may then span the page below it).
    private static func onlyLegendOfRow(_ i: Int, _ g: Grid) -> Bool {
        let row = i / g.cols
        return (row * g.cols..<min((row + 1) * g.cols, g.n)).allSatisfy { k in
            k == i || g.f.panels[k].legend == .hidden || g.f.panels[k].legendEntries().isEmpty
        }
    }

    /// Panel `i`'s legend under its axes, wrapped to its column — or to the
    /// page's width when it is the only legend of its row.
    private static func moveBelow(_ i: Int, _ g: Grid, _ z: inout Sizing, area: Rect) {
        let entries = g.f.panels[i].legendEntries()
        let width = onlyLegendOfRow(i, g) ? area.width : (area.width - Double(g.cols - 1) * g.hgap) / Double(g.cols)
        z.legends[i] = LegendBox(entries: entries, font: g.s.legendFont, renderer: g.r, maxWidth: width)
        z.outside[i] = false
        z.below[i] = true
    }

    /// Space between the x axis' labels and a legend below them.
    static let belowGap = 6.0

    /// The room panel `i` needs around its plot at the current size; for axes
    /// panels also resolves (and keeps) its axes.
    private static func panelDecor(_ i: Int, _ g: Grid, _ z: inout Sizing) -> Decor {
        let s = g.s, r = g.r, p = g.f.panels[i]
        var d = Decor()
        if p.style != .axes {
            if p.title != nil { d.top = s.panelTitleFont.size + 4 }
            if p.caption != nil { d.bottom = 3 + s.captionFont.size }
            return d
        }
        let (xa, ya) = resolveAxes(i, g, plotW: z.plotW, plotH: z.plotH)
        z.axes[i] = (xa, ya)
        let yLabelW = ya.ticks.major.map { r.measure($0.label, font: s.tickFont).width }.max() ?? 0
        d.left = s.tickLength + 1
        if g.showY[i] {
            d.left += s.labelGap + yLabelW
            if p.yAxis.label != nil { d.left += s.axisTitleGap + s.axisLabelFont.size }
        }
        d.bottom = s.tickLength + 1
        if g.showX[i] {
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
        let multiplierRoom = g.showY[i] && ya.ticks.multiplier != nil ? s.tickFont.size + 4 : 0
        if let t = p.title {
            // the title sits above the y axis' common factor, when there is one
            let (font, lines) = TextFit.fit(t, font: s.panelTitleFont, width: z.plotW + 8, renderer: r)
            d.top = max(d.top, Double(lines.count - 1) * font.size * 1.1 + font.size + 5 + multiplierRoom)
        }
        d.top = max(d.top, multiplierRoom)
        if z.outside[i], let lb = z.legends[i] { d.right = max(d.right, 8 + lb.size.width + 2) }
        if z.below[i], let lb = z.legends[i] { d.bottom += belowGap + lb.size.height }
        return d
    }

    /// Sends `.auto` legends outside when every inside spot hides data.
    private static func sendCrowdedLegendsOutside(_ g: Grid, _ z: inout Sizing) {
        for i in 0..<g.n where z.legends[i] != nil && g.f.panels[i].legend == .auto && !z.below[i] {
            guard let (xa, ya) = z.axes[i] else { continue }
            let plot = Rect(x: 0, y: 0, width: z.plotW, height: z.plotH)
            let (lines, points) = PanelDrawing.project(g.f.panels[i], plot: plot, x: xa, y: ya)
            let best = z.legends[i]!.bestInside(plot: plot, polylines: lines, points: points)
            z.outside[i] = best == nil || best!.badness > 0
        }
    }

    /// Where each column and row of cells starts, the cell size, and the block's edges.
    private struct Cells {
        var cellW: Double, cellH: Double
        var colX: [Double], rowY: [Double]
        var blockLeft: Double, blockRight: Double, blockBottom: Double
    }

    /// The grid of cells. Image-only grids: square pixels, block centred in the area.
    private static func cellGrid(_ g: Grid, area: Rect, sizing z: Sizing) -> Cells {
        let cols = g.cols, rows = g.rows, hgap = g.hgap, vgap = g.vgap
        var cellW = z.plotW, cellH = z.plotH
        var offX = 0.0, offY = 0.0
        if g.allImages {
            let aspect = (g.f.panels.first { $0.style == .image } ?? g.f.panels[0]).imageAspect
            cellW = min(z.plotW, z.plotH * aspect)
            cellH = cellW / aspect
            let blockW = z.colDecor.reduce(0) { $0 + $1.left + $1.right } + Double(cols - 1) * hgap + Double(cols) * cellW
            let blockH = z.rowDecor.reduce(0) { $0 + $1.top + $1.bottom } + Double(rows - 1) * vgap + Double(rows) * cellH
            offX = max(0, (area.width - blockW) / 2)
            offY = max(0, (area.height - blockH) / 2)
        }
        var colX = [Double](), rowY = [Double]()
        var cx = area.x + offX
        for c in 0..<cols { cx += z.colDecor[c].left; colX.append(cx); cx += cellW + z.colDecor[c].right + hgap }
        var cy = area.y + offY
        for rr in 0..<rows { cy += z.rowDecor[rr].top; rowY.append(cy); cy += cellH + z.rowDecor[rr].bottom + vgap }
        return Cells(cellW: cellW, cellH: cellH, colX: colX, rowY: rowY,
                     blockLeft: area.x + offX, blockRight: cx - hgap, blockBottom: cy - vgap)
    }

    /// Panel `i` in its cell, with its axes and its legend's rectangle.
    private static func placement(of i: Int, _ g: Grid, cells c: Cells, sizing z: Sizing) -> PanelPlacement {
        let (row, col) = g.rc(i)
        let p = g.f.panels[i]
        var cell = Rect(x: c.colX[col], y: c.rowY[row], width: c.cellW, height: c.cellH)
        if p.style != .axes && !g.allImages {
            let a = p.imageAspect
            let w = min(c.cellW, c.cellH * a), h = w / a
            cell = Rect(x: cell.x + (c.cellW - w) / 2, y: cell.y + (c.cellH - h) / 2, width: w, height: h)
        }
        var pl = PanelPlacement(plot: cell)
        pl.showXTickLabels = g.showX[i]
        pl.showYTickLabels = g.showY[i]
        if p.style == .axes, let (xa, ya) = z.axes[i] {
            pl.x = xa; pl.y = ya
            if let lb = z.legends[i] {
                pl.legend = lb
                if z.below[i] {
                    let bottom = c.rowY[row] + c.cellH + z.rowDecor[row].bottom
                    let centre = onlyLegendOfRow(i, g) && g.cols > 1 ? g.f.width / 2 : cell.midX
                    let x = max(g.s.outerPadding, min(centre - lb.size.width / 2, g.f.width - g.s.outerPadding - lb.size.width))
                    pl.legendRect = Rect(x: x, y: bottom - lb.size.height, width: lb.size.width, height: lb.size.height)
                    return pl
                }
                switch p.legend {
                case .auto where !z.outside[i]:
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
        return pl
    }

    /// Row labels beside each row's first panel.
    private static func placeRowLabels(_ g: Grid, placements: [PanelPlacement], blockLeft: Double, up: Bool) -> [PlacedText] {
        var labels: [PlacedText] = []
        for (row, text) in g.f.rowLabels.enumerated() {
            let i = row * g.cols
            guard i < g.n else { continue }
            let mid = placements[i].plot.midY
            if up {
                labels.append(PlacedText(text: text, point: Point(blockLeft - 5, mid),
                                         anchor: TextAnchor(.center, .bottom), rotation: .up))
            } else {
                labels.append(PlacedText(text: text, point: Point(blockLeft - 6, mid),
                                         anchor: TextAnchor(.end, .middle), rotation: .horizontal))
            }
        }
        return labels
    }

    /// Colour bars right of the block, beside their rows.
    private static func placeColorBars(_ g: Grid, placements: [PanelPlacement], area: Rect, blockRight: Double) -> [Rect] {
        let s = g.s, cols = g.cols, n = g.n
        var rects = g.f.colorBars.map { bar in
            let rowsSpan = bar.rows ?? 0...(g.rows - 1)
            let top = rowsSpan.lowerBound * cols < n ? placements[rowsSpan.lowerBound * cols].plot.minY : area.y
            let lastIndex = min(rowsSpan.upperBound * cols, n - 1)
            let bottom = placements[lastIndex].plot.maxY
            let x = (g.allImages ? blockRight : area.maxX) + s.colorBarGap
            return Rect(x: x, y: top, width: s.colorBarWidth, height: max(10, bottom - top))
        }
        // Stacked bars: the tick labels at their ends must not meet, so bars
        // closer than a tick label's height give up half the shortfall each.
        let order = rects.indices.sorted { rects[$0].minY < rects[$1].minY }
        for (a, b) in zip(order, order.dropFirst()) {
            let short = s.tickFont.size + 1 - (rects[b].minY - rects[a].maxY)
            guard short > 0, rects[a].maxY <= rects[b].minY + 1 else { continue }
            rects[a].height = max(4, rects[a].height - short / 2)
            rects[b].y += short / 2
            rects[b].height = max(4, rects[b].height - short / 2)
        }
        return rects
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
