// plot_loss's learning-rate panel: a second panel with one line per run that
// has learning rates, on a log axis when every rate is positive; the default
// figure is unchanged (one panel).
import XCTest
@testable import Figures

final class LossPlotLRTests: XCTestCase {
    func testLearningRatePanel() throws {
        var a = try LossRun(label: "a", steps: [1, 2, 3], loss: [0.5, 0.4, 0.3])
        a.lr = [1e-4, 5e-4, 2e-5]
        let b = try LossRun(label: "b", steps: [1, 2], loss: [0.6, 0.5])
        XCTAssertEqual(try LossPlot.figure(runs: [a, b]).panels.count, 1)
        let fig = try LossPlot.figure(runs: [a, b], lrPanel: true)
        XCTAssertEqual(fig.panels.count, 2)
        XCTAssertEqual(fig.panels[1].lines.count, 1)
        XCTAssertEqual(fig.panels[1].yAxis.scale, .log)
        XCTAssertEqual(fig.panels[1].lines[0].y, [1e-4, 5e-4, 2e-5])
        XCTAssertThrowsError(try LossPlot.figure(runs: [b], lrPanel: true))
        var c = a
        c.lr = [1e-3]
        XCTAssertThrowsError(try LossPlot.figure(runs: [c], lrPanel: true))
    }
}
