// An automatic axis hugs its data: over many data ranges (tiny spans, spans
// crossing zero, constant series, negative values, a single point, huge and
// small magnitudes) and tick budgets, the range the axis computes holds every
// value and the data fill at least half of it (linear; in decades on a log
// axis); and in laid-out figures (loss curves, per-frame MSE and SSIM, group
// means with bands, learning rates) at the paper size, read from the layout's
// own axes, every line point and band edge lies inside its axis.

import XCTest
@testable import Figures

final class AxisRangeTests: XCTestCase {
    static let ranges: [(Double, Double)] = [
        (0.025, 0.06), (0, 0.4), (0.012, 0.41), (0.019, 0.041), (0.0055, 0.011), (80, 160), (93.2, 151.7),
        (-0.3, 0.7), (-0.02, 0.4), (-1, 1), (-5.5, -0.25), (-1234, -1200), (-0.001, 0.0009),
        (1, 1.000001), (0.1234567, 0.1234569), (1e12, 1.0001e12), (3.3e-9, 7.1e-9), (1e-30, 9e-30),
        (-4.4e15, 2.2e15), (0, 1e-6), (0.9, 1.1), (1, 400), (0, 399), (12345, 12346), (0.5, 0.5000001),
        (2.5e7, 9.9e7), (0.07, 0.071), (0.0246, 0.0707), (-0.03, 0.45),
    ]

    func testLinearAutoAxisHoldsAndFillsTheData() {
        for (lo, hi) in Self.ranges {
            for maxTicks in 3...8 {
                let a = ResolvedAxis(axis: Axis(), dataLower: lo, dataUpper: hi, maxTicks: maxTicks)
                let t = a.ticks
                let what = "data \(lo)…\(hi), ≤ \(maxTicks) ticks: axis \(t.lower)…\(t.upper)"
                XCTAssertLessThanOrEqual(t.lower, lo, what)
                XCTAssertGreaterThanOrEqual(t.upper, hi, what)
                XCTAssertGreaterThanOrEqual((hi - lo) / (t.upper - t.lower), 0.5, what)
                XCTAssertGreaterThanOrEqual(t.major.count, 2, what)
                XCTAssertLessThanOrEqual(t.major.count, maxTicks, what)
                for k in t.major { XCTAssertTrue(a.contains(k.value), "\(what): tick \(k.label) outside") }
                XCTAssertEqual(Set(t.major.map(\.label)).count, t.major.count, "\(what): labels repeat \(t.major.map(\.label))")
                // zero only where the data come near it
                if lo > 0 && lo > 0.6 * (hi - lo) { XCTAssertGreaterThan(t.lower, 0, what) }
            }
        }
    }

    func testTheIssuesExamples() {
        let loss = ResolvedAxis(axis: Axis(), dataLower: 0.025, dataUpper: 0.06, maxTicks: 4).ticks
        XCTAssertEqual([loss.lower, loss.upper], [0.02, 0.06])
        let ssim = ResolvedAxis(axis: Axis(), dataLower: 0.003, dataUpper: 0.4, maxTicks: 4).ticks
        XCTAssertEqual([ssim.lower, ssim.upper], [0, 0.4])
        XCTAssertEqual(ssim.major.map(\.label), ["0.0", "0.2", "0.4"])
        // the paper sweep's mean loss with its bands, on a short plot (3 ticks): not 0–0.075
        let sweep = ResolvedAxis(axis: Axis(), dataLower: 0.0246, dataUpper: 0.0707, maxTicks: 3).ticks
        XCTAssertEqual([sweep.lower, sweep.upper], [0.02, 0.075])
        XCTAssertEqual(sweep.major.map(\.label), ["0.025", "0.050", "0.075"])
    }

    func testConstantSeriesAndSinglePointsSitInsideTheAxis() {
        for v in [0.0, 1, -1, 0.0301, 5e-7, -3e9, 123.456] {
            for maxTicks in 3...8 {
                let t = ResolvedAxis(axis: Axis(), dataLower: v, dataUpper: v, maxTicks: maxTicks).ticks
                XCTAssertLessThan(t.lower, v, "constant \(v)")
                XCTAssertGreaterThan(t.upper, v, "constant \(v)")
                XCTAssertGreaterThanOrEqual(t.major.count, 2, "constant \(v)")
                // not at an edge: at least a tenth of the span either side
                XCTAssertGreaterThanOrEqual(min(v - t.lower, t.upper - v) / (t.upper - t.lower), 0.1, "constant \(v): \(t.lower)…\(t.upper)")
            }
        }
    }

    func testLogAutoAxisHoldsAndFillsTheDataInDecades() {
        let positive = Self.ranges.filter { $0.0 > 0 } + [(0.001, 1), (1e-8, 1e8), (0.0013, 870), (2, 3), (0.011, 0.019)]
        for (lo, hi) in positive {
            for maxTicks in 3...8 {
                let a = ResolvedAxis(axis: Axis(scale: .log), dataLower: lo, dataUpper: hi, maxTicks: maxTicks)
                let t = a.ticks
                let what = "log data \(lo)…\(hi), ≤ \(maxTicks) ticks: axis \(t.lower)…\(t.upper)"
                XCTAssertGreaterThan(t.lower, 0, what)
                XCTAssertLessThanOrEqual(t.lower, lo * (1 + 1e-12), what)
                XCTAssertGreaterThanOrEqual(t.upper, hi * (1 - 1e-12), what)
                XCTAssertGreaterThanOrEqual(log10(hi / lo) / log10(t.upper / t.lower), 0.5, what)
                XCTAssertGreaterThanOrEqual(t.major.count, 2, what)
            }
        }
        // wide data keep their decades: 1-2-5 ends
        let wide = ResolvedAxis(axis: Axis(scale: .log), dataLower: 0.0013, dataUpper: 870, maxTicks: 7).ticks
        XCTAssertEqual([wide.lower, wide.upper], [0.001, 1000])
    }

    func testExplicitRangesWin() {
        let t = ResolvedAxis(axis: Axis(range: .fixed(-1, 1)), dataLower: 0, dataUpper: 0.4, maxTicks: 5).ticks
        XCTAssertEqual([t.lower, t.upper], [-1, 1])
    }

    // MARK: Figures, read from the layout's axes

    /// The y axis of each plotting panel of the fitted figure and the values it draws (lines, scatters, bands).
    func assertAxesHug(_ figure: Figure, _ name: String, share: Double = 0.5, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try figure.fitted()
        let layout = try FigureLayout(figure: f, renderer: RecordingRenderer())
        for (k, (panel, place)) in zip(f.panels, layout.placements).enumerated() where panel.style == .axes {
            guard let y = place.y else { XCTFail("\(name): panel \(k) has no y axis", file: file, line: line); continue }
            var values = panel.lines.flatMap(\.y) + panel.scatters.flatMap(\.y) + panel.bands.flatMap { $0.low + $0.high }
            values = values.filter { $0.isFinite && (panel.yAxis.scale == .linear || $0 > 0) }
            guard let lo = values.min(), let hi = values.max() else { continue }
            for v in values {
                XCTAssertTrue(y.contains(v) || (y.scale == .log && v >= y.ticks.lower * (1 - 1e-12) && v <= y.ticks.upper * (1 + 1e-12)),
                              "\(name) panel \(k): \(v) outside \(y.ticks.lower)…\(y.ticks.upper)", file: file, line: line)
            }
            let fill = y.scale == .log ? log10(hi / lo) / log10(y.ticks.upper / y.ticks.lower)
                : (hi - lo) / (y.ticks.upper - y.ticks.lower)
            if hi > lo {
                XCTAssertGreaterThanOrEqual(fill, share, "\(name) panel \(k): data \(lo)…\(hi) fill \(fill) of \(y.ticks.lower)…\(y.ticks.upper)",
                                            file: file, line: line)
            }
        }
    }

    func paper(_ f: Figure) -> Figure {
        var f = f
        f.style = .paper
        f.height = f.height * 237.6 / f.width
        f.width = 237.6
        return f
    }

    func testPlotsHugTheirData() throws {
        // a loss falling from 0.06 to 0.025 with validation points
        let steps = (1...400).map(Double.init)
        let loss = steps.map { 0.025 + 0.035 * exp(-$0 / 80) }
        let run = try LossRun(label: "SAM", steps: steps, loss: loss, validationSteps: [100, 200, 300, 400],
                              validationLoss: [0.041, 0.032, 0.029, 0.027])
        try assertAxesHug(paper(try LossPlot.figure(runs: [run], logY: false)), "loss")
        try assertAxesHug(paper(try LossPlot.figure(runs: [run], logY: true)), "log loss")
        // learning rates (warm-up and decay), on their own log panel
        var withLR = run
        withLR.lr = steps.map { $0 < 20 ? 0.001 * $0 / 20 : 0.001 * pow(0.995, $0 - 20) }
        try assertAxesHug(paper(try LossPlot.figure(runs: [withLR], logY: false, lrPanel: true)), "lr")
        withLR.lr = steps.map { _ in 0.0005 }
        try assertAxesHug(paper(try LossPlot.figure(runs: [withLR], logY: false, lrPanel: true)), "constant lr")
        // per-frame MSE 80–160 and SSIM 0–0.4; negative SSIM too
        let mse = (0..<10).map { 80 + 8 * Double($0) }, ssim = (0..<10).map { 0.4 - 0.04 * Double($0) }
        try assertAxesHug(paper(try MetricPlot.figure(models: [MetricCurves(label: "a", mse: mse, ssim: ssim),
                                                               MetricCurves(label: "b", mse: mse.map { $0 + 5 }, ssim: ssim.map { $0 - 0.1 })])),
                          "metrics")
        // group means with ±1 sd bands: the bands fit too
        let x = (1...10).map(Double.init)
        let groups = try (0..<3).map { g in
            try BandCurve(label: "g\(g)", x: x, mean: mse.map { $0 + Double(g) * 10 },
                          low: mse.map { $0 + Double(g) * 10 - 12 }, high: mse.map { $0 + Double(g) * 10 + 15 })
        }
        let ssimGroups = try (0..<3).map { g in
            try BandCurve(label: "g\(g)", x: x, mean: ssim, low: ssim.map { $0 - 0.05 * Double(g + 1) }, high: ssim.map { $0 + 0.03 })
        }
        try assertAxesHug(paper(try BandPlot.metrics(mse: groups, ssim: ssimGroups, band: "±1 sd")), "group metrics")
        let lossGroups = try (0..<3).map { g in
            try BandCurve(label: "g\(g)", x: steps, mean: loss, low: loss.map { $0 - 0.002 * Double(g) }, high: loss.map { $0 + 0.004 })
        }
        try assertAxesHug(paper(try BandPlot.loss(groups: lossGroups, band: "±1 sd", logY: false)), "group loss")
        try assertAxesHug(paper(try BandPlot.loss(groups: lossGroups, band: "±1 sd", logY: true)), "group log loss")
    }
}
