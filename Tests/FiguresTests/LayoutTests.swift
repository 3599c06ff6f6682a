// Figure logic through the recording renderer: layout, legends, shared axes,
// clipping and the four figure builders, without Cairo.

import XCTest
import CCairo
@testable import Figures
@testable import FiguresCairo

final class LayoutTests: XCTestCase {
    func record(_ f: Figure) throws -> RecordingRenderer {
        let r = RecordingRenderer()
        try f.draw(into: r)
        return r
    }

    /// No two text runs overlap and every run lies inside the figure.
    func assertTextIsClean(_ f: Figure, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try record(f)
        let page = Rect(x: 0, y: 0, width: f.width, height: f.height)
        let texts = r.texts
        XCTAssertFalse(texts.isEmpty, name, file: file, line: line)
        for (i, a) in texts.enumerated() {
            XCTAssertTrue(page.encloses(a.box), "\(name): '\(a.text)' at \(a.box) leaves the \(f.width)×\(f.height) page",
                          file: file, line: line)
            for b in texts[(i + 1)...] where a.box.overlaps(b.box) {
                XCTFail("\(name): '\(a.text)' \(a.box) overlaps '\(b.text)' \(b.box)", file: file, line: line)
            }
        }
    }

    func testDemoFiguresHaveNoOverlappingOrClippedText() throws {
        for name in DemoFigures.names {
            try assertTextIsClean(try DemoFigures.figure(named: name), name)
        }
    }

    func testTextAvoidsPanelsAndImages() throws {
        for name in DemoFigures.names {
            let f = try DemoFigures.figure(named: name)
            let r = try record(f)
            for img in r.images {
                for t in r.texts where t.box.inset(by: 0.5).overlaps(img.rect) {
                    XCTFail("\(name): '\(t.text)' overlaps an image at \(img.rect)")
                }
            }
        }
    }

    func lineFigure(_ ys: [Double], legend: LegendPlacement = .auto) throws -> Figure {
        let xs = (0..<ys.count).map(Double.init)
        let p = Panel(xAxis: Axis(label: "x"), yAxis: Axis(label: "y"),
                      lines: [try LineSeries(x: xs, y: ys, label: "rising series")], legend: legend)
        return Figure(width: 400, height: 300, panels: [p])
    }

    func legendRect(_ r: RecordingRenderer) -> Rect? {
        // The legend frame is the only stroked rectangle in light gray.
        for c in r.calls {
            if case let .stroke(path, style) = c, style.color == Color(hex: 0xBBBBBB),
               case let .rect(rect)? = path.elements.first { return rect }
        }
        return nil
    }

    func plotRect(_ r: RecordingRenderer) -> Rect? {
        for c in r.calls {
            if case let .stroke(path, style) = c, style.color == .ink, style.width == FigureStyle.standard.axisLineWidth,
               path.elements.count == 1, case let .rect(rect)? = path.elements.first { return rect }
        }
        return nil
    }

    func testLegendAvoidsARisingCurve() throws {
        // A curve from lower left to upper right: the default upper-right corner would cover it.
        let f = try lineFigure((0...50).map { Double($0 * $0) })
        let r = try record(f)
        let legend = try XCTUnwrap(legendRect(r)), plot = try XCTUnwrap(plotRect(r))
        XCTAssertTrue(plot.encloses(legend), "legend inside the axes")
        XCTAssertLessThan(legend.midX, plot.midX, "legend moved to the left half")
        let placement = try FigureLayout(figure: f, renderer: r).placements[0]
        let (lines, points) = PanelDrawing.project(f.panels[0], plot: placement.plot, x: placement.x!, y: placement.y!)
        XCTAssertEqual(LegendBox.badness(of: legend, polylines: lines, points: points), 0)
    }

    func testLegendGoesOutsideWhenEveryInsideSpotHidesData() throws {
        // A zig-zag filling the whole plot leaves no free spot.
        let f = try lineFigure((0...80).map { $0 % 2 == 0 ? 0 : 100 })
        let r = try record(f)
        let legend = try XCTUnwrap(legendRect(r)), plot = try XCTUnwrap(plotRect(r))
        XCTAssertGreaterThanOrEqual(legend.minX, plot.maxX, "legend right of the axes")
        XCTAssertLessThanOrEqual(legend.maxX, f.width - f.style.outerPadding + 1e-9)
    }

    func testExplicitAndHiddenLegends() throws {
        let r = try record(try lineFigure([1, 2, 3], legend: .lowerRight))
        let legend = try XCTUnwrap(legendRect(r)), plot = try XCTUnwrap(plotRect(r))
        XCTAssertGreaterThan(legend.midX, plot.midX); XCTAssertGreaterThan(legend.midY, plot.midY)
        XCTAssertNil(legendRect(try record(try lineFigure([1, 2, 3], legend: .hidden))))
    }

    func testSharedAxesLabelOnlyTheOuterPanels() throws {
        var panels: [Panel] = []
        for k in 0..<4 {
            let xs = (0...10).map { Double($0) * Double(k + 1) }
            panels.append(Panel(xAxis: Axis(label: "x"), yAxis: Axis(label: "y"),
                                lines: [try LineSeries(x: xs, y: xs.map { $0 * 0.5 + Double(k) })]))
        }
        var f = Figure(width: 500, height: 400, columns: 2, panels: panels)
        f.sharedX = true; f.sharedY = true
        let r = RecordingRenderer()
        let layout = try FigureLayout(figure: f, renderer: r)
        let p = layout.placements
        XCTAssertEqual(p.map(\.showXTickLabels), [false, false, true, true])
        XCTAssertEqual(p.map(\.showYTickLabels), [true, false, true, false])
        // One range for all.
        XCTAssertTrue(p.allSatisfy { $0.x!.ticks == p[0].x!.ticks && $0.y!.ticks == p[0].y!.ticks })
        XCTAssertGreaterThanOrEqual(p[0].x!.ticks.upper, 40)
        // Aligned grid: equal plot sizes, columns share x, rows share y.
        XCTAssertEqual(p[0].plot.minX, p[2].plot.minX); XCTAssertEqual(p[0].plot.minY, p[1].plot.minY)
        XCTAssertEqual(p[0].plot.width, p[3].plot.width, accuracy: 1e-9)
        XCTAssertFalse(p[0].plot.overlaps(p[1].plot) || p[0].plot.overlaps(p[2].plot))
        try f.draw(into: r)
        XCTAssertEqual(r.texts.filter { $0.text == "x" }.count, 2)
        XCTAssertEqual(r.texts.filter { $0.text == "y" }.count, 2)
        try assertTextIsClean(f, "shared 2×2")
    }

    func testLinesAreClippedToTheAxes() throws {
        let xs = (0...20).map(Double.init)
        let p = Panel(xAxis: Axis(range: .fixed(5, 15)), yAxis: Axis(range: .fixed(0, 10)),
                      lines: [try LineSeries(x: xs, y: xs.map { $0 - 3 }, color: .black)], legend: .hidden)
        let r = try record(Figure(width: 300, height: 200, panels: [p]))
        let plot = try XCTUnwrap(plotRect(r))
        var seen = 0
        for c in r.calls {
            guard case let .stroke(path, style) = c, style.color == .black, style.width == 1.5 else { continue }
            for e in path.elements {
                if case let .move(q) = e { XCTAssertTrue(plot.inset(by: -1e-9).contains(q)); seen += 1 }
                if case let .line(q) = e { XCTAssertTrue(plot.inset(by: -1e-9).contains(q)); seen += 1 }
            }
        }
        XCTAssertGreaterThan(seen, 2)
    }

    func testNonFiniteValuesBreakTheLine() throws {
        let p = Panel(lines: [try LineSeries(x: [0, 1, 2, 3, 4, 5], y: [1, 2, .nan, 3, 4, 5], color: .black)])
        let r = try record(Figure(width: 300, height: 200, panels: [p]))
        let strokes = r.calls.filter { if case let .stroke(_, s) = $0 { return s.color == .black && s.width == 1.5 }; return false }
        XCTAssertEqual(strokes.count, 2)
    }

    func testImagePanelsKeepSquarePixels() throws {
        let frame = try FloatImage(width: 32, height: 16, pixels: [Float](repeating: 0.5, count: 512))
        let f = Figure(width: 300, height: 300, columns: 2, panels: [.image([ImageLayer(values: frame)]), .image([ImageLayer(values: frame)])])
        let r = try record(f)
        XCTAssertEqual(r.images.count, 2)
        for img in r.images { XCTAssertEqual(img.rect.width / img.rect.height, 2, accuracy: 1e-9) }
    }

    func testOverlayIsCompositedAtTheFinerResolution() throws {
        let frame = try FloatImage(width: 4, height: 4, pixels: [Float](repeating: 1, count: 16))
        var m = [Float](repeating: 0, count: 4); m[3] = 1
        let map = try FloatImage(width: 2, height: 2, pixels: m)
        let img = try ImageCompositor.composite([ImageLayer(values: frame), ImageLayer(values: map, colorMap: .viridis, range: 0...1, opacity: 0.5)])
        XCTAssertEqual(img.width, 4)
        let top = Color(gray: 1), low = ColorMap.viridis.color(at: 0), high = ColorMap.viridis.color(at: 1)
        func expect(_ y: Int, _ x: Int, _ c: Color) {
            let want = c.withAlpha(0.5).composited(over: top).rgb8, got = img.pixel(y, x)
            XCTAssertEqual([got.0, got.1, got.2], [want.0, want.1, want.2], "(\(y), \(x))")
        }
        expect(0, 0, low); expect(1, 1, low); expect(2, 2, high); expect(3, 3, high); expect(0, 3, low)
        let bad = try FloatImage(width: 3, height: 3, pixels: [Float](repeating: 0, count: 9))
        XCTAssertThrowsError(try ImageCompositor.composite([ImageLayer(values: frame), ImageLayer(values: bad)]))
    }

    func testHeatmapPanelFillsTheAxesWithRowZeroAtDataZero() throws {
        // 3 wide, 2 tall: row 0 = [0, 1, 2], row 1 = [3, 4, 5].
        let values = try FloatImage(width: 3, height: 2, pixels: [0, 1, 2, 3, 4, 5])
        var p = Panel(xAxis: Axis(label: "column"), yAxis: Axis(label: "row"),
                      heatmap: Heatmap(values: values, colorMap: .gray, range: 0...5))
        var f = Figure(width: 300, height: 200, panels: [p])
        f.colorBars = [ColorBar(colorMap: .gray, range: 0...5, label: "value")]
        var r = try record(f)
        let plot = try XCTUnwrap(plotRect(r))
        let (img, rect) = r.images[0]
        XCTAssertEqual(rect, plot, "tight axes: the heatmap spans the plot exactly")
        // y grows upwards, so data row 1 is the raster's top row.
        XCTAssertEqual(img.pixel(0, 0).0, ColorMap.gray.color(of: 3, in: 0...5).rgb8.0)
        XCTAssertEqual(img.pixel(1, 2).0, ColorMap.gray.color(of: 2, in: 0...5).rgb8.0)
        try assertTextIsClean(f, "heatmap with colour bar")
        let bar = r.images[1].rect
        XCTAssertGreaterThan(bar.minX, plot.maxX)
        p.yAxis.inverted = true
        f.panels = [p]
        r = try record(f)
        XCTAssertEqual(r.images[0].image.pixel(0, 0).0, ColorMap.gray.color(of: 0, in: 0...5).rgb8.0, "inverted y: row 0 on top")
    }

    func testSmoothingIsADebiasedMovingAverage() {
        let s = Smoothing.exponentialMovingAverage([0, 10, .nan, 10], weight: 0.5)
        XCTAssertEqual(s[0], 0); XCTAssertEqual(s[1], 5 / 0.75, accuracy: 1e-12)
        XCTAssertTrue(s[2].isNaN)
        XCTAssertEqual(s[3], 7.5 / 0.875, accuracy: 1e-12)
        for (a, b) in zip(Smoothing.exponentialMovingAverage([2, 2, 2], weight: 0.9), [2.0, 2, 2]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }

    // MARK: The four figures

    func frames(_ n: Int, size: Int = 8) throws -> [FloatImage] {
        try (0..<n).map { t in try FloatImage(width: size, height: size, pixels: (0..<(size * size)).map { Float(($0 + t) % 7) / 6 }) }
    }

    func testLossPlotSeriesLegendAndLogScale() throws {
        let run = try LossRun(label: "A", steps: [0, 1, 2, 3, 4], loss: [1, 0.5, 0, 0.2, 0.1],
                              validationSteps: [1, 3], validationLoss: [0.6, 0.3])
        let f = try LossPlot.figure(runs: [run], logY: true, smoothing: 0.5)
        let p = f.panels[0]
        XCTAssertEqual(p.yAxis.scale, .log)
        XCTAssertEqual(p.lines.count, 3, "raw and smoothed, and the key's line (no data)")
        XCTAssertTrue(p.lines[2].x.isEmpty)
        XCTAssertEqual(p.lines[0].opacity, 0.3); XCTAssertNil(p.lines[0].label)
        // one entry per run (its weight and window named), then the key telling train from validation
        XCTAssertEqual(p.legendEntries().map(\.label), ["A, EMA 0.5 (≈2 steps)", LossPlot.trainKey, LossPlot.validationKey])
        XCTAssertEqual(p.legendEntries()[0].marker?.shape, p.scatters[0].marker.shape, "the run's entry shows its validation marker")
        XCTAssertNil(p.scatters[0].label)
        let r = try record(f)
        // The zero loss cannot sit on a log axis: the raw curve breaks there.
        let raw = r.calls.filter { if case let .stroke(_, s) = $0 { return s.color.alpha == 0.3 }; return false }
        XCTAssertEqual(raw.count, 2)
        XCTAssertThrowsError(try LossPlot.figure(runs: [try LossRun(label: "z", steps: [0, 1], loss: [0, -1])], logY: true)) {
            XCTAssertEqual($0 as? FigureError, .noPositiveValuesForLogScale("loss curves"))
        }
        XCTAssertThrowsError(try LossRun(label: "bad", steps: [0, 1, 2], loss: [1, 2])) {
            XCTAssertTrue("\($0)".contains("run 'bad'") && "\($0)".contains("expected 3"))
        }
        XCTAssertThrowsError(try LossPlot.figure(runs: []))
        XCTAssertThrowsError(try LossPlot.figure(runs: [run], smoothing: 1))
    }

    func testAttentionFigureHasOnePanelPerStepAndOneColorBar() throws {
        let fr = try frames(10, size: 16)
        let maps = try (0..<10).map { _ in try FloatImage(width: 4, height: 4, pixels: (0..<16).map { Float($0) / 120 }) }
        let f = try AttentionPlot.figure(frames: fr, maps: maps, query: PixelQuery(y: 3, x: 12))
        XCTAssertEqual(f.panels.count, 10); XCTAssertEqual(f.columns, 5); XCTAssertEqual(f.rows, 2); XCTAssertEqual(f.colorBars.count, 1)
        // the bar runs from 0 to the first tick at or above the largest weight (15/120), ticked at both ends
        XCTAssertEqual(f.colorBars[0].range.upperBound, 0.15, accuracy: 1e-12)
        XCTAssertEqual(f.colorBars[0].ticks(maxTicks: 4).major.map(\.label), ["0.00", "0.05", "0.10", "0.15"])
        let r = try record(f)
        XCTAssertEqual(r.images.count, 11, "ten panels and the colour bar")
        XCTAssertEqual(r.texts.filter { $0.text.hasPrefix("t = ") }.map(\.text), (1...10).map { "t = \($0)" })
        // Query ring: two concentric circles per panel, centred on pixel (3, 12).
        let rings = r.calls.compactMap { c -> Point? in
            if case let .stroke(path, _) = c, case let .circle(center, _)? = path.elements.first { return center }
            return nil
        }
        XCTAssertEqual(rings.count, 20)
        let first = r.images[0].rect
        XCTAssertEqual(rings[0].x, first.minX + 12.5 * first.width / 16, accuracy: 1e-9)
        XCTAssertEqual(rings[0].y, first.minY + 3.5 * first.height / 16, accuracy: 1e-9)
        try assertTextIsClean(f, "attention")

        XCTAssertThrowsError(try AttentionPlot.figure(frames: fr, maps: maps, query: PixelQuery(y: 16, x: 0))) {
            XCTAssertEqual($0 as? FigureError, .queryOutOfBounds(y: 16, x: 0, width: 16, height: 16))
        }
        let odd = try (0..<10).map { _ in try FloatImage(width: 5, height: 5, pixels: [Float](repeating: 0, count: 25)) }
        XCTAssertThrowsError(try AttentionPlot.figure(frames: fr, maps: odd, query: PixelQuery(y: 0, x: 0)))
        XCTAssertThrowsError(try AttentionPlot.figure(frames: fr, maps: Array(maps.prefix(3)), query: PixelQuery(y: 0, x: 0)))
    }

    /// The figure plot_attention builds, at every panel count from 1 to 12, with
    /// the longest family name, a two-digit query and weights up to 0.0079 (the
    /// bar then runs to a tick at 0.010), some steps
    /// predicted: every text run lies inside the page and none overlaps another
    /// (boxes from the figure model's DejaVu metrics, which the Cairo renderer
    /// matches: see testCairoMeasuresTextAsTheFigureModelDoes).
    func testAttentionFigureTextFitsThePageAtEveryPanelCount() throws {
        let title = "SAM-ConvLSTM, layer 2: attention of query (y, x) = (5, 20)"
        for n in 1...12 {
            let fr = try frames(n, size: 32)
            let maps = try (0..<n).map { t in try FloatImage(width: 16, height: 16, pixels: (0..<256).map { Float(($0 * 7 + t) % 256) * 3.1e-5 }) }
            for predicted in [Set<Int>(), Set((n / 2)..<n)] {
                let f = try AttentionPlot.figure(frames: fr, maps: maps, query: PixelQuery(y: 5, x: 20),
                                                 frameLabels: (0..<n).map { "t = \($0 + 1)" }, title: title, predicted: predicted)
                let name = "\(n) panels, \(predicted.count) predicted"
                try assertTextIsClean(f, name)
                let r = try record(f)
                XCTAssertTrue(r.texts.contains { $0.text == title }, name)
                XCTAssertTrue(r.texts.contains { $0.text == "attention weight" }, "\(name): \(r.texts.map(\.text))")
                XCTAssertTrue(r.texts.contains { $0.text == "0.010" || $0.text == "0.0100" }, "\(name): the bar's top (0.0079 up to 0.010) ticked")
                XCTAssertEqual(r.texts.filter { $0.text.hasSuffix(AttentionPlot.predictedMark) }.count, predicted.count, name)
                // the colour bar's label lies beside the bar, within its height
                let bar = r.images.last!.rect
                let label = try XCTUnwrap(r.texts.first { $0.text.hasPrefix("attention weight") })
                XCTAssertGreaterThanOrEqual(label.box.minY, bar.minY - 0.5, name)
                XCTAssertLessThanOrEqual(label.box.maxY, bar.maxY + 0.5, name)
                XCTAssertEqual(label.font, f.style.axisLabelFont, "\(name): the label keeps its size")
                // panels stay square and no smaller than before
                XCTAssertEqual(r.images[0].rect.width, r.images[0].rect.height, accuracy: 1e-6, name)
                XCTAssertGreaterThanOrEqual(r.images[0].rect.width, 60, name)
            }
        }
    }

    func testCairoMeasuresTextAsTheFigureModelDoes() throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10)
        let context = cairo_create(surface)
        defer { cairo_destroy(context); cairo_surface_destroy(surface) }
        let cairo = CairoRenderer(context: context!, rasterMode: .nearest)
        let model = RecordingRenderer()
        for (text, font) in [("SAM-ConvLSTM, layer 2: attention of query (y, x) = (5, 20)", FigureStyle.standard.titleFont),
                             ("attention weight (×10⁻³)", FigureStyle.standard.axisLabelFont),
                             ("t = 12" + AttentionPlot.predictedMark, FigureStyle.standard.captionFont),
                             (AttentionPlot.predictedNote, FigureStyle.standard.axisLabelFont)] {
            let a = cairo.measure(text, font: font).width, b = model.measure(text, font: font).width
            XCTAssertEqual(a, b, accuracy: 0.01 * b, "\(text): Cairo \(a), figure model \(b)")
        }
    }

    func testAttentionGridHasARowPerQuery() throws {
        let fr = try frames(4)
        let queries = [PixelQuery(y: 1, x: 1), PixelQuery(y: 6, x: 2)]
        let maps = try queries.map { _ in try frames(4) }
        let f = try AttentionPlot.grid(frames: fr, queries: queries, maps: maps)
        XCTAssertEqual(f.rows, 2); XCTAssertEqual(f.columns, 4)
        XCTAssertEqual(f.rowLabels, ["query (y, x) = (1, 1)", "query (y, x) = (6, 2)"])
        XCTAssertEqual(f.panels.compactMap(\.caption), ["t = 1", "t = 2", "t = 3", "t = 4"], "captions under the last row only")
        XCTAssertEqual(f.panels[5].markers, [PixelMarker(y: 6, x: 2)])
        try assertTextIsClean(f, "attention grid")
    }

    func testPredictionStripRowsAndFrameNumbers() throws {
        let truth = try frames(5), pred = try frames(5).reversed().map { $0 }
        let plain = try PredictionStrip.figure(truth: truth, prediction: pred, firstFrameNumber: 11)
        XCTAssertEqual(plain.rows, 2); XCTAssertEqual(plain.rowLabels, ["Ground truth", "Prediction"])
        XCTAssertEqual(plain.panels.compactMap(\.caption), ["11", "12", "13", "14", "15"])
        XCTAssertTrue(plain.colorBars.isEmpty)
        let withError = try PredictionStrip.figure(truth: truth, prediction: pred, showError: true)
        XCTAssertEqual(withError.rows, 3); XCTAssertEqual(withError.colorBars.first?.rows, 2...2)
        XCTAssertEqual(withError.panels[10].imageLayers[0].values, try FloatImage.absoluteDifference(truth[0], pred[0]))
        let r = try record(withError)
        // The error row's colour bar stands beside the error row only.
        let bar = r.images.last!.rect, errorPanel = r.images[10].rect, truthPanel = r.images[0].rect
        XCTAssertEqual(bar.minY, errorPanel.minY, accuracy: 1e-9); XCTAssertGreaterThan(bar.minY, truthPanel.maxY)
        try assertTextIsClean(withError, "prediction strip")
        XCTAssertThrowsError(try PredictionStrip.figure(truth: truth, prediction: Array(pred.prefix(4))))
        let small = try FloatImage(width: 4, height: 4, pixels: [Float](repeating: 0, count: 16))
        XCTAssertThrowsError(try PredictionStrip.figure(truth: truth, prediction: [small] + pred.dropFirst()))
    }

    func testMetricPlotTwoPanelsOneLegend() throws {
        let models = [MetricCurves(label: "a", mse: [3, 4, 5], ssim: [0.9, 0.8, 0.7]),
                      MetricCurves(label: "b", mse: [2, 3, 4], ssim: [0.95, 0.9, 0.85])]
        let f = try MetricPlot.figure(models: models, firstFrame: 11)
        XCTAssertEqual(f.panels.count, 2)
        XCTAssertEqual(f.panels[0].lines.map(\.x), [[11, 12, 13], [11, 12, 13]])
        let r = try record(f)
        XCTAssertEqual(r.texts.filter { $0.text == "a" }.count, 1, "one legend for both panels")
        XCTAssertEqual(r.texts.filter { ["11", "12", "13"].contains($0.text) }.count, 6, "integer frame ticks in both panels")
        try assertTextIsClean(f, "metrics")
        XCTAssertThrowsError(try MetricPlot.figure(models: []))
    }

    func testInvalidFiguresThrowNamedErrors() throws {
        var f = try lineFigure([1, 2])
        f.width = .nan
        XCTAssertThrowsError(try f.draw(into: RecordingRenderer())) {
            XCTAssertTrue("\($0)".contains("figure size"))
        }
        f = try lineFigure([1, 2]); f.rowLabels = ["a", "b"]
        XCTAssertThrowsError(try f.draw(into: RecordingRenderer()))
        XCTAssertThrowsError(try FloatImage(width: 3, height: 2, pixels: [1, 2])) {
            XCTAssertEqual("\($0)", "image of 3×2 needs 6 pixel values, got 2")
        }
    }

    func testRecordingLogIsReadableAndStable() throws {
        let p = Panel(xAxis: Axis(range: .fixed(0, 1)), yAxis: Axis(range: .fixed(0, 1)),
                      lines: [try LineSeries(x: [0, 1], y: [0, 1], label: "diagonal")], legend: .upperLeft)
        let f = Figure(width: 200, height: 150, panels: [p], title: "T")
        let a = try record(f).log, b = try record(f).log
        XCTAssertEqual(a, b)
        let lines = a.split(separator: "\n")
        XCTAssertEqual(lines.first, "fill #ffffff R0.00,0.00 200.00x150.00")
        XCTAssertTrue(lines.contains { $0.hasPrefix("text \"diagonal\"") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("text \"T\" at 100.00,8.00 size 11.50 bold") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("stroke #0072b2 w1.50 M") })
    }
}
