// train's schedule/clip/weight_decay/early_stop from a notebook: bad values are
// refused at the call before a step runs, naming the argument; a recorded call
// with knobs keeps `<train>.lr` and `<train>.grad_norm` series exactly as the
// history holds them, and a plain call's record is unchanged (no new series).

import XCTest
import Records
import TestSupport
@testable import KymoLanguage
@testable import Notebook

final class TrainKnobsNotebookTests: XCTestCase {
    static let setup = """
    let data = moving_mnist(train: 4, test: 2, frames: 6, size: 28)
    let m = convlstm(layers: 1, hidden: 4, size: 28, patch: 4, frames_in: 3, frames_out: 3)
    """

    func testBadValuesNameTheArgument() {
        var options = SessionOptions()
        options.output = BufferSink()
        let s = Session(options: options)
        XCTAssertEqual(s.evaluate(input: Self.setup).status, .complete)
        let cases: [(String, String)] = [
            ("train(m, data.train, steps: 2, schedule: {kind: \"onecycle\", pct_start: 1.5})",
             "train: schedule: pct_start must be in (0, 1), got 1.5"),
            ("train(m, data.train, steps: 2, schedule: {kind: \"onecycle\", total_steps: 5})",
             "schedule: total_steps 5 is longer than the 2 steps of training"),
            ("train(m, data.train, steps: 4, schedule: {kind: \"cosine\", warmup: 2, t_max: 3})",
             "schedule: warmup 2 + t_max 3 = 5 steps is longer than the 4 steps of training"),
            ("train(m, data.train, steps: 4, schedule: {kind: \"step\", step_size: 9})",
             "schedule: step_size 9 is longer than the 4 steps of training"),
            ("train(m, data.train, steps: 2, schedule: {kind: \"cosine\", warmpu: 1})",
             "argument 'schedule' of train: unknown key 'warmpu' for a cosine schedule; did you mean 'warmup'?"),
            ("train(m, data.train, steps: 2, schedule: {kind: \"sgdr\"})",
             "argument 'schedule' of train: unknown schedule \"sgdr\""),
            ("train(m, data.train, steps: 2, schedule: 3)",
             "argument 'schedule' of train must be a string or a record, got int"),
            ("train(m, data.train, steps: 2, early_stop: 3)",
             "'early_stop' needs a 'validate' dataset"),
            ("let lr = -0.001\ntrain(m, data.train, steps: 2, lr: lr)",
             "argument 'lr' of train must be greater than 0, got -0.001"),
            ("let k = -1\ntrain(m, data.train, steps: 2, clip: k)",
             "argument 'clip' of train must be greater than 0, got -1"),
        ]
        for (input, want) in cases {
            let r = s.evaluate(input: input)
            XCTAssertEqual(r.status, .failed, input)
            let text = r.diagnostics.map(\.text).joined(separator: "\n")
            XCTAssertTrue(text.contains(want), "\(input):\n\(text)\ndoes not contain\n\(want)")
        }
        // nothing trained: the model's weights are untouched by the refused calls
        XCTAssertEqual(s.evaluate(input: "print(\"ok\")").status, .complete)
    }

    func testRecordKeepsLrAndGradNormSeries() throws {
        let dir = RecordFixtures.scratch()
        let text = Self.setup + """

        let h = train(m, data.train, steps: 6, batch: 2, lr: 0.01, schedule: "onecycle", clip: 0.5, validate: data.test, every: 3)
        print(h.lr[5], h.grad_norm[0] > 0)
        let plain = train(m, data.train, steps: 2, batch: 2)
        """
        var o = RecordedRunOptions(notebookPath: "nb.kymo", text: text, workingDirectory: dir, host: .fixture)
        o.runsFolder = dir + "/runs"
        let result = try RecordRunner.run(o)
        XCTAssertNil(result.recordError)
        let r = try RunStore.read(recordAt: result.runFolder! + "/record.json")
        XCTAssertEqual(r.status, .complete, r.cells.compactMap(\.error).joined())
        XCTAssertEqual(r.metrics.map(\.name), ["train1.loss", "train1.lr", "train1.grad_norm", "train1.validation", "train2.loss"])
        let lr = try XCTUnwrap(r.series(named: "train1.lr"))
        XCTAssertEqual(lr.steps, Array(1...6))
        XCTAssertEqual(lr.values.width, .f64)
        let first = Double(bitPattern: lr.values.bits[0])
        XCTAssertEqual(first, 0.01 / 25, accuracy: 1e-18)   // OneCycle starts at max_lr / div_factor
        XCTAssertEqual(r.series(named: "train1.grad_norm")?.values.width, .f32)
    }
}
