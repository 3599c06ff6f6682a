// LossPlot: training curves of one or more runs on one axis — the figure
// behind the notebook built-in `plot_loss`. Train losses are lines (with an
// optional smoothed trend over the faint raw curve, its weight in the legend),
// validation losses markers in the run's colour; one legend entry per run; a
// log y axis when asked or when the data span more than 20×; optionally a
// second panel below with each run's learning rate per step (log scale when positive).

/// One run's losses, as plain arrays.
public struct LossRun: Sendable {
    public var label: String
    public var steps: [Double]
    public var loss: [Double]
    public var validationSteps: [Double]
    public var validationLoss: [Double]
    /// The learning rate of every step (empty: none), for the lr panel.
    public var lr: [Double] = []

    /// Throws when `steps` and `loss` (or the validation pair) differ in length.
    public init(label: String, steps: [Double], loss: [Double],
                validationSteps: [Double] = [], validationLoss: [Double] = []) throws {
        guard steps.count == loss.count else {
            throw FigureError.lengthMismatch(what: "run '\(label)' loss values (one per step)", expected: steps.count, got: loss.count)
        }
        guard validationSteps.count == validationLoss.count else {
            throw FigureError.lengthMismatch(what: "run '\(label)' validation loss values (one per validation step)",
                                             expected: validationSteps.count, got: validationLoss.count)
        }
        self.label = label; self.steps = steps; self.loss = loss
        self.validationSteps = validationSteps; self.validationLoss = validationLoss
    }
}

public enum LossPlot {
    /// A log y axis is chosen by the data (when the caller does not say) if
    /// every value is positive and they span more than this ratio (20×, about
    /// 1.3 decades); the axis label then says "(log scale)" (FigureOptions).
    public static let logRatio = 20.0

    /// Whether `values` call for a log axis: all finite ones positive, spanning more than `logRatio`.
    public static func prefersLog(_ values: [Double]) -> Bool {
        let v = values.filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max(), lo > 0 else { return false }
        return hi / lo > logRatio
    }

    /// "EMA 0.9 (≈10 steps)": how a smoothing weight is named in a legend
    /// (1 / (1 − w) is the EMA's effective window).
    public static func smoothingNote(_ w: Double) -> String {
        "EMA \(w) (≈\(Int((1 / (1 - w)).rounded())) steps)"
    }

    /// The legend's key when runs have validation losses: train losses are
    /// lines, validation losses markers (each run keeps its colour, dash and marker shape).
    public static let trainKey = "train (lines)"
    public static let validationKey = "validation (markers)"

    /// Loss curves of `runs` on one axis. Each run has one legend entry (its
    /// colour, dash and validation marker); with validation losses two grey
    /// entries say which is which.
    /// - Parameters:
    ///   - logY: log-scale loss axis (values ≤ 0 are left out); nil: chosen by the data (`prefersLog`).
    ///   - smoothing: EMA weight in 0..<1; when set, the raw curve is drawn faint
    ///     and the smoothed one solid on top, the weight named in the legend.
    ///   - width, height: figure size in points.
    ///   - lrPanel: add a panel below with each run's `lr` against its steps.
    public static func figure(runs: [LossRun], logY: Bool? = nil, smoothing: Double? = nil,
                              title: String? = nil, xLabel: String = "step", yLabel: String = "loss",
                              width: Double = 420, height: Double = 280, lrPanel: Bool = false) throws -> Figure {
        guard !runs.isEmpty else { throw FigureError.empty("plot_loss run list") }
        if let w = smoothing, !(w >= 0 && w < 1) {
            throw FigureError.invalidArgument("smoothing weight must be in 0..<1, got \(w)")
        }
        let all = runs.flatMap { $0.loss + $0.validationLoss }
        guard all.contains(where: { $0.isFinite }) else { throw FigureError.empty("loss curves (no finite values)") }
        let log = logY ?? prefersLog(all)
        if log && !all.contains(where: { $0.isFinite && $0 > 0 }) {
            throw FigureError.noPositiveValuesForLogScale("loss curves")
        }
        var panel = Panel(title: nil,
                          xAxis: Axis(label: xLabel, integerTicks: true),
                          yAxis: Axis(label: yLabel, scale: log ? .log : .linear))
        let anyValidation = runs.contains { !$0.validationLoss.isEmpty }
        for (i, run) in runs.enumerated() {
            let color = Color.cycle(i)
            let marker = MarkerStyle(shape: MarkerShape.cycle(i), size: 5.5)
            var label = run.label
            if let w = smoothing, w > 0 { label += ", " + smoothingNote(w) }
            var line: LineSeries
            if let w = smoothing, w > 0 {
                panel.lines.append(try LineSeries(x: run.steps, y: run.loss, color: color, width: 0.9, opacity: 0.3))
                line = try LineSeries(x: run.steps, y: Smoothing.exponentialMovingAverage(run.loss, weight: w),
                                      label: label, color: color, width: 1.6)
            } else {
                line = try LineSeries(x: run.steps, y: run.loss, label: label, color: color, width: 1.4)
            }
            if !run.validationLoss.isEmpty { line.legendMarker = marker }
            panel.lines.append(line)
            if !run.validationLoss.isEmpty {
                panel.scatters.append(try ScatterSeries(x: run.validationSteps, y: run.validationLoss, color: color, marker: marker))
            }
        }
        if anyValidation {
            // The key: drawn in the legend only (no data), in grey.
            panel.lines.append(try LineSeries(x: [], y: [], label: trainKey, color: .keyGrey, width: 1.4))
            panel.scatters.append(try ScatterSeries(x: [], y: [], label: validationKey, color: .keyGrey,
                                                    marker: MarkerStyle(shape: .circle, size: 5.5)))
        }
        guard lrPanel else { return Figure(width: width, height: height, columns: 1, panels: [panel], title: title) }
        let withLR = runs.enumerated().filter { !$0.element.lr.isEmpty }
        guard !withLR.isEmpty else { throw FigureError.empty("learning rates (no run has any)") }
        let positive = withLR.allSatisfy { $0.element.lr.allSatisfy { $0 > 0 && $0.isFinite } }
        var lrs = Panel(title: nil, xAxis: Axis(label: xLabel, integerTicks: true),
                        yAxis: Axis(label: "learning rate", scale: positive ? .log : .linear))
        for (i, run) in withLR {
            guard run.lr.count == run.steps.count else {
                throw FigureError.lengthMismatch(what: "run '\(run.label)' learning rates (one per step)", expected: run.steps.count, got: run.lr.count)
            }
            lrs.lines.append(try LineSeries(x: run.steps, y: run.lr, label: run.label, color: Color.cycle(i), width: 1.4))
        }
        return Figure(width: width, height: height * 1.7, columns: 1, panels: [panel, lrs], title: title)
    }
}
