// PredictionStrip: ground truth over prediction, one column per frame, frame
// numbers underneath, optionally a third row with the absolute error and its
// colour bar — the figure behind the notebook built-in `plot_frames`.

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
        guard !truth.isEmpty else { throw FigureError.empty("plot_frames ground-truth frame list") }
        guard prediction.count == truth.count else {
            throw FigureError.lengthMismatch(what: "predicted frames (one per ground-truth frame)",
                                             expected: truth.count, got: prediction.count)
        }
        let f0 = truth[0]
        for (name, list) in [("ground-truth", truth), ("predicted", prediction)] {
            for (t, f) in list.enumerated() where f.width != f0.width || f.height != f0.height {
                throw FigureError.sizeMismatch(what: "\(name) frame \(t)", expected: "\(f0.width)×\(f0.height)",
                                               got: "\(f.width)×\(f.height)")
            }
        }
        let n = truth.count
        var panels: [Panel] = []
        var rowLabels = ["Ground truth", "Prediction"]
        let lastRow = showError ? 2 : 1
        func caption(_ row: Int, _ t: Int) -> String? { row == lastRow ? String(firstFrameNumber + t) : nil }
        for t in 0..<n {
            panels.append(.image([ImageLayer(values: truth[t], range: valueRange)], caption: caption(0, t)))
        }
        for t in 0..<n {
            panels.append(.image([ImageLayer(values: prediction[t], range: valueRange)], caption: caption(1, t)))
        }
        var bars: [ColorBar] = []
        if showError {
            let errors = try (0..<n).map { try FloatImage.absoluteDifference(truth[$0], prediction[$0]) }
            var hi = 0.0
            for e in errors { if let r = e.finiteRange { hi = max(hi, r.upperBound) } }
            if hi <= 0 { hi = 1 }
            for t in 0..<n {
                panels.append(.image([ImageLayer(values: errors[t], colorMap: .magma, range: 0...hi)], caption: caption(2, t)))
            }
            rowLabels.append("|Error|")
            bars.append(ColorBar(colorMap: .magma, range: 0...hi, label: nil, rows: 2...2))
        }
        var fig = Figure(width: 0, height: 0, columns: n, panels: panels, title: title)
        fig.rowLabels = rowLabels
        fig.colorBars = bars
        fig.bottomLabel = "frame"
        let s = fig.style
        let cell = n <= 6 ? 56.0 : 44.0
        let rows = Double(rowLabels.count)
        fig.width = 2 * s.outerPadding + 72 + Double(n) * cell + Double(n - 1) * s.imageGap + (showError ? 56 : 0)
        fig.height = 2 * s.outerPadding + (title != nil ? s.titleFont.size * 1.1 + 6 : 0)
            + rows * cell + (rows - 1) * s.imageGap + 3 + s.captionFont.size + 4 + s.axisLabelFont.size + 4
        return fig
    }
}
