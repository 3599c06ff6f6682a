// plot_attention draws what attention() returns: for a predictor with 3 → 3
// frames, attention() gives 5 maps and the figure 5 panels — 3 over the
// observed frames, 2 over the model's own predictions, captioned "t = 4*" —
// on one colour scale reaching the largest weight of the 5; `steps:` picks
// panels (and the scale is theirs); the title writes the query as (y, x).

import XCTest
import Figures
import TensorEngine
import KymoLanguage
@testable import Notebook

final class AttentionFigureTests: NotebookSessionTestCase {
    func run(_ text: String) throws -> Session {
        let s = session()
        run(s, text)
        return s
    }

    func maps(_ s: Session, _ name: String) throws -> [Float] {
        let t = try tensor(s, name)
        XCTAssertEqual(t.shape, [5, 16, 16])
        return t.toArray()
    }

    static let notebook = """
    seed(3)
    let m = am_convlstm(layers: 2, hidden: 4, size: 16, patch: 2, frames_in: 3, frames_out: 3, attention_hidden: 2)
    let seq = rand([6, 1, 16, 16])
    let a = attention(m, seq, layer: 2, query: [5, 12])
    let all = plot_attention(m, seq, layer: 2, query: [5, 12])
    let some = plot_attention(m, seq, layer: 2, query: [5, 12], steps: [1, 2])
    """

    func testAPredictorFigureShowsEveryStepOnOneScale() throws {
        for family in ["sam", "sa"] {
            let s = try run(Self.notebook.replacingOccurrences(of: "am_convlstm", with: family == "sam" ? "sam_convlstm" : "sa_convlstm"))
            let values = try maps(s, "a")
            let f = try figure(s, "all")
            XCTAssertEqual(f.panels.count, 5, family)
            XCTAssertEqual(f.panels.compactMap(\.caption), ["t = 1", "t = 2", "t = 3", "t = 4*", "t = 5*"])
            XCTAssertEqual(f.bottomLabel, AttentionPlot.predictedNote)
            XCTAssertTrue(f.title?.hasSuffix("layer 2: attention of query (y, x) = (5, 12)") ?? false, f.title ?? "")
            // one scale: the bar reaches the largest weight over all five maps, more than the observed steps' largest
            let perStep = (0..<5).map { t in values[(t * 256)..<((t + 1) * 256)].max()! }
            XCTAssertEqual(f.colorBars.count, 1)
            // (up to the first tick at or above it, so the bar is ticked at its top)
            XCTAssertEqual(f.colorBars[0].range.upperBound, ColorBar.niceUpper(lower: 0, upper: Double(perStep.max()!)), accuracy: 1e-12)
            for p in f.panels { XCTAssertEqual(p.imageLayers[1].range, f.colorBars[0].range) }
            // each panel's map is attention()'s map of its step
            for t in 0..<5 { XCTAssertEqual(f.panels[t].imageLayers[1].values.pixels, Array(values[(t * 256)..<((t + 1) * 256)]), "step \(t + 1)") }
            // the predicted steps' frames are the model's predictions, not the observed frames 4 and 5
            XCTAssertNotEqual(f.panels[3].imageLayers[0].values, f.panels[0].imageLayers[0].values)

            let g = try figure(s, "some")
            XCTAssertEqual(g.panels.compactMap(\.caption), ["t = 1", "t = 2"])
            XCTAssertNil(g.bottomLabel)
            XCTAssertEqual(g.colorBars[0].range.upperBound, ColorBar.niceUpper(lower: 0, upper: Double(perStep[0..<2].max()!)), accuracy: 1e-12)
        }
    }

    func testStepsOutsideTheRangeAreRefused() {
        var options = SessionOptions()
        options.output = BufferSink()
        let s = Session(options: options)
        let text = Self.notebook.replacingOccurrences(of: "am_convlstm", with: "sam_convlstm")
            .replacingOccurrences(of: "steps: [1, 2]", with: "steps: [6]")
        let (results, _) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        let message = results.flatMap(\.diagnostics).map(\.message).joined()
        XCTAssertTrue(message.contains("step 6 does not exist: attention() gives steps 1…5 for this model"), message)
    }
}
