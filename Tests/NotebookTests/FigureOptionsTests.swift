// The author's controls on every plot_*: width/height (inches, "column",
// "page"), style ("paper", "slides"), font_size and title: "" each change the
// figure as asked; fig.save("x.csv") writes exactly the values drawn.

import XCTest
import Figures
import TensorEngine
import KymoLanguage
@testable import Notebook

final class FigureOptionsTests: NotebookSessionTestCase {
    static let data = """
    let r1 = {mse_per_frame: [80.0, 90.0, 100.0], ssim_per_frame: [0.9, 0.8, 0.7]}
    let r2 = {mse_per_frame: [70.0, 95.0, 120.0], ssim_per_frame: [0.95, 0.85, 0.6]}
    let t = rand([3, 1, 8, 8])

    """

    func testEveryPlotTakesSizeStyleFontAndTitle() throws {
        let s = session()
        run(s, Self.data + """
        let plain = plot_metrics([r1, r2], style: "standard")
        let column = plot_metrics([r1, r2], width: "column", font_size: 7)
        let page = plot_metrics([r1, r2], width: "page", height: 2.5, title: "")
        let paper = plot_metrics([r1, r2], style: "paper")
        let byDefault = plot_metrics([r1, r2])
        let slides = plot_metrics([r1, r2], style: "slides", width: 10)
        let frames = plot_frames(t, t, width: 3.3, style: "paper", title: "")
        """)
        let plain = try figure(s, "plain")
        XCTAssertEqual(plain.style.tickFont.size, 8)
        let column = try figure(s, "column")
        XCTAssertEqual(column.width, 3.3 * 72, accuracy: 1e-9)
        XCTAssertEqual(column.height, plain.height * column.width / plain.width, accuracy: 1e-9)
        XCTAssertEqual(column.style.tickFont.size, 7, accuracy: 1e-12)
        XCTAssertEqual(column.style.axisLabelFont.size, 9 * 7 / 8, accuracy: 1e-12)
        let page = try figure(s, "page")
        XCTAssertEqual(page.width, 6.9 * 72, accuracy: 1e-9); XCTAssertEqual(page.height, 2.5 * 72, accuracy: 1e-9)
        XCTAssertNil(page.title)
        XCTAssertNotNil(plain.title)
        let paper = try figure(s, "paper")
        XCTAssertEqual(paper.width, 3.3 * 72, accuracy: 1e-9)
        let byDefault = try figure(s, "byDefault")
        XCTAssertEqual(byDefault.width, paper.width); XCTAssertEqual(byDefault.style.tickFont, paper.style.tickFont, "paper is the default")
        XCTAssertGreaterThanOrEqual(paper.style.tickFont.size, 7)
        XCTAssertGreaterThanOrEqual(paper.style.legendFont.size, 7)
        let slides = try figure(s, "slides")
        XCTAssertEqual(slides.width, 720, accuracy: 1e-9); XCTAssertEqual(slides.style.tickFont.size, 14)
        let frames = try figure(s, "frames")
        XCTAssertEqual(frames.width, 3.3 * 72, accuracy: 1e-9); XCTAssertNil(frames.title)
        // what they draw uses those fonts, and fits the page
        for (name, f) in [("column", column), ("paper", paper), ("slides", slides), ("frames", frames)] {
            let fitted = try f.fitted()
            let r = RecordingRenderer()
            try fitted.draw(into: r)
            let page = Rect(x: 0, y: 0, width: fitted.width, height: fitted.height)
            XCTAssertTrue(r.texts.contains { $0.font.size == f.style.tickFont.size }, name)
            for t in r.texts { XCTAssertTrue(page.encloses(t.box), "\(name): '\(t.text)' \(t.box) leaves the page") }
        }
    }

    func testBadOptionsAreRefusedByName() {
        let s = session()
        run(s, Self.data)
        for (call, message) in [("plot_metrics([r1], width: \"huge\")", "width must be inches or \"column\" / \"page\""),
                                ("plot_metrics([r1], width: -2)", "width must be a positive number of inches"),
                                ("plot_metrics([r1], style: \"poster\")", "style"),
                                ("plot_frames(t, t, cmap: \"jet\")", "unknown colour map 'jet'")] {
            let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: call))
            let text = (diagnostics.map { "\($0)" } + results.flatMap { $0.diagnostics.map { "\($0)" } }).joined(separator: "\n")
            XCTAssertTrue(text.contains(message), "\(call): \(text)")
        }
    }

    func testTheCSVHoldsExactlyTheValuesDrawn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kymo-csv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = session(folder: dir)
        run(s, Self.data + """
        let f = plot_metrics([r1, r2], labels: ["a, with comma", "b"])
        f.save("out/metrics.csv")
        plot_frames(t, t).save("frames.csv")
        """)
        let fig = try figure(s, "f")
        let text = try String(contentsOfFile: dir + "/out/metrics.csv", encoding: .utf8)
        XCTAssertEqual(text, fig.csv())
        var lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.removeFirst(), Figure.csvHeader)
        // parse back and compare with every drawn line's points, bit for bit
        var drawn: [String] = []
        for (p, panel) in fig.panels.enumerated() {
            for l in panel.lines { for (x, y) in zip(l.x, l.y) { drawn.append("\(p)|\(l.label!)|\(x.bitPattern)|\(y.bitPattern)") } }
        }
        let parsed = lines.map { line -> String in
            // the label may be quoted (it holds a comma)
            var fields: [String] = [], cur = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle(); continue }
                if ch == "," && !quoted { fields.append(cur); cur = ""; continue }
                cur.append(ch)
            }
            fields.append(cur)
            XCTAssertEqual(fields[2], "line")
            return "\(fields[0])|\(fields[3])|\(Double(fields[5])!.bitPattern)|\(Double(fields[6])!.bitPattern)"
        }
        XCTAssertEqual(parsed, drawn)
        XCTAssertTrue(drawn.contains { $0.hasPrefix("0|a, with comma|") })
        let frames = try String(contentsOfFile: dir + "/frames.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(frames.count, 1 + 3 * 3 * 64, "truth, prediction and error rows of 3 frames of 8×8")
    }

    func testScalesLimitsDashesAndResolution() throws {
        let s = session()
        run(s, Self.data + """
        let lin = plot_metrics([r1, r2], log: true, xlim: [0, 5], ylim: [0.5, 130], dpi: 300)
        let paper = plot_metrics([r1, r2, r1, r2, r1, r2, r1, r2], style: "paper")
        """)
        let lin = try figure(s, "lin")
        for p in lin.panels {
            XCTAssertEqual(p.yAxis.scale, .log); XCTAssertEqual(p.xAxis.range, .fixed(0, 5)); XCTAssertEqual(p.yAxis.range, .fixed(0.5, 130))
        }
        XCTAssertEqual(lin.dpi, 300)
        let paper = try figure(s, "paper")
        let dashes = paper.panels[0].lines.map(\.dash)
        XCTAssertEqual(dashes.count, 8)
        XCTAssertEqual(Set(dashes.map { $0.map(String.init(describing:)).joined(separator: ",") }).count, 8, "8 series, 8 dashes")
        XCTAssertEqual(paper.panels[1].lines.map(\.dash), dashes, "a model keeps its dash in both panels")
        // the legend draws each series' dash
        let r = RecordingRenderer()
        try paper.fitted().draw(into: r)
        let dashed = r.calls.compactMap { c -> [Double]? in if case let .stroke(_, st) = c, !st.dash.isEmpty { return st.dash }; return nil }
        XCTAssertTrue(Set(dashed.map { "\($0)" }).count >= 7)
        for (call, message) in [("plot_metrics([r1], xlim: [3, 1])", "xlim must be [low, high] with low < high"),
                                ("plot_metrics([{mse_per_frame: [-1.0, -2.0], ssim_per_frame: [-0.1, -0.2]}], log: true)", "log: true needs positive values")] {
            let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: call))
            let text = (diagnostics.map { "\($0)" } + results.flatMap { $0.diagnostics.map { "\($0)" } }).joined(separator: "\n")
            XCTAssertTrue(text.contains(message), "\(call): \(text)")
        }
    }

    /// The image grids have no axis for log:, xlim:, ylim: — help lists only what applies,
    /// and giving one is an error naming it (before anything runs: the checker's).
    func testImageGridsTakeNoAxisOptions() throws {
        let s = session()
        for name in ["plot_frames", "plot_attention"] {
            let help = s.help(name)
            for option in ["log", "xlim", "ylim"] { XCTAssertFalse(help.contains(option + ":"), "\(name) help lists \(option): \(help)") }
            for option in ["width", "height", "style", "font_size", "title", "dpi", "svg_text"] {
                XCTAssertTrue(help.contains(option + ":"), "\(name) help lacks \(option): \(help)")
            }
        }
        for name in ["plot_loss", "plot_metrics"] {
            for option in ["log", "xlim", "ylim"] { XCTAssertTrue(s.help(name).contains(option + ":"), "\(name): \(option)") }
        }
        run(s, "let t = rand([3, 1, 8, 8])")
        for (call, option) in [("plot_frames(t, t, log: true)", "log"), ("plot_frames(t, t, ylim: [0, 1])", "ylim"),
                               ("plot_frames(t, t, xlim: [0, 1])", "xlim")] {
            let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: call))
            let text = (diagnostics.map { "\($0)" } + results.flatMap { $0.diagnostics.map { "\($0)" } }).joined(separator: "\n")
            XCTAssertTrue(text.contains("unknown argument '\(option)' for plot_frames; it takes frames_in"), "\(call): \(text)")
            XCTAssertTrue(results.isEmpty || results.allSatisfy { $0.status != .complete }, "\(call) must not run")
        }
    }

    func testSmoothingIsChosenAndNamedInTheLegend() throws {
        let s = session()
        run(s, """
        seed(5)
        let data = moving_mnist(train: 4, test: 2, frames: 4, size: 32)
        let m = convlstm(layers: 1, hidden: 2, size: 32, patch: 4, frames_in: 2, frames_out: 2)
        let h = train(m, data.train, steps: 4, batch: 2, lr: 0.01)
        let raw = plot_loss(h, labels: ["a"])
        let ema = plot_loss(h, labels: ["a"], smooth: 0.5, log: false)
        let off = plot_loss(h, labels: ["a"], smooth: 0)
        """)
        let raw = try figure(s, "raw"), ema = try figure(s, "ema"), off = try figure(s, "off")
        XCTAssertEqual(raw.panels[0].lines.count, 1)
        XCTAssertEqual(off.panels[0].lines.count, 1)
        XCTAssertEqual(ema.panels[0].lines.count, 2, "the raw curve faint under the smoothed one")
        XCTAssertEqual(ema.panels[0].lines[1].label, "a, EMA 0.5 (≈2 steps)")
        XCTAssertEqual(ema.panels[0].lines[1].y, Smoothing.exponentialMovingAverage(ema.panels[0].lines[0].y, weight: 0.5))
        XCTAssertEqual(ema.panels[0].yAxis.scale, .linear)
        XCTAssertEqual(raw.panels[0].lines[0].label, "a", "no smoothing unless asked, and nothing said")
        XCTAssertEqual(raw.panels[0].yAxis.scale, LossPlot.prefersLog(raw.panels[0].lines[0].y) ? .log : .linear)
        XCTAssertEqual(raw.panels[0].yAxis.label, "loss (MSE, mean over pixels)" + (raw.panels[0].yAxis.scale == .log ? " (log scale)" : ""))
    }
}
