// The layout never clips: over 1–12 series, 1–12 panels and legend labels up
// to 80 characters, at the default sizes and at one journal column (3.3 in
// wide), every text box, image and drawn mark of the fitted figure lies inside
// its page, no two text boxes overlap, and a legend never sits over data.
// Boxes come from the renderer's measurements (DejaVu advance widths, which
// CairoOutputTests shows equal Cairo's extents), not from pixels.

import XCTest
@testable import Figures

final class LayoutRangeTests: XCTestCase {
    static let labelLengths = [4, 30, 80]

    /// A label of exactly `length` characters, words of varied length.
    func label(_ k: Int, length: Int) -> String {
        let words = ["model", "ConvLSTM", "with", "attention", "hidden", "64", "lr", "0.001", "seed", "\(k)"]
        var s = "run \(k)"
        var i = k
        while s.count < length { s += " " + words[i % words.count]; i += 1 }
        return String(s.prefix(length))
    }

    /// Bounding box of a path (circles by their radius).
    func box(_ p: Path) -> Rect? {
        var lo = (x: Double.infinity, y: Double.infinity), hi = (x: -Double.infinity, y: -Double.infinity)
        func take(_ q: Point) { lo = (min(lo.x, q.x), min(lo.y, q.y)); hi = (max(hi.x, q.x), max(hi.y, q.y)) }
        for e in p.elements {
            switch e {
            case .move(let q), .line(let q): take(q)
            case .close: break
            case .rect(let r): take(Point(r.minX, r.minY)); take(Point(r.maxX, r.maxY))
            case let .circle(c, radius): take(Point(c.x - radius, c.y - radius)); take(Point(c.x + radius, c.y + radius))
            }
        }
        return lo.x <= hi.x ? Rect(x: lo.x, y: lo.y, width: hi.x - lo.x, height: hi.y - lo.y) : nil
    }

    /// Draws the fitted figure and checks every box; returns the recording.
    @discardableResult
    func assertFits(_ figure: Figure, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> RecordingRenderer {
        let f = try figure.fitted()
        XCTAssertEqual(f.width, figure.width, "\(name): fitting never changes the width", file: file, line: line)
        let r = RecordingRenderer()
        try f.draw(into: r)
        let page = Rect(x: 0, y: 0, width: f.width, height: f.height)
        let texts = r.texts
        for (i, a) in texts.enumerated() {
            XCTAssertTrue(page.encloses(a.box), "\(name): '\(a.text)' \(a.box) leaves the \(f.width)×\(f.height) page", file: file, line: line)
            for b in texts[(i + 1)...] where a.box.overlaps(b.box) {
                XCTFail("\(name): '\(a.text)' \(a.box) overlaps '\(b.text)' \(b.box)", file: file, line: line)
            }
        }
        for img in r.images {
            XCTAssertTrue(page.encloses(img.rect), "\(name): image \(img.rect) leaves the page", file: file, line: line)
        }
        for c in r.calls {
            switch c {
            case let .fill(p, _), let .stroke(p, _):
                if let b = box(p) {
                    XCTAssertTrue(page.encloses(b, tolerance: 0.01), "\(name): a mark at \(b) leaves the \(f.width)×\(f.height) page", file: file, line: line)
                }
            default: break
            }
        }
        return r
    }

    /// The legend frame (light grey stroked rectangle) and every data line drawn.
    func legendOverData(_ r: RecordingRenderer) -> String? {
        var legend: Rect?
        var data: [[Point]] = []
        for c in r.calls {
            guard case let .stroke(path, style) = c else { continue }
            if style.color == Color(hex: 0xBBBBBB), case let .rect(rect)? = path.elements.first { legend = rect; continue }
            if style.width >= 1.2, style.color != .ink {
                var run: [Point] = []
                for e in path.elements { if case .move(let q) = e { if run.count > 1 { data.append(run) }; run = [q] } else if case .line(let q) = e { run.append(q) } }
                if run.count > 1 { data.append(run) }
            }
        }
        guard let legend else { return nil }
        let inner = legend.inset(by: 1)
        for run in data {
            for k in 1..<run.count where inner.intersectsSegment(run[k - 1], run[k]) {
                // the legend's own swatches lie inside it: skip segments wholly inside
                if legend.contains(run[k - 1]) && legend.contains(run[k]) { continue }
                return "a data line crosses the legend at \(run[k - 1])–\(run[k])"
            }
        }
        return nil
    }

    func lossRuns(_ n: Int, length: Int, validation: Bool) throws -> [LossRun] {
        try (0..<n).map { k in
            let steps = (0..<60).map(Double.init)
            let loss = steps.map { 0.2 * (1 + 0.1 * Double(k)) / (1 + $0 / 10) + 0.01 * Double(k) }
            let vs: [Double] = validation ? [10, 30, 59] : []
            return try LossRun(label: label(k, length: length), steps: steps, loss: loss,
                               validationSteps: vs, validationLoss: vs.map { 0.25 / (1 + $0 / 10) + 0.01 * Double(k) })
        }
    }

    func testLossFiguresFitAtEveryRunCountAndLabelLength() throws {
        for n in 1...12 {
            for length in Self.labelLengths {
                for validation in [false, true] {
                    for (w, h) in [(420.0, 280.0), (238.0, 180.0)] {
                        let name = "plot_loss \(n) runs, labels of \(length), validation \(validation), \(w)×\(h)"
                        let fig = try LossPlot.figure(runs: try lossRuns(n, length: length, validation: validation),
                                                      title: label(99, length: length), width: w, height: h)
                        let r = try assertFits(fig, name)
                        if let problem = legendOverData(r) { XCTFail("\(name): \(problem)") }
                    }
                }
            }
        }
    }

    func testMetricFiguresFitAtEveryModelCountAndLabelLength() throws {
        for n in 1...12 {
            for length in Self.labelLengths {
                for (w, h) in [(520.0, 230.0), (238.0, 180.0)] {
                    let models = (0..<n).map { k in
                        MetricCurves(label: label(k, length: length), mse: (0..<10).map { 80 + Double($0 * 8 + k) },
                                     ssim: (0..<10).map { 0.9 - Double($0) * 0.02 - Double(k) * 0.01 })
                    }
                    let name = "plot_metrics \(n) models, labels of \(length), \(w)×\(h)"
                    let r = try assertFits(try MetricPlot.figure(models: models, title: label(7, length: length), width: w, height: h), name)
                    if let problem = legendOverData(r) { XCTFail("\(name): \(problem)") }
                }
            }
        }
    }

    func testGridsOfOneToTwelvePanelsFit() throws {
        for n in 1...12 {
            for length in [4, 80] {
                let panels = try (0..<n).map { k in
                    Panel(title: label(k, length: min(length, 40)), xAxis: Axis(label: "step"), yAxis: Axis(label: "value"),
                          lines: [try LineSeries(x: [0, 1, 2, 3], y: [1, 3, 2, Double(k)], label: label(k, length: length))])
                }
                let fig = Figure(width: 500, height: 360, columns: min(n, 4), panels: panels, title: label(50, length: length))
                try assertFits(fig, "\(n) panels, labels of \(length)")
            }
        }
    }

    func image(_ w: Int, _ h: Int, _ seed: Int) throws -> FloatImage {
        try FloatImage(width: w, height: h, pixels: (0..<(w * h)).map { Float(($0 * 7 + seed * 13) % 17) / 16 })
    }

    func testAttentionAndFrameFiguresFitAtOneToTwelvePanelsAndAnyAspect() throws {
        for n in 1...12 {
            for (w, h) in [(16, 16), (24, 12), (12, 24)] {
                let frames = try (0..<n).map { try image(w, h, $0) }
                let maps = try (0..<n).map { try image(w / 4, h / 4, $0 + 1) }
                let a = try AttentionPlot.figure(frames: frames, maps: maps, query: PixelQuery(y: h - 1, x: 0),
                                                 title: "attention of query (y, x) = (\(h - 1), 0)", predicted: [n - 1])
                let r = try assertFits(a, "attention \(n) panels \(w)×\(h)")
                let panel = r.images[0].rect
                XCTAssertEqual(panel.width / panel.height, Double(w) / Double(h), accuracy: 1e-9, "attention panels keep the \(w)×\(h) aspect")
                let pred = try (0..<n).map { try image(w, h, $0 + 3) }
                try assertFits(try PredictionStrip.figure(truth: frames, prediction: pred, showError: true,
                                                          title: "Ground truth, prediction and absolute error"),
                               "frames \(n) panels \(w)×\(h)")
                let channels = try (0..<2).map { c in
                    FrameChannel(name: "ch. \(c)", truth: frames, prediction: pred, inputs: [try image(w, h, 9)],
                                 colorMap: .viridis, range: -3.5...1200, colorBarLabel: "value (ch. \(c))")
                }
                try assertFits(try PredictionStrip.figure(channels: channels, showError: true, firstFrameNumber: 2, title: nil),
                               "two-channel frames \(n) panels \(w)×\(h)")
            }
        }
    }

    func testLongLegendsGoBelowTheAxesWrapped() throws {
        let fig = try LossPlot.figure(runs: try lossRuns(12, length: 70, validation: true), width: 420, height: 280)
        let f = try fig.fitted()
        let layout = try FigureLayout(figure: f, renderer: RecordingRenderer())
        let pl = layout.placements[0]
        let legend = try XCTUnwrap(pl.legendRect)
        XCTAssertGreaterThan(legend.minY, pl.plot.maxY, "the legend is under the axes")
        XCTAssertGreaterThan(pl.plot.width, 300, "the axes keep the page's width")
        XCTAssertGreaterThanOrEqual(pl.plot.height, 0.4 * 280 - 0.5, "the page grew so the axes keep their height")
        XCTAssertGreaterThan(f.height, fig.height)
    }

    func testTextWrapKeepsEveryWordAndFitsTheWidth() {
        let r = RecordingRenderer(), font = Font(size: 8)
        let text = "a label of eighty characters that must wrap onto several lines supercalifragilistic"
        let lines = TextWrap.lines(text, width: 60, font: font, renderer: r)
        XCTAssertGreaterThan(lines.count, 2)
        for l in lines { XCTAssertLessThanOrEqual(r.measure(l, font: font).width, 60, l) }
        XCTAssertEqual(lines.joined(separator: " ").replacingOccurrences(of: " ", with: ""), text.replacingOccurrences(of: " ", with: ""))
    }

    func testEightSeriesHaveEightMarkerShapes() throws {
        let models = (0..<8).map { k in MetricCurves(label: "m\(k)", mse: [1, 2, Double(k)], ssim: [0.5, 0.6, 0.7]) }
        let f = try MetricPlot.figure(models: models)
        let shapes = f.panels[0].lines.compactMap { $0.marker?.shape }
        XCTAssertEqual(Set(shapes).count, 8, "\(shapes)")
        XCTAssertEqual(Array(shapes.prefix(5)), [.circle, .square, .triangle, .diamond, .cross], "the first five as before")
        let r = try assertFits(f, "8 metric series")
        // each new shape is drawn: a closed polygon (triangle down, star) or two strokes (plus)
        XCTAssertFalse(r.calls.isEmpty)
    }
}
