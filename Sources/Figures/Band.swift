// Band: a filled area between a lower and an upper curve — the spread of a
// group of runs around its mean line (±1 sd, or min–max) — and the figures
// that draw groups that way: `BandPlot.loss` (plot_loss over groups of
// histories) and `BandPlot.metrics` (plot_metrics over groups of
// evaluations). The statistics are the caller's; here are plain arrays.

/// The area between `low` and `high` over `x`, filled in a translucent colour under the lines.
public struct BandSeries: Sendable {
    public var x: [Double]
    public var low: [Double]
    public var high: [Double]
    /// nil: the colour of the line series at the same position in the cycle.
    public var color: Color?
    public var opacity: Double

    public init(x: [Double], low: [Double], high: [Double], color: Color? = nil, opacity: Double = 0.2) throws {
        guard x.count == low.count, x.count == high.count else {
            throw FigureError.lengthMismatch(what: "band bounds (one pair per x)", expected: x.count, got: min(low.count, high.count))
        }
        self.x = x; self.low = low; self.high = high; self.color = color; self.opacity = opacity
    }
}

extension PanelDrawing {
    /// Fills each band as one polygon per run of finite, projectable points (upper edge forward, lower edge back).
    static func drawBands(_ p: Panel, plot: Rect, x: ResolvedAxis, y: ResolvedAxis, renderer r: Renderer) {
        for (i, b) in p.bands.enumerated() {
            let color = (b.color ?? Color.cycle(i)).withAlpha(b.opacity)
            var upper: [Point] = [], lower: [Point] = []
            func flush() {
                if upper.count >= 2 { r.fill(Path.polygon(upper + lower.reversed()), color: color) }
                upper = []; lower = []
            }
            func clampY(_ v: Double) -> Double { min(max(v, plot.minY), plot.maxY) }
            for k in b.x.indices {
                guard let px = x.position(b.x[k], start: plot.minX, end: plot.maxX),
                      let hi = y.position(b.high[k], start: plot.maxY, end: plot.minY),
                      let lo = y.position(b.low[k], start: plot.maxY, end: plot.minY) else { flush(); continue }
                upper.append(Point(px, clampY(hi)))
                lower.append(Point(px, clampY(lo)))
            }
            flush()
        }
    }
}

/// One group's curve: the mean at each x and the band around it.
public struct BandCurve: Sendable {
    public var label: String
    public var x: [Double]
    public var mean: [Double]
    public var low: [Double]
    public var high: [Double]

    public init(label: String, x: [Double], mean: [Double], low: [Double], high: [Double]) throws {
        guard x.count == mean.count, x.count == low.count, x.count == high.count else {
            throw FigureError.lengthMismatch(what: "group '\(label)' mean and band (one per x)", expected: x.count,
                                             got: [mean.count, low.count, high.count].min()!)
        }
        self.label = label; self.x = x; self.mean = mean; self.low = low; self.high = high
    }
}

public enum BandPlot {
    /// Mean training loss of each group with its band, on one axis (log when
    /// `logY`, or — nil — when the data span more than 20×, `LossPlot.prefersLog`).
    /// `band` is named once, after the title (": mean, band ±1 sd"), as
    /// `metrics` does; a group's label says its size ("ConvLSTM (n = 3)").
    /// `note` (e.g. the smoothing) is a grey key entry of the legend.
    public static func loss(groups: [BandCurve], band: String, logY: Bool? = nil, title: String? = nil,
                            yLabel: String = "loss", note: String? = nil,
                            width: Double = 420, height: Double = 280) throws -> Figure {
        guard !groups.isEmpty else { throw FigureError.empty("plot_loss group list") }
        let log = logY ?? LossPlot.prefersLog(groups.flatMap { $0.mean + $0.low + $0.high })
        var panel = Panel(title: nil, xAxis: Axis(label: "step", integerTicks: true),
                          yAxis: Axis(label: yLabel, scale: log ? .log : .linear))
        for (i, g) in groups.enumerated() {
            let color = Color.cycle(i)
            panel.bands.append(try BandSeries(x: g.x, low: g.low, high: g.high, color: color))
            panel.lines.append(try LineSeries(x: g.x, y: g.mean, label: g.label, color: color, width: 1.5))
        }
        if let note { panel.lines.append(try LineSeries(x: [], y: [], label: note, color: .keyGrey, width: 1.5)) }
        let full = (title.map { $0 + ": " } ?? "") + "mean, band \(band)"
        return Figure(width: width, height: height, columns: 1, panels: [panel], title: full)
    }

    /// Per-frame MSE (left) and SSIM (right) of each group: the mean with markers and its band
    /// (`band` names it; it goes into the title, after `title`).
    public static func metrics(mse: [BandCurve], ssim: [BandCurve], band: String, title: String? = nil,
                               width: Double = 520, height: Double = 230) throws -> Figure {
        guard !mse.isEmpty || !ssim.isEmpty else { throw FigureError.empty("plot_metrics group list") }
        let horizon = (mse + ssim).map(\.x.count).max() ?? 0
        guard horizon > 0 else { throw FigureError.empty("plot_metrics per-frame values") }
        let xRange = AxisRange.fixed(0.5, Double(horizon) + 0.5)
        var left = Panel(title: MetricPlot.mseTitle, xAxis: Axis(label: MetricPlot.frameLabel, range: xRange, integerTicks: true),
                         yAxis: Axis(label: MetricPlot.mseLabel))
        var right = Panel(title: MetricPlot.ssimTitle, xAxis: Axis(label: MetricPlot.frameLabel, range: xRange, integerTicks: true),
                          yAxis: Axis(label: MetricPlot.ssimLabel), legend: .hidden)
        for (panel, curves) in [(0, mse), (1, ssim)] {
            for (i, g) in curves.enumerated() {
                let color = Color.cycle(i)
                let area = try BandSeries(x: g.x, low: g.low, high: g.high, color: color)
                let line = try LineSeries(x: g.x, y: g.mean, label: g.label, color: color, width: 1.4,
                                          marker: MarkerStyle(shape: MarkerShape.cycle(i), size: 4.5))
                if panel == 0 { left.bands.append(area); left.lines.append(line) } else { right.bands.append(area); right.lines.append(line) }
            }
        }
        if left.lines.isEmpty { left.legend = .hidden; right.legend = .auto }
        let full = (title.map { $0 + ": " } ?? "") + "mean, band \(band)"
        return Figure(width: width, height: height, columns: 2, panels: [left, right], title: full)
    }
}
