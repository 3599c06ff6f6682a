// Legend: the box naming each labelled series, its size, and where it goes —
// inside the axes at the candidate spot that hides the least data (matplotlib's
// "best" order breaks ties), or outside to the right when every spot hides some.

struct LegendEntry {
    var label: String
    var color: Color
    var line: StrokeStyle?
    var marker: MarkerStyle?
}

struct LegendBox {
    static let padding = 5.0
    static let swatch = 20.0
    static let swatchGap = 5.0
    static let inset = 5.0

    static let columnGap = 10.0

    let entries: [LegendEntry]
    let font: Font
    let size: (width: Double, height: Double)
    var rowHeight: Double { font.size * 1.45 }
    /// A wrapped legend (`maxWidth` given): each entry's label lines, entries in
    /// `columns` columns row by row, each row as tall as its most-wrapped entry.
    private(set) var lines: [[String]]? = nil
    private(set) var columns = 1
    private(set) var columnWidth = 0.0

    init(entries: [LegendEntry], font: Font, renderer: Renderer) {
        self.entries = entries
        self.font = font
        let widest = entries.map { renderer.measure($0.label, font: font).width }.max() ?? 0
        size = (2 * Self.padding + Self.swatch + Self.swatchGap + widest,
                2 * Self.padding + Double(entries.count) * font.size * 1.45 - font.size * 0.45)
    }

    /// A legend no wider than `maxWidth`: labels wrapped at spaces (a word
    /// longer than a line is cut between characters), entries side by side in
    /// as many columns as fit.
    init(entries: [LegendEntry], font: Font, renderer: Renderer, maxWidth: Double) {
        self.entries = entries
        self.font = font
        let labelMax = max(20, maxWidth - 2 * Self.padding - Self.swatch - Self.swatchGap)
        let wrapped = entries.map { TextWrap.lines($0.label, width: labelMax, font: font, renderer: renderer) }
        let widest = wrapped.flatMap { $0 }.map { renderer.measure($0, font: font).width }.max() ?? 0
        let cw = Self.swatch + Self.swatchGap + widest
        let cols = max(1, min(entries.count, Int((maxWidth - 2 * Self.padding + Self.columnGap) / (cw + Self.columnGap))))
        var height = 0.0
        var i = 0
        while i < wrapped.count {
            let rowLines = wrapped[i..<min(i + cols, wrapped.count)].map(\.count).max() ?? 1
            height += Double(rowLines) * font.size * 1.45
            i += cols
        }
        lines = wrapped; columns = cols; columnWidth = cw
        size = (2 * Self.padding + Double(cols) * cw + Double(cols - 1) * Self.columnGap,
                2 * Self.padding + height - font.size * 0.45)
    }

    /// The inside spots, in order of preference.
    static let candidates: [LegendPlacement] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight]

    func rect(for placement: LegendPlacement, plot: Rect) -> Rect {
        let w = size.width, h = size.height, i = Self.inset
        switch placement {
        case .upperLeft: return Rect(x: plot.minX + i, y: plot.minY + i, width: w, height: h)
        case .lowerLeft: return Rect(x: plot.minX + i, y: plot.maxY - i - h, width: w, height: h)
        case .lowerRight: return Rect(x: plot.maxX - i - w, y: plot.maxY - i - h, width: w, height: h)
        case .outsideRight: return Rect(x: plot.maxX + 8, y: plot.minY, width: w, height: h)
        default: return Rect(x: plot.maxX - i - w, y: plot.minY + i, width: w, height: h)
        }
    }

    /// Further inside spots tried after the corners: the middles of the edges and the centre.
    func extraRects(plot: Rect) -> [Rect] {
        let w = size.width, h = size.height, i = Self.inset
        return [
            Rect(x: plot.maxX - i - w, y: plot.midY - h / 2, width: w, height: h),  // right
            Rect(x: plot.minX + i, y: plot.midY - h / 2, width: w, height: h),      // left
            Rect(x: plot.midX - w / 2, y: plot.maxY - i - h, width: w, height: h),  // lower centre
            Rect(x: plot.midX - w / 2, y: plot.minY + i, width: w, height: h),      // upper centre
            Rect(x: plot.midX - w / 2, y: plot.midY - h / 2, width: w, height: h),  // centre
        ]
    }

    /// How much data `box` hides: line segments crossing it plus points inside it.
    static func badness(of box: Rect, polylines: [[Point]], points: [Point]) -> Int {
        let b = box.inset(by: -2)
        var n = 0
        for pl in polylines {
            if pl.count == 1, b.contains(pl[0]) { n += 1 }
            for i in 1..<max(pl.count, 1) where b.intersectsSegment(pl[i - 1], pl[i]) { n += 1 }
        }
        for p in points where b.contains(p) { n += 1 }
        return n
    }

    /// The best inside rectangle and what it hides; fits only if the box fits the plot.
    func bestInside(plot: Rect, polylines: [[Point]], points: [Point]) -> (rect: Rect, badness: Int)? {
        guard size.width + 2 * Self.inset <= plot.width, size.height + 2 * Self.inset <= plot.height else { return nil }
        var best: (Rect, Int)? = nil
        let rects = Self.candidates.map { rect(for: $0, plot: plot) } + extraRects(plot: plot)
        for r in rects {
            let bad = Self.badness(of: r, polylines: polylines, points: points)
            if best == nil || bad < best!.1 { best = (r, bad) }
            if bad == 0 { break }
        }
        return best
    }

    func draw(in r: Rect, renderer: Renderer) {
        renderer.fill(Path.rect(r), color: Color.white.withAlpha(0.9))
        renderer.stroke(Path.rect(r), style: StrokeStyle(color: Color(hex: 0xBBBBBB), width: 0.6))
        if let lines { drawWrapped(lines, in: r, renderer: renderer); return }
        for (i, e) in entries.enumerated() {
            let cy = r.minY + Self.padding + font.size * 0.5 + Double(i) * rowHeight
            let x0 = r.minX + Self.padding
            if let line = e.line {
                renderer.stroke(Path.segment(Point(x0, cy), Point(x0 + Self.swatch, cy)), style: line)
            }
            if let m = e.marker {
                MarkerDrawing.draw(m, at: Point(x0 + Self.swatch / 2, cy), color: e.color, renderer: renderer)
            }
            renderer.drawText(e.label, at: Point(x0 + Self.swatch + Self.swatchGap, cy), font: font,
                              color: .ink, anchor: TextAnchor(.start, .middle), rotation: .horizontal)
        }
    }
}

extension LegendBox {
    /// Entries row by row in `columns` columns, each label on its lines.
    fileprivate func drawWrapped(_ lines: [[String]], in r: Rect, renderer: Renderer) {
        var top = r.minY + Self.padding
        var i = 0
        while i < entries.count {
            let row = i..<min(i + columns, entries.count)
            for k in row {
                let e = entries[k]
                let x0 = r.minX + Self.padding + Double(k - row.lowerBound) * (columnWidth + Self.columnGap)
                let cy = top + font.size * 0.5
                if let line = e.line {
                    renderer.stroke(Path.segment(Point(x0, cy), Point(x0 + Self.swatch, cy)), style: line)
                }
                if let m = e.marker {
                    MarkerDrawing.draw(m, at: Point(x0 + Self.swatch / 2, cy), color: e.color, renderer: renderer)
                }
                for (j, text) in lines[k].enumerated() {
                    renderer.drawText(text, at: Point(x0 + Self.swatch + Self.swatchGap, cy + Double(j) * rowHeight), font: font,
                                      color: .ink, anchor: TextAnchor(.start, .middle), rotation: .horizontal)
                }
            }
            top += Double(lines[row].map(\.count).max() ?? 1) * rowHeight
            i += columns
        }
    }
}

/// Text that must fit a width: the font shrinks down to 70 % of its size but
/// not below 7 pt (a journal's smallest; a smaller font is kept as it is),
/// then the text wraps at spaces.
enum TextFit {
    static let floor = 7.0

    static func fit(_ text: String, font: Font, width: Double, renderer: Renderer) -> (Font, [String]) {
        let w = renderer.measure(text, font: font).width
        guard w > width, width > 0 else { return (font, [text]) }
        var f = font
        f.size = max(min(font.size, max(font.size * 0.7, Self.floor)), font.size * width / w)
        if renderer.measure(text, font: f).width <= width { return (f, [text]) }
        return (f, TextWrap.lines(text, width: width, font: f, renderer: renderer))
    }
}

/// Greedy word wrapping with measured widths.
enum TextWrap {
    /// `text` in lines no wider than `width` (a word longer than that is cut).
    static func lines(_ text: String, width: Double, font: Font, renderer: Renderer) -> [String] {
        func fits(_ s: String) -> Bool { renderer.measure(s, font: font).width <= width }
        var out: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if fits(candidate) { current = candidate; continue }
            if !current.isEmpty { out.append(current); current = "" }
            var rest = word
            while !fits(rest) {
                var cut = rest.startIndex
                var piece = ""
                for ch in rest {
                    if !fits(piece + String(ch)) { break }
                    piece.append(ch); cut = rest.index(after: cut)
                }
                if piece.isEmpty { piece = String(rest.first!); cut = rest.index(after: rest.startIndex) }
                out.append(piece)
                rest = String(rest[cut...])
                if rest.isEmpty { break }
            }
            current = rest
        }
        if !current.isEmpty || out.isEmpty { out.append(current) }
        return out
    }
}

enum MarkerDrawing {
    static func draw(_ m: MarkerStyle, at p: Point, color: Color, renderer: Renderer) {
        let r = m.size / 2
        var path: Path
        switch m.shape {
        case .circle:
            path = Path.circle(center: p, radius: r)
        case .square:
            let s = r * 0.9
            path = Path.rect(Rect(x: p.x - s, y: p.y - s, width: 2 * s, height: 2 * s))
        case .triangle:
            let s = r * 1.15
            path = Path.polygon([Point(p.x, p.y - s), Point(p.x + s * 0.866, p.y + s * 0.5),
                                 Point(p.x - s * 0.866, p.y + s * 0.5)])
        case .diamond:
            let s = r * 1.2
            path = Path.polygon([Point(p.x, p.y - s), Point(p.x + s * 0.75, p.y), Point(p.x, p.y + s),
                                 Point(p.x - s * 0.75, p.y)])
        case .triangleDown:
            let s = r * 1.15
            path = Path.polygon([Point(p.x, p.y + s), Point(p.x + s * 0.866, p.y - s * 0.5),
                                 Point(p.x - s * 0.866, p.y - s * 0.5)])
        case .star:
            let s = r * 1.3
            // sin and cos of k · 36° as constants (no libm on a figure's bytes)
            let s36 = 0.5877852522924731, c36 = 0.8090169943749475, s72 = 0.9510565162951535, c72 = 0.30901699437494745
            let unit: [(Double, Double)] = [(0, 1), (s36, c36), (s72, c72), (s72, -c72), (s36, -c36),
                                            (0, -1), (-s36, -c36), (-s72, -c72), (-s72, c72), (-s36, c36)]
            path = Path.polygon(unit.enumerated().map { k, u in
                let rad = k % 2 == 0 ? s : s * 0.45
                return Point(p.x + rad * u.0, p.y - rad * u.1)
            })
        case .plus:
            var c = Path()
            let s = r * 1.15
            c.move(to: Point(p.x - s, p.y)); c.line(to: Point(p.x + s, p.y))
            c.move(to: Point(p.x, p.y - s)); c.line(to: Point(p.x, p.y + s))
            renderer.stroke(c, style: StrokeStyle(color: color, width: 1.4))
            return
        case .cross:
            var c = Path()
            c.move(to: Point(p.x - r, p.y - r)); c.line(to: Point(p.x + r, p.y + r))
            c.move(to: Point(p.x - r, p.y + r)); c.line(to: Point(p.x + r, p.y - r))
            renderer.stroke(c, style: StrokeStyle(color: color, width: 1.4))
            return
        }
        if m.hollow {
            renderer.fill(path, color: .white)
            renderer.stroke(path, style: StrokeStyle(color: color, width: 1.2))
        } else {
            renderer.fill(path, color: color)
            renderer.stroke(path, style: StrokeStyle(color: .white, width: 0.5))
        }
    }
}
