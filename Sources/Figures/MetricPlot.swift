// MetricPlot: per-frame MSE and SSIM over the prediction horizon for several
// models, side by side — the figure behind the notebook built-in
// `plot_metrics`. Each model keeps one colour and one marker shape in both
// panels, so the curves read without colour too.

/// One model's per-frame metrics.
public struct MetricCurves: Sendable {
    public var label: String
    /// MSE of predicted frame 1, 2, …
    public var mse: [Double]
    /// SSIM of predicted frame 1, 2, …
    public var ssim: [Double]
    public init(label: String, mse: [Double], ssim: [Double]) {
        self.label = label; self.mse = mse; self.ssim = ssim
    }
}

public enum MetricPlot {
    /// What the axes say: the MSE of `evaluate` is a per-frame sum over the
    /// frame's pixels (docs/models.md), SSIM a mean over the frame.
    public static let mseLabel = "MSE (sum over H×W)"
    public static let ssimLabel = "SSIM (frame mean)"
    public static let mseTitle = "MSE (lower is better)"
    public static let ssimTitle = "SSIM (higher is better)"
    public static let frameLabel = "predicted frame"

    /// Two panels: MSE per frame (left) and SSIM per frame (right).
    /// - Parameter firstFrame: the number of the first predicted frame on the x axis.
    public static func figure(models: [MetricCurves], firstFrame: Int = 1, title: String? = nil,
                              width: Double = 520, height: Double = 230) throws -> Figure {
        guard !models.isEmpty else { throw FigureError.empty("plot_metrics model list") }
        let horizon = models.map { max($0.mse.count, $0.ssim.count) }.max() ?? 0
        guard horizon > 0 else { throw FigureError.empty("plot_metrics per-frame values") }
        let xRange = AxisRange.fixed(Double(firstFrame) - 0.5, Double(firstFrame + horizon - 1) + 0.5)
        var mse = Panel(title: mseTitle,
                        xAxis: Axis(label: frameLabel, range: xRange, integerTicks: true),
                        yAxis: Axis(label: mseLabel))
        var ssim = Panel(title: ssimTitle,
                         xAxis: Axis(label: frameLabel, range: xRange, integerTicks: true),
                         yAxis: Axis(label: ssimLabel), legend: .hidden)
        for (i, m) in models.enumerated() {
            let color = Color.cycle(i)
            let marker = MarkerStyle(shape: MarkerShape.cycle(i), size: 4.5)
            let xs = { (n: Int) in (0..<n).map { Double(firstFrame + $0) } }
            if !m.mse.isEmpty {
                mse.lines.append(try LineSeries(x: xs(m.mse.count), y: m.mse, label: m.label, color: color,
                                                width: 1.4, marker: marker))
            }
            if !m.ssim.isEmpty {
                ssim.lines.append(try LineSeries(x: xs(m.ssim.count), y: m.ssim, label: m.label, color: color,
                                                 width: 1.4, marker: marker))
            }
        }
        if mse.lines.isEmpty { mse.legend = .hidden; ssim.legend = .auto }
        return Figure(width: width, height: height, columns: 2, panels: [mse, ssim], title: title)
    }
}
