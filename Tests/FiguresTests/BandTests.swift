// Group bands through the recording renderer: each group's band is one
// translucent fill in its colour, drawn before (under) its mean line, inside
// the plot; the y axis covers the band, not only the means; no text overlaps.

import XCTest
@testable import Figures

final class BandTests: XCTestCase {
    func testLossGroupsFillOneBandPerGroupUnderTheirLines() throws {
        let x = (1...20).map(Double.init)
        let a = try BandCurve(label: "A", x: x, mean: x.map { 1 / $0 }, low: x.map { 0.5 / $0 }, high: x.map { 2 / $0 })
        let b = try BandCurve(label: "B", x: x, mean: x.map { 2 / $0 }, low: x.map { 1.5 / $0 }, high: x.map { 3 / $0 })
        let fig = try BandPlot.loss(groups: [a, b], band: "±1 sd of 3 runs", title: "Training loss")
        XCTAssertEqual(fig.panels[0].bands.count, 2)
        let ext = fig.panels[0].dataExtent()
        XCTAssertEqual(ext.y?.upperBound, 3)      // the top of B's band
        XCTAssertEqual(ext.y?.lowerBound, 0.025)  // the bottom of A's band
        let r = RecordingRenderer()
        try fig.draw(into: r)
        let fills = r.calls.enumerated().compactMap { i, c -> (Int, Color)? in
            if case let .fill(_, color) = c, color.alpha < 1, color.alpha > 0.1, color.alpha < 0.3 { return (i, color) }
            return nil
        }
        XCTAssertEqual(fills.count, 2)
        XCTAssertEqual(fills[0].1, Color.cycle(0).withAlpha(0.2))
        XCTAssertEqual(fills[1].1, Color.cycle(1).withAlpha(0.2))
        let firstLine = r.calls.firstIndex { if case let .stroke(_, s) = $0 { return s.color == Color.cycle(0) }; return false }
        XCTAssertLessThan(fills[1].0, try XCTUnwrap(firstLine), "bands are drawn under the lines")
        XCTAssertTrue(r.texts.contains { $0.text.contains("band ±1 sd of 3 runs") })
        let texts = r.texts
        for (i, t) in texts.enumerated() { for u in texts[(i + 1)...] { XCTAssertFalse(t.box.overlaps(u.box), "\(t.text) / \(u.text)") } }
    }

    func testMetricGroupsNameTheBandInTheTitle() throws {
        let x = [1.0, 2, 3]
        let g = try BandCurve(label: "ConvLSTM", x: x, mean: [1, 2, 3], low: [0.5, 1.5, 2.5], high: [1.5, 2.5, 3.5])
        let fig = try BandPlot.metrics(mse: [g], ssim: [g], band: "min–max of 3 runs", title: "Per-frame metrics")
        XCTAssertEqual(fig.title, "Per-frame metrics: mean, band min–max of 3 runs")
        XCTAssertEqual(fig.panels.map(\.bands.count), [1, 1])
        XCTAssertThrowsError(try BandCurve(label: "x", x: x, mean: [1], low: [1], high: [1]))
    }
}
