// `kymo bench models`' run column goes through the path a notebook's
// train(...) takes in `kymo run`: the `train` built-in, RecordedTraining with
// the run's checkpoints at RunHooks' interval, the run record. What is checked
// is the path (series, checkpoints, the cell timed), never the time.
import Foundation
import XCTest
import Records
import TestSupport
import Models
@testable import Notebook

final class TrainingRunBenchTests: XCTestCase {
    func testBenchRunTrainsThroughTheTrainBuiltinWithTheRunsCheckpoints() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kymo-runbench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var bc = TrainingBenchmarkCase.reduced().first { $0.name == "predictor_convlstm" }!
        bc.config.hidden = 4
        bc.config.framesIn = 3
        bc.config.framesOut = 3
        let steps = 3
        let text = TrainingRunBench.notebook(for: bc, steps: steps)
        XCTAssertTrue(text.contains("%% Train\nlet h = train(m, data.train, steps: 3, batch: 2"), text)
        let r = try TrainingRunBench.run(bc, steps: steps, runsFolder: folder, workingDirectory: folder, host: .fixture)
        // The loss series and the checkpoints are what the `train` built-in under a run record leaves behind.
        let loss = try XCTUnwrap(r.record.series(named: "train1.loss"), "no train1.loss series: train(...) did not run under the record")
        XCTAssertEqual(loss.source, "train")
        XCTAssertEqual(loss.steps, [1, 2, 3])
        XCTAssertEqual(r.checkpointSeconds, RunHooks.checkpointInterval())
        let checkpoint = try XCTUnwrap(r.record.checkpoints.first { $0.site == "train1" }, "the run wrote no checkpoint")
        XCTAssertEqual(checkpoint.step, steps)
        let runFolder = try XCTUnwrap(r.runFolder)
        XCTAssertTrue(FileManager.default.fileExists(atPath: runFolder + "/" + checkpoint.path), checkpoint.path)
        // The time is the Train cell's, as the record states it.
        let cell = try XCTUnwrap(r.record.cells.first { $0.title == "Train" })
        XCTAssertEqual(r.trainCellSeconds, cell.duration)
        XCTAssertEqual(r.secondsPerStep, cell.duration / Double(steps))
        // The same notebook run as `kymo run` runs it gives the same losses, bit for bit.
        var o = RecordedRunOptions(notebookPath: "again.kymo", text: text, workingDirectory: folder, host: .fixture)
        o.runsFolder = folder
        let again = try RecordRunner.run(o)
        XCTAssertEqual(again.record.series(named: "train1.loss")?.values, loss.values)
    }
}
