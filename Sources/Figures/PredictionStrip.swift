// PredictionStrip: ground truth over prediction, one column per frame, frame
// numbers underneath, optionally a third row with the absolute error and its
// colour bar — the figure behind the notebook built-in `plot_frames`. Frames
// may be any H×W (panels keep the frame's aspect); several channels give one
// group of rows each, each with its own value scale; observed input frames
// can lead the truth row (the prediction and error rows are blank under them).

/// One channel's frames in a prediction strip.
public struct FrameChannel: Sendable {
    /// Names the channel's rows ("Ground truth (ch. 1)"); nil for a single channel.
    public var name: String?
    /// The frames the prediction is of, one per predicted frame.
    public var truth: [FloatImage]
    public var prediction: [FloatImage]
    /// Observed frames before the first predicted one, drawn left of the truth (may be empty).
    public var inputs: [FloatImage]
    public var colorMap: ColorMap
    /// Values mapped to the ends of `colorMap`.
    public var range: ClosedRange<Double>
    /// The label of a colour bar beside the truth and prediction rows; nil for no bar
    /// (grey frames in 0…1 need none).
    public var colorBarLabel: String?

    public init(name: String? = nil, truth: [FloatImage], prediction: [FloatImage], inputs: [FloatImage] = [],
                colorMap: ColorMap = .gray, range: ClosedRange<Double> = 0...1, colorBarLabel: String? = nil) {
        self.name = name; self.truth = truth; self.prediction = prediction; self.inputs = inputs
        self.colorMap = colorMap; self.range = range; self.colorBarLabel = colorBarLabel
    }
}

public enum PredictionStrip {
    /// Truth and prediction frames side by side in time.
    /// - Parameters:
    ///   - truth, prediction: the same number of frames, all the same size.
    ///   - showError: add a row with |truth − prediction| (magma, own colour bar).
    ///   - firstFrameNumber: the number written under the first column.
    ///   - valueRange: pixel values mapped to black and white.
    public static func figure(truth: [FloatImage], prediction: [FloatImage], showError: Bool = false,
                              firstFrameNumber: Int = 1, title: String? = nil,
                              valueRange: ClosedRange<Double> = 0...1) throws -> Figure {
        try figure(channels: [FrameChannel(truth: truth, prediction: prediction, range: valueRange)],
                   showError: showError, firstFrameNumber: firstFrameNumber, title: title)
    }

    /// The error row's colour bar: what it measures (in the frames' units).
    public static let errorBarLabel = "|truth − prediction|"

    /// Row labels of a channel's group.
    static func rowNames(_ c: FrameChannel) -> [String] {
        guard let n = c.name else { return ["Ground truth", "Prediction", "|Error|"] }
        return ["Ground truth (\(n))", "Prediction (\(n))", "|Error| (\(n))"]
    }

    /// The general strip: per channel a truth row, a prediction row and
    /// (with `showError`) an error row; input frames, if any, lead the truth row.
    /// - Parameter firstFrameNumber: the number of the first *predicted* frame.
    public static func figure(channels: [FrameChannel], showError: Bool = false, firstFrameNumber: Int = 1,
                              title: String? = nil) throws -> Figure {
        guard let c0 = channels.first else { throw FigureError.empty("plot_frames channel list") }
        guard !c0.truth.isEmpty else { throw FigureError.empty("plot_frames ground-truth frame list") }
        let f0 = c0.truth[0], n = c0.truth.count, nIn = c0.inputs.count
        for c in channels {
            guard c.truth.count == n else {
                throw FigureError.lengthMismatch(what: "ground-truth frames of every channel", expected: n, got: c.truth.count)
            }
            guard c.prediction.count == n else {
                throw FigureError.lengthMismatch(what: "predicted frames (one per ground-truth frame)",
                                                 expected: n, got: c.prediction.count)
            }
            guard c.inputs.count == nIn else {
                throw FigureError.lengthMismatch(what: "input frames of every channel", expected: nIn, got: c.inputs.count)
            }
            guard c.range.lowerBound.isFinite, c.range.upperBound.isFinite, c.range.upperBound > c.range.lowerBound else {
                throw FigureError.invalidArgument("the value range of \(c.name ?? "the frames") must be finite and increasing, got \(c.range)")
            }
            for (name, list) in [("input", c.inputs), ("ground-truth", c.truth), ("predicted", c.prediction)] {
                for (t, f) in list.enumerated() where f.width != f0.width || f.height != f0.height {
                    throw FigureError.sizeMismatch(what: "\(name) frame \(t)", expected: "\(f0.width)×\(f0.height)",
                                                   got: "\(f.width)×\(f.height)")
                }
            }
        }
        let columns = nIn + n
        let rowsPerChannel = showError ? 3 : 2
        let lastRow = channels.count * rowsPerChannel - 1
        var panels: [Panel] = []
        var rowLabels: [String] = []
        var bars: [ColorBar] = []
        func caption(_ row: Int, _ column: Int) -> String? {
            row == lastRow ? String(firstFrameNumber - nIn + column) : nil
        }
        for (k, c) in channels.enumerated() {
            let base = k * rowsPerChannel
            let names = rowNames(c)
            for (t, f) in (c.inputs + c.truth).enumerated() {
                panels.append(.image([ImageLayer(values: f, colorMap: c.colorMap, range: c.range)], caption: caption(base, t)))
            }
            for t in 0..<columns {
                panels.append(t < nIn ? .blank(caption: caption(base + 1, t))
                              : .image([ImageLayer(values: c.prediction[t - nIn], colorMap: c.colorMap, range: c.range)],
                                       caption: caption(base + 1, t)))
            }
            rowLabels += names.prefix(2)
            if let label = c.colorBarLabel {
                bars.append(ColorBar(colorMap: c.colorMap, range: c.range, label: label, rows: base...(base + 1)))
            }
            if showError {
                let errors = try (0..<n).map { try FloatImage.absoluteDifference(c.truth[$0], c.prediction[$0]) }
                var hi = 0.0
                for e in errors { if let r = e.finiteRange { hi = max(hi, r.upperBound) } }
                if hi <= 0 { hi = 1 }
                hi = ColorBar.niceUpper(lower: 0, upper: hi)   // the bar ticked at its top
                for t in 0..<columns {
                    panels.append(t < nIn ? .blank(caption: caption(base + 2, t))
                                  : .image([ImageLayer(values: errors[t - nIn], colorMap: .magma, range: 0...hi)],
                                           caption: caption(base + 2, t)))
                }
                rowLabels.append(names[2])
                bars.append(ColorBar(colorMap: .magma, range: 0...hi, label: errorBarLabel, rows: (base + 2)...(base + 2)))
            }
        }
        var fig = Figure(width: 0, height: 0, columns: columns, panels: panels, title: title)
        fig.rowLabels = rowLabels
        fig.colorBars = bars
        fig.bottomLabel = nIn == 0 ? "frame"
            : "frame (\(firstFrameNumber - nIn)–\(firstFrameNumber - 1) observed, \(firstFrameNumber)–\(firstFrameNumber + n - 1) predicted)"
        let s = fig.style
        func width(_ text: String, _ font: Font) -> Double { DejaVuMetrics.width(of: text, size: font.size, bold: font.bold) }
        // The longer side of a panel is `cell`; the other keeps the frame's aspect.
        let cell = columns <= 6 ? 56.0 : 44.0
        let aspect = Double(f0.width) / Double(f0.height)
        let cellW = aspect >= 1 ? cell : cell * aspect, cellH = aspect >= 1 ? cell / aspect : cell
        let rows = Double(rowLabels.count)
        // Row labels: at least 72 pt (they turn up when they fit the row), more for long ones written across.
        let rowLabelRoom = max(72, (rowLabels.map { width($0, s.rowLabelFont) }.max() ?? 0) + 12)
        // Colour bars: their ticks and label, as FigureLayout reserves them.
        var barRoom = 0.0
        for bar in bars {
            let t = bar.ticks(maxTicks: 6)
            let labels = t.major.map { width($0.label, s.tickFont) }.max() ?? 0
            let label = bar.fullLabel(t) != nil ? s.axisTitleGap + s.axisLabelFont.size : 0
            barRoom = max(barRoom, 56, s.colorBarGap + s.colorBarWidth + s.tickLength + s.labelGap + labels + label + 6)
        }
        // A bar's label runs along the rows it stands beside: they must be tall enough.
        var minRowH = cellH
        for bar in bars {
            guard let label = bar.fullLabel(bar.ticks(maxTicks: 6)), let span = bar.rows else { continue }
            let k = Double(span.count)
            minRowH = max(minRowH, (width(label, s.tickFont) + 8 - (k - 1) * s.imageGap) / k)
        }
        let rowH = minRowH, colW = rowH == cellH ? cellW : rowH * aspect
        let noteWidth = width(fig.bottomLabel ?? "", s.axisLabelFont) + 8
        let block = max(rowLabelRoom + Double(columns) * colW + Double(columns - 1) * s.imageGap, noteWidth)
        let titleWidth = title.map { width($0, s.titleFont) + 4 } ?? 0
        fig.width = max(2 * s.outerPadding + block + barRoom, 2 * s.outerPadding + titleWidth)
        fig.height = 2 * s.outerPadding + (title != nil ? s.titleFont.size * 1.1 + 6 : 0)
            + rows * rowH + (rows - 1) * s.imageGap + 3 + s.captionFont.size + 4 + s.axisLabelFont.size + 4
        return fig
    }
}
