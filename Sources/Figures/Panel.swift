// Panel: one subplot — either a plotting panel (axes, ticks, grid, lines,
// points, heatmap, legend) or an image panel (composited frames and maps,
// pixel markers, a caption underneath). The model only; drawing is in
// PanelDrawing.swift and placement in FigureLayout.swift.

/// Where a panel's legend goes.
public enum LegendPlacement: String, Sendable {
    /// Inside the axes where it covers no data; outside to the right when
    /// every inside spot would cover some.
    case auto
    case hidden
    case upperRight, upperLeft, lowerLeft, lowerRight
    case outsideRight
    /// Under the axes, wrapped to the panel's width (chosen by `.auto` when the
    /// legend is too wide to stand beside the axes).
    case below
}

public struct Panel: Sendable {
    /// `blank`: an empty cell of an image grid (e.g. under an input frame
    /// that has no prediction); it draws nothing.
    public enum Style: String, Sendable { case axes, image, blank }

    public var style: Style
    public var title: String?
    /// Text under the panel (image panels: e.g. a frame number).
    public var caption: String?
    public var xAxis: Axis
    public var yAxis: Axis
    public var lines: [LineSeries]
    public var scatters: [ScatterSeries]
    /// Filled areas drawn under the lines (Band.swift).
    public var bands: [BandSeries] = []
    public var heatmap: Heatmap?
    public var imageLayers: [ImageLayer]
    public var markers: [PixelMarker]
    public var legend: LegendPlacement

    /// A plotting panel with the given axes.
    public init(title: String? = nil, xAxis: Axis = Axis(), yAxis: Axis = Axis(),
                lines: [LineSeries] = [], scatters: [ScatterSeries] = [], heatmap: Heatmap? = nil,
                legend: LegendPlacement = .auto) {
        style = .axes
        self.title = title; self.xAxis = xAxis; self.yAxis = yAxis
        self.lines = lines; self.scatters = scatters; self.heatmap = heatmap
        imageLayers = []; markers = []; caption = nil
        self.legend = legend
    }

    /// An image panel: `layers` composited bottom-up, `markers` ringed.
    public static func image(_ layers: [ImageLayer], markers: [PixelMarker] = [], title: String? = nil,
                             caption: String? = nil) -> Panel {
        var p = Panel(title: title)
        p.style = .image
        p.imageLayers = layers
        p.markers = markers
        p.caption = caption
        p.legend = .hidden
        return p
    }

    /// An empty cell of an image grid: takes its place, draws nothing.
    public static func blank(caption: String? = nil) -> Panel {
        var p = Panel()
        p.style = .blank
        p.caption = caption
        p.legend = .hidden
        return p
    }

    /// Image panels: width / height of the picture (from the first layer).
    var imageAspect: Double {
        guard let l = imageLayers.first else { return 1 }
        return Double(l.values.width) / Double(l.values.height)
    }

    /// Entries for the legend, in drawing order, with their resolved colours.
    func legendEntries() -> [LegendEntry] {
        var out: [LegendEntry] = []
        var cycle = 0
        for l in lines {
            let c = l.color ?? Color.cycle(cycle)
            if l.color == nil { cycle += 1 }
            if let label = l.label {
                out.append(LegendEntry(label: label, color: c, line: StrokeStyle(color: c, width: l.width, dash: l.dash),
                                       marker: l.marker ?? l.legendMarker))
            }
        }
        for s in scatters {
            let c = s.color ?? Color.cycle(cycle)
            if s.color == nil { cycle += 1 }
            if let label = s.label {
                out.append(LegendEntry(label: label, color: c, line: nil, marker: s.marker))
            }
        }
        return out
    }

    /// Lines and scatters with their colours resolved from the cycle.
    func resolvedColors() -> (lines: [Color], scatters: [Color]) {
        var cycle = 0
        var lc: [Color] = [], sc: [Color] = []
        for l in lines { lc.append(l.color ?? Color.cycle(cycle)); if l.color == nil { cycle += 1 } }
        for s in scatters { sc.append(s.color ?? Color.cycle(cycle)); if s.color == nil { cycle += 1 } }
        return (lc, sc)
    }

    /// The finite data extent along x and y (log axes ignore values ≤ 0).
    func dataExtent() -> (x: ClosedRange<Double>?, y: ClosedRange<Double>?) {
        var xs: [Double] = [], ys: [Double] = []
        func take(_ x: [Double], _ y: [Double]) {
            for (a, b) in zip(x, y) where a.isFinite && b.isFinite {
                if xAxis.scale == .log && a <= 0 { continue }
                if yAxis.scale == .log && b <= 0 { continue }
                xs.append(a); ys.append(b)
            }
        }
        for l in lines { take(l.x, l.y) }
        for s in scatters { take(s.x, s.y) }
        for b in bands { take(b.x, b.low); take(b.x, b.high) }
        if let h = heatmap {
            xs += [0, Double(h.values.width)]
            ys += [0, Double(h.values.height)]
        }
        func span(_ v: [Double]) -> ClosedRange<Double>? {
            guard let lo = v.min(), let hi = v.max() else { return nil }
            return lo...hi
        }
        return (span(xs), span(ys))
    }
}
