// plot_frames draws the prediction under the truth frames it predicts: for
// frames_in 1, 5, 10 × frames_out 1, 5, 10 on a truth longer than both (each
// frame a distinct constant), the truth row holds frames frames_in+1…, the
// captions number them so, and the error row is computed against them; a
// prediction from predict() carries its model's frames_in; a pair that cannot
// be aligned is refused. Frames [T, C, H, W] with C > 1 and H ≠ W get a group
// of rows per channel with their own colour scale, or one with `channel:`.

import XCTest
import Figures
import TensorEngine
import KymoLanguage
@testable import Notebook

final class FrameFigureTests: NotebookSessionTestCase {
    /// A Kymo literal of `count` frames [count, 1, 2, 3], frame k filled with `value(k)`.
    func frames(_ count: Int, _ value: (Int) -> Double) -> String {
        let fs = (0..<count).map { k -> String in
            let v = String(value(k))
            return "[[[\(v), \(v), \(v)], [\(v), \(v), \(v)]]]"
        }
        return "tensor([" + fs.joined(separator: ", ") + "])"
    }

    /// The constant value of an image panel's first layer.
    func constant(_ p: Panel) -> Float? { p.imageLayers.first?.values.pixels.first }

    func testThePredictionIsDrawnUnderTheTruthFramesItPredicts() throws {
        for framesIn in [1, 5, 10] {
            for framesOut in [1, 5, 10] {
                let name = "frames_in \(framesIn), frames_out \(framesOut)"
                let total = framesIn + framesOut + 3          // longer than the model reads: the old suffix was wrong here
                let s = session()
                // truth frame k (from 0) holds k/100; the prediction of frame k holds k/100 + 0.005
                run(s, """
                let truth = \(frames(total) { Double($0) / 100 })
                let pred = \(frames(framesOut) { Double(framesIn + $0) / 100 + 0.005 })
                let f = plot_frames(truth, pred, frames_in: \(framesIn))
                let g = plot_frames(truth, pred, start: \(framesIn + 1), inputs: true)
                """)
                let f = try figure(s, "f")
                XCTAssertEqual(f.columns, framesOut, name)
                XCTAssertEqual(f.rows, 3, name)
                for k in 0..<framesOut {
                    // truth row: frame frames_in + k; prediction row: the prediction; error row: their difference
                    XCTAssertEqual(constant(f.panels[k]), Float(Double(framesIn + k) / 100), "\(name): truth column \(k)")
                    XCTAssertEqual(constant(f.panels[framesOut + k]), Float(Double(framesIn + k) / 100 + 0.005), name)
                    XCTAssertEqual(Double(constant(f.panels[2 * framesOut + k])!), 0.005, accuracy: 1e-6, "\(name): error column \(k)")
                }
                XCTAssertEqual(f.panels.compactMap(\.caption), (0..<framesOut).map { String(framesIn + 1 + $0) }, name)

                // inputs: true puts the observed frames first, blanks under them
                let g = try figure(s, "g")
                XCTAssertEqual(g.columns, framesIn + framesOut, name)
                for k in 0..<(framesIn + framesOut) {
                    XCTAssertEqual(constant(g.panels[k]), Float(Double(k) / 100), "\(name): truth/input column \(k)")
                    XCTAssertEqual(g.panels[g.columns + k].style, k < framesIn ? .blank : .image, name)
                    XCTAssertEqual(g.panels[2 * g.columns + k].style, k < framesIn ? .blank : .image, name)
                }
                XCTAssertEqual(g.panels.compactMap(\.caption), (1...(framesIn + framesOut)).map(String.init), name)
                XCTAssertEqual(g.bottomLabel, "frame (1–\(framesIn) observed, \(framesIn + 1)–\(framesIn + framesOut) predicted)")
            }
        }
    }

    func testAPredictionFromPredictKnowsItsModelsFramesIn() throws {
        let s = session()
        run(s, """
        seed(1)
        let m = convlstm(layers: 1, hidden: 2, size: 8, patch: 2, frames_in: 3, frames_out: 2)
        let seq = rand([7, 1, 8, 8])
        let p = predict(m, seq)
        let f = plot_frames(seq, p)
        let g = plot_frames(seq, p[0..<2], model: m)
        """)
        let seq = try tensor(s, "seq").toArray(), p = try tensor(s, "p").toArray()
        for name in ["f", "g"] {
            let f = try figure(s, name)
            XCTAssertEqual(f.panels.compactMap(\.caption), ["4", "5"], name)
            XCTAssertEqual(f.panels[0].imageLayers[0].values.pixels, Array(seq[(3 * 64)..<(4 * 64)]), "\(name): truth is frame 4")
            XCTAssertEqual(f.panels[1].imageLayers[0].values.pixels, Array(seq[(4 * 64)..<(5 * 64)]), "\(name): truth is frame 5")
            XCTAssertEqual(f.panels[2].imageLayers[0].values.pixels, Array(p[0..<64]), name)
        }
        // the truth as long as the prediction is the predicted frames themselves, numbered from frames_in + 1
        run(s, "let h = plot_frames(seq[3..<5], p)")
        let h = try figure(s, "h")
        XCTAssertEqual(h.panels.compactMap(\.caption), ["4", "5"])
        XCTAssertEqual(h.panels[0].imageLayers[0].values.pixels, Array(seq[(3 * 64)..<(4 * 64)]))
    }

    func testPairsThatCannotBeAlignedAreRefused() {
        let s = session()
        run(s, "let t = rand([7, 1, 4, 4])\nlet p = rand([2, 1, 4, 4])")
        XCTAssertTrue(failure(s, "plot_frames(t, p)").contains("cannot tell which of the truth's 7 frames the 2 predicted frames are"),
                      failure(s, "plot_frames(t, p)"))
        XCTAssertTrue(failure(s, "plot_frames(t, p, frames_in: 6)").contains("the prediction is of frames 7…8, but the truth has 7 frames"),
                      failure(s, "plot_frames(t, p, frames_in: 6)"))
        XCTAssertTrue(failure(s, "plot_frames(t, rand([2, 3, 4, 4]), start: 1)").contains("truth has 1 channels, the prediction 3"))
        XCTAssertTrue(failure(s, "plot_frames(t, p, start: 2, channel: 1)").contains("channel 1 does not exist"))
        XCTAssertTrue(failure(s, "plot_frames(t, rand([2, 1, 4, 5]), start: 2)").contains("4×4"))
    }

    func testChannelsAndNonSquareFramesGetRowsAndScalesOfTheirOwn() throws {
        let s = session()
        run(s, """
        seed(2)
        let truth = rand([4, 3, 6, 10]) * 40.0 - 10.0
        let pred = rand([4, 3, 6, 10]) * 40.0 - 10.0
        let all = plot_frames(truth, pred)
        let one = plot_frames(truth, pred, channel: 1, cmap: "coolwarm", title: "")
        """)
        let truth = try tensor(s, "truth").toArray()
        let all = try figure(s, "all")
        XCTAssertEqual(all.rows, 9)
        XCTAssertEqual(all.rowLabels, ["Ground truth (ch. 0)", "Prediction (ch. 0)", "|Error| (ch. 0)",
                                       "Ground truth (ch. 1)", "Prediction (ch. 1)", "|Error| (ch. 1)",
                                       "Ground truth (ch. 2)", "Prediction (ch. 2)", "|Error| (ch. 2)"])
        XCTAssertEqual(all.colorBars.map(\.rows), [0...1, 2...2, 3...4, 5...5, 6...7, 8...8])
        XCTAssertEqual(all.colorBars.compactMap(\.label), ["value (ch. 0)", PredictionStrip.errorBarLabel, "value (ch. 1)", PredictionStrip.errorBarLabel,
                                                           "value (ch. 2)", PredictionStrip.errorBarLabel], "the error bars say what they measure")
        // channel 1 of truth frame 2 is where [T, C, H, W] puts it; the scale is that channel's range
        let ch1 = all.panels[3 * 4 + 2].imageLayers[0]
        XCTAssertEqual(ch1.values.width, 10); XCTAssertEqual(ch1.values.height, 6)
        XCTAssertEqual(ch1.values.pixels, Array(truth[((2 * 3 + 1) * 60)..<((2 * 3 + 2) * 60)]))
        XCTAssertEqual(ch1.colorMap.name, "viridis")
        XCTAssertEqual(all.colorBars[2].range, ch1.range)
        XCTAssertLessThan(ch1.range.lowerBound, 0); XCTAssertGreaterThan(ch1.range.upperBound, 1)
        // the panels keep the 10:6 frame; no text leaves the page or overlaps another
        let r = RecordingRenderer()
        try all.draw(into: r)
        let img = r.images[0].rect
        XCTAssertEqual(img.width / img.height, 10.0 / 6.0, accuracy: 1e-9)
        assertTextInside(all, r)

        let one = try figure(s, "one")
        XCTAssertEqual(one.rows, 3)
        XCTAssertNil(one.title)
        XCTAssertEqual(one.rowLabels.first, "Ground truth (ch. 1)")
        XCTAssertEqual(one.panels[2].imageLayers[0].values.pixels, Array(truth[((2 * 3 + 1) * 60)..<((2 * 3 + 2) * 60)]))
        XCTAssertEqual(one.panels[0].imageLayers[0].colorMap.name, "coolwarm")
        let r1 = RecordingRenderer()
        try one.draw(into: r1)
        assertTextInside(one, r1)
    }

    func assertTextInside(_ f: Figure, _ r: RecordingRenderer, file: StaticString = #filePath, line: UInt = #line) {
        let page = Rect(x: 0, y: 0, width: f.width, height: f.height)
        for (i, a) in r.texts.enumerated() {
            XCTAssertTrue(page.encloses(a.box), "'\(a.text)' \(a.box) leaves the \(f.width)×\(f.height) page", file: file, line: line)
            for b in r.texts[(i + 1)...] where a.box.overlaps(b.box) {
                XCTFail("'\(a.text)' \(a.box) overlaps '\(b.text)' \(b.box)", file: file, line: line)
            }
        }
        for img in r.images { XCTAssertTrue(page.encloses(img.rect), "image \(img.rect) leaves the page", file: file, line: line) }
    }

    func testAttentionOverAChosenChannel() throws {
        let s = session()
        run(s, """
        seed(4)
        let m = sam_convlstm(layers: 1, hidden: 4, size: 8, patch: 2, channels: 2, frames_in: 2, frames_out: 1, attention_hidden: 2)
        let seq = rand([3, 2, 8, 8]) * 3.0
        let f = plot_attention(m, seq, query: [1, 2], channel: 1, steps: [1, 2], title: "")
        """)
        let seq = try tensor(s, "seq").toArray()
        let f = try figure(s, "f")
        XCTAssertNil(f.title)
        XCTAssertEqual(f.panels[1].imageLayers[0].values.pixels, Array(seq[(3 * 64)..<(4 * 64)]), "step 2, channel 1")
        XCTAssertGreaterThan(f.panels[0].imageLayers[0].range.upperBound, 1, "a field beyond 0…1 is shown over its own range")
        XCTAssertTrue(failure(s, "plot_attention(m, seq, query: [1, 2], channel: 2)").contains("channel 2 does not exist"))
        XCTAssertEqual(f.panels[0].imageLayers[1].opacity, 0.6)
        run(s, "let g = plot_attention(m, seq, query: [1, 2], steps: [1], opacity: 0.3)\nlet h = plot_attention(m, seq, query: [1, 2], steps: [1], overlay: false)")
        XCTAssertEqual(try figure(s, "g").panels[0].imageLayers[1].opacity, 0.3)
        XCTAssertEqual(try figure(s, "h").panels[0].imageLayers[1].opacity, 1, "the map alone: its colours are the bar's")
    }
}
