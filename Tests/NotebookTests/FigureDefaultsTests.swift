// The defaults of every plot_* meet a two-column journal at column width with
// no argument (issue 35): the "paper" style (7 pt text, 3.3 in wide plots,
// image grids at most a page wide), PNGs at 300 dpi, one legend entry per run
// with train and validation told apart by a key, up to eight series distinct
// in greyscale, no unnamed smoothing, a log axis only when asked or chosen by
// the data and then said on the axis, and labels that say what is drawn.

import XCTest
@testable import Figures
import KymoLanguage
@testable import Notebook

final class FigureDefaultsTests: NotebookSessionTestCase {
    func drawn(_ f: Figure) throws -> (Figure, RecordingRenderer) {
        let fitted = try f.fitted()
        let r = RecordingRenderer()
        try fitted.draw(into: r)
        return (fitted, r)
    }

    /// A small SA-ConvLSTM trained 4 steps with validation, and its figures with no options.
    static let notebook = """
    seed(3)
    let data = moving_mnist(train: 4, test: 2, frames: 4, size: 32)
    let m = sa_convlstm(layers: 1, hidden: 2, size: 32, patch: 4, frames_in: 2, frames_out: 2)
    let h = train(m, data.train, steps: 4, batch: 2, lr: 0.01, validate: data.test, every: 2)
    let r = evaluate(m, data.test)
    let seq = data.test[0]
    let loss = plot_loss(h)
    let eight = plot_loss([h, h, h, h, h, h, h, h], labels: ["a", "b", "c", "d", "e", "f", "g", "h"])
    let metrics = plot_metrics([r, r], labels: ["x", "y"])
    let frames = plot_frames(seq, predict(m, seq))
    let attention = plot_attention(m, seq, query: [16, 16])
    let groups = plot_loss([[h, h], [h, h, h]], labels: ["A", "B"])
    let logged = plot_loss(h, log: true, lr: true)
    let editable = plot_loss(h, svg_text: true, dpi: 600)
    let smoothedGroups = plot_loss([[h, h], [h, h, h]], labels: ["A", "B"], smooth: 0.9)
    let long = moving_mnist(train: 1, test: 1, frames: 20, size: 32).test[0]
    let m10 = sa_convlstm(layers: 1, hidden: 2, size: 32, patch: 4, frames_in: 10, frames_out: 10)
    let wideAttention = plot_attention(m10, long, query: [16, 16])
    let wideFrames = plot_frames(long, predict(m10, long), inputs: true)
    let twoChannels = plot_frames(randn([6, 2, 16, 24]), randn([3, 2, 16, 24]), frames_in: 3)
    let threeChannels = plot_frames(randn([4, 3, 24, 16]), randn([2, 3, 24, 16]), frames_in: 2, width: 3.3)
    let shortRows = plot_frames(rand([6, 2, 16, 24]) * 0.6, rand([3, 2, 16, 24]) * 1.3, frames_in: 3)

    """

    func testDefaultsMeetAJournalColumnWithoutAnyArgument() throws {
        let s = session()
        run(s, Self.notebook)
        // (two and three channels: a value bar and an |error| bar per channel, stacked; their labels must not meet)
        for name in ["loss", "eight", "metrics", "frames", "attention", "groups", "wideAttention", "wideFrames", "twoChannels", "threeChannels", "shortRows"] {
            let f = try figure(s, name)
            XCTAssertEqual(f.dpi, 300, "\(name): PNGs at 300 dpi (written into the file)")
            XCTAssertTrue(f.style.opaque, "\(name): flat colours, no PDF transparency group")
            let imagesOnly = f.panels.allSatisfy { $0.style != .axes }
            if imagesOnly {
                XCTAssertLessThanOrEqual(f.width, 6.9 * 72 + 1e-9, "\(name): at most a page wide")
            } else {
                XCTAssertEqual(f.width, 3.3 * 72, accuracy: 1e-9, "\(name): one column wide")
            }
            // printed at its natural size (column or page), no text is below 7 pt, and all of it is on the page
            let (fitted, r) = try drawn(f)
            let page = Rect(x: 0, y: 0, width: fitted.width, height: fitted.height)
            XCTAssertFalse(r.texts.isEmpty)
            let texts = r.texts
            for (i, t) in texts.enumerated() {
                XCTAssertGreaterThanOrEqual(t.font.size, 7 - 1e-9, "\(name): '\(t.text)' at \(t.font.size) pt")
                XCTAssertTrue(page.encloses(t.box), "\(name): '\(t.text)' \(t.box) leaves the page \(page)")
                for u in texts[(i + 1)...] where t.box.overlaps(u.box) {
                    XCTFail("\(name): '\(t.text)' \(t.box) overlaps '\(u.text)' \(u.box)")
                }
            }
        }
    }

    func testSVGTextAndDpiAreTheAuthorsChoice() throws {
        let s = session()
        run(s, Self.notebook)
        XCTAssertFalse(try figure(s, "loss").svgText, "glyph outlines unless asked")
        let editable = try figure(s, "editable")
        XCTAssertTrue(editable.svgText)
        XCTAssertEqual(editable.dpi, 600)
    }

    func testOneLegendEntryPerRunAndEightSeriesApartInGreyscale() throws {
        let s = session()
        run(s, Self.notebook)
        let loss = try figure(s, "loss").panels[0]
        XCTAssertEqual(loss.legendEntries().map(\.label), ["SA-ConvLSTM", LossPlot.trainKey, LossPlot.validationKey],
                       "one entry for the run, then the key (explained once)")
        let eight = try figure(s, "eight").panels[0]
        let entries = eight.legendEntries()
        XCTAssertEqual(entries.map(\.label), ["a", "b", "c", "d", "e", "f", "g", "h", LossPlot.trainKey, LossPlot.validationKey])
        let runs = entries.prefix(8)
        XCTAssertEqual(Set(runs.map { "\($0.line!.dash)" }).count, 8, "eight dashes")
        XCTAssertEqual(Set(runs.map { $0.marker!.shape }).count, 8, "eight validation markers, each run's on its entry")
        XCTAssertEqual(Set(eight.scatters.prefix(8).map(\.marker.shape)).count, 8)
        XCTAssertTrue(eight.scatters.allSatisfy { $0.label == nil || $0.x.isEmpty }, "no per-run validation entries")
        // the key draws no data: nothing of it in the CSV
        XCTAssertFalse(try figure(s, "eight").csv().contains(LossPlot.trainKey))
    }

    func testLogScaleOnlyWhenAskedOrChosenAndThenSaid() throws {
        XCTAssertFalse(LossPlot.prefersLog([0.045, 0.03, 0.025]), "less than 20×: linear")
        XCTAssertTrue(LossPlot.prefersLog([1.0, 0.1, 0.02]))
        XCTAssertFalse(LossPlot.prefersLog([1.0, 0.0, 0.02]), "a zero cannot go on a log axis")
        let s = session()
        run(s, Self.notebook)
        let loss = try figure(s, "loss").panels[0]
        let values = loss.lines.flatMap(\.y) + loss.scatters.flatMap(\.y)
        XCTAssertEqual(loss.yAxis.scale, LossPlot.prefersLog(values) ? .log : .linear)
        let logged = try figure(s, "logged")
        XCTAssertEqual(logged.panels[0].yAxis.scale, .log)
        XCTAssertEqual(logged.panels[0].yAxis.label, "loss (MSE, mean over pixels) (log scale)")
        XCTAssertEqual(logged.panels[1].yAxis.label, "learning rate (log scale)")
        let drawn = try drawn(logged).1.texts.map(\.text)
        XCTAssertTrue(drawn.contains("loss (MSE, mean over pixels) (log scale)"))
    }

    func testLabelsSayWhatIsDrawn() throws {
        let s = session()
        run(s, Self.notebook)
        let metrics = try figure(s, "metrics")
        XCTAssertEqual(metrics.panels.map(\.yAxis.label), ["MSE (sum over H×W)", "SSIM (frame mean)"])
        // the |error| colour bar: labelled, and ticked at both ends
        let frames = try figure(s, "frames")
        let bar = try XCTUnwrap(frames.colorBars.last)
        XCTAssertEqual(bar.label, PredictionStrip.errorBarLabel)
        let (_, fr) = try drawn(frames)
        XCTAssertTrue(fr.texts.contains { $0.text.hasPrefix(PredictionStrip.errorBarLabel) })
        let ticks = bar.ticks(maxTicks: 3).major.map(\.value)
        XCTAssertEqual(ticks.first, bar.range.lowerBound); XCTAssertEqual(ticks.last, bar.range.upperBound)
        // the attention bar too, and the query pixel says (y, x)
        let attention = try figure(s, "attention")
        let abar = try XCTUnwrap(attention.colorBars.first)
        let aticks = abar.ticks(maxTicks: 4).major.map(\.value)
        XCTAssertEqual(aticks.first, abar.range.lowerBound); XCTAssertEqual(aticks.last, abar.range.upperBound)
        XCTAssertTrue(attention.title?.contains("(y, x) = (16, 16)") == true, attention.title ?? "")
        // 19 steps at page width: the predicted ones marked, the mark explained under the grid
        let wide = try figure(s, "wideAttention")
        XCTAssertEqual(wide.panels.compactMap(\.caption).filter { $0.hasSuffix(AttentionPlot.predictedMark) }.count, 9)
        XCTAssertEqual(wide.bottomLabel, AttentionPlot.predictedNote)
        // group legends say each group's size
        let groups = try figure(s, "groups").panels[0]
        XCTAssertEqual(groups.legendEntries().map(\.label), ["A (n\u{00A0}=\u{00A0}2)", "B (n\u{00A0}=\u{00A0}3)"])
        XCTAssertEqual(try figure(s, "groups").title, "Training loss: mean, band ±1 sd", "the band named once")
        // smoothing of the groups' runs: asked for, and said once in the legend
        let smoothed = try figure(s, "smoothedGroups").panels[0]
        XCTAssertEqual(smoothed.legendEntries().map(\.label).last, "each run smoothed: EMA 0.9 (≈10 steps)")
    }
}
