// Recording real notebooks through the Session: the record holds each
// cell's output, value digests and the exact metric series; replay of the
// recorded text is identical with 1 and 2 threads; an edited literal is named
// at its cell; failed and interrupted runs are recorded as such; a REPL
// session replays as a notebook; an interrupted run resumes to the record of
// an uninterrupted one.
import Foundation
import XCTest
import Records
import TestSupport
import TensorEngine
@testable import KymoLanguage
@testable import Notebook

final class RecordRunnerTests: XCTestCase {
    static let notebook = """
    %% Data
    seed(7)
    let n = 3
    let x = randn([4, 5])
    print("sum", x.sum().item())

    %% Train
    var w = zeros([5])
    for step in 1..<n + 1 {
      w = w + x[step % 4] * 0.1
      log("loss", (w * w).sum().item() / step)
    }
    log("lr", 0.1)
    print("final", w.sum().item())

    %% Report
    let summary = {id: run_id(), last: w.mean().item()}
    print(summary)
    """

    override func tearDown() {
        Engine.configure(threads: 1)
    }

    func options(_ text: String = RecordRunnerTests.notebook, runs: String?) -> RecordedRunOptions {
        var o = RecordedRunOptions(notebookPath: "train.kymo", text: text, workingDirectory: NSTemporaryDirectory(), host: .fixture)
        o.runsFolder = runs
        o.seed = 0
        return o
    }

    func testRunIsRecordedCellByCell() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let result = try RecordRunner.run(options(runs: runs))
        XCTAssertNil(result.recordError)
        XCTAssertTrue(result.diagnostics.isEmpty)
        let r = try RunStore.read(recordAt: runs + "/\(result.record.id)/record.json")
        XCTAssertEqual(r, result.record)
        XCTAssertEqual(r.status, .complete)
        XCTAssertEqual(r.notebook.sha256, RecordHash.hex(of: RecordRunnerTests.notebook))
        XCTAssertEqual(r.cells.map(\.title), ["Data", "Train", "Report"])
        XCTAssertEqual(r.cells.map(\.status), [.complete, .complete, .complete])
        XCTAssertEqual(r.cells[0].values.map(\.name), ["n", "x"])
        XCTAssertEqual(r.cells[0].values.map(\.type), ["int", "tensor"])
        XCTAssertTrue(r.cells[0].output.hasPrefix("sum "), r.cells[0].output)
        XCTAssertEqual(r.cells[1].metricCounts, [MetricCount(name: "loss", count: 3), MetricCount(name: "lr", count: 1)])
        XCTAssertEqual(r.metrics.map(\.name), ["loss", "lr"])
        XCTAssertEqual(r.series(named: "loss")?.steps, [1, 2, 3])
        XCTAssertEqual(r.series(named: "lr")?.values.doubles, [0.1])
        XCTAssertTrue(r.cells[2].output.contains(r.id), "run_id() is the record's id")
        // The metric values are exactly what the session logged.
        var check = RecordedRunOptions(notebookPath: "train.kymo", text: RecordRunnerTests.notebook, workingDirectory: NSTemporaryDirectory(), host: .fixture)
        check.runID = r.id
        let again = try RecordRunner.run(check)
        XCTAssertEqual(again.record.series(named: "loss")?.values.bits, r.series(named: "loss")?.values.bits)
        XCTAssertEqual(r.environment, RecordFixtures.host.environment, "the record holds the environment its host passed in")
        XCTAssertNotNil(r.endedAt)
    }

    func testReplayIsIdenticalWithOneAndTwoThreads() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        Engine.configure(threads: 1)
        let recorded = try RecordRunner.run(options(runs: runs)).record
        for threads in [1, 2] {
            Engine.configure(threads: threads)
            let (report, fresh) = try Replayer.run(try RunStore(folder: runs).load(recorded.id).record, host: .fixture)
            XCTAssertTrue(report.isIdentical, "threads \(threads): \(report.render())")
            XCTAssertTrue(report.render().hasPrefix("identical\n"))
            XCTAssertEqual(report.comparedCells, 3)
            XCTAssertEqual(report.comparedPoints, 4)
            XCTAssertEqual(fresh.record.id, recorded.id)
        }
    }

    func testAnEditedLiteralIsNamedAtItsCell() throws {
        let recorded = try RecordRunner.run(options(runs: nil)).record
        // The same record's text with one literal changed in the Train cell.
        let edited = RecordRunnerTests.notebook.replacingOccurrences(of: "* 0.1\n", with: "* 0.11\n")
        XCTAssertNotEqual(edited, RecordRunnerTests.notebook)
        var o = options(edited, runs: nil)
        o.runID = recorded.id
        let fresh = try RecordRunner.run(o).record
        let report = ReplayCompare.compare(recorded: recorded, fresh: fresh)
        guard let d = report.divergence, case .metric(let m) = d.difference else { return XCTFail(report.render()) }
        XCTAssertEqual(d.cell, 1)
        XCTAssertEqual(d.cellTitle, "Train")
        XCTAssertEqual(m.name, "loss")
        XCTAssertEqual(m.step, 1)
        XCTAssertGreaterThan(m.maxRel, 0.1)
        XCTAssertEqual(m.differing, 3)
        XCTAssertTrue(d.alsoDiffering.contains("printed output (line 1)"), "\(d.alsoDiffering)")
        XCTAssertTrue(d.alsoDiffering.contains("value 'w'"), "\(d.alsoDiffering)")
    }

    func testFailedRunIsRecordedAndReplaysIdentically() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let text = "%% A\nlet a = 1\nprint(a)\n%% B\nlet b = a / 0\n%% C\nprint(2)\n"
        let result = try RecordRunner.run(options(text, runs: runs))
        let r = try RunStore.read(recordAt: runs + "/\(result.record.id)/record.json")
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.cells.map(\.status), [.complete, .failed, .skipped])
        XCTAssertTrue(r.cells[1].error?.contains("train.kymo:5:") ?? false, r.cells[1].error ?? "no error")
        XCTAssertTrue(try Replayer.run(r, host: .fixture).report.isIdentical)
    }

    func testStaticErrorsAreRecordedAndNothingRuns() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let result = try RecordRunner.run(options("%% A\nprnt(1)\n", runs: runs))
        XCTAssertFalse(result.diagnostics.isEmpty)
        let r = try RunStore.read(recordAt: runs + "/\(result.record.id)/record.json")
        XCTAssertEqual(r.status, .failed)
        XCTAssertTrue(r.cells.isEmpty)
        XCTAssertEqual(r.errors.count, 1)
        XCTAssertTrue(r.errors[0].contains("print"), r.errors[0])
    }

    func testInterruptedRunResumesToTheRecordOfAnUninterruptedOne() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let whole = try RecordRunner.run(options(runs: runs)).record
        // Ctrl-C as the Train cell starts.
        var o = options(runs: runs)
        let flag = InterruptFlag()
        o.host.interrupt = flag
        o.onCellStart = { cell in if cell.index == 1 { flag.request() } }
        let stopped = try RecordRunner.run(o).record
        XCTAssertEqual(stopped.status, .interrupted)
        XCTAssertEqual(stopped.cells.map(\.status), [.complete, .interrupted, .skipped])
        let folder = runs + "/" + stopped.id
        // Replaying the interrupted record compares what it finished.
        let replay = try Replayer.run(stopped, host: .fixture).report
        XCTAssertTrue(replay.isIdentical, replay.render())
        XCTAssertEqual(replay.comparedCells, 2)
        let resumed = try Replayer.resume(folder: folder, host: .fixture)
        XCTAssertNil(resumed.recordError)
        let r = try RunStore.read(recordAt: folder + "/record.json")
        XCTAssertEqual(r.status, .complete)
        XCTAssertEqual(r.resumes.map(\.cell), [1])
        XCTAssertEqual(r.metrics, whole.metrics)
        XCTAssertEqual(r.cells.map(\.valuesSHA256).dropLast(), whole.cells.map(\.valuesSHA256).dropLast(),
                       "the last cell prints run_id(), which differs between the two runs")
        XCTAssertThrowsError(try Replayer.resume(folder: folder, host: .fixture)) { e in
            XCTAssertTrue("\(e)".contains("it is complete; there is nothing to resume"), "\(e)")
        }
    }

    func testKilledRunReadsInterruptedAndResumes() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let whole = try RecordRunner.run(options(runs: runs)).record
        // What `kill -9` during the Train cell leaves: the Data cell recorded, status running, the writer gone.
        var killed = whole
        killed.status = .running
        killed.endedAt = nil
        killed.cells = [whole.cells[0]]
        killed.metrics = []
        killed.process = ProcessStamp(pid: getpid(), host: ProcessCheck.hostName(), startTicks: 1)
        let store = RunStore(folder: runs)
        try store.write(&killed)
        XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(whole.id)).status, .interrupted)
        _ = try Replayer.resume(folder: store.runFolder(whole.id), host: .fixture)
        let r = try RunStore.read(recordAt: store.recordPath(whole.id))
        XCTAssertEqual(r.status, .complete)
        XCTAssertEqual(r.metrics, whole.metrics)
        XCTAssertEqual(r.cells.map(\.output), whole.cells.map(\.output))
        XCTAssertEqual(r.cells.map(\.valuesSHA256), whole.cells.map(\.valuesSHA256))
        XCTAssertTrue(try Replayer.run(r, host: .fixture).report.isIdentical)
    }

    func testResumeRefusesWhenTheFinishedCellsDoNotReproduce() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let whole = try RecordRunner.run(options(runs: runs)).record
        var killed = whole
        killed.status = .interrupted
        killed.cells = [whole.cells[0]]
        killed.cells[0].output = "sum 42\n"   // not what the Data cell prints
        killed.metrics = []
        let store = RunStore(folder: runs)
        try store.write(&killed)
        let result = try Replayer.resume(folder: store.runFolder(whole.id), host: .fixture)
        XCTAssertTrue("\(result.recordError.map { "\($0)" } ?? "")".contains("cell 0 \"%% Data\" re-executed differently from its record (printed output)"),
                      "\(String(describing: result.recordError))")
        let r = try RunStore.read(recordAt: store.recordPath(whole.id))
        XCTAssertEqual(r.status, .interrupted)
        XCTAssertEqual(r.cells.count, 1)
    }

    func testReplSessionIsRecordedAndReplaysAsANotebook() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        var so = SessionOptions()
        so.interactive = true
        let repl = ReplRecorder(runsFolder: runs, seed: 0, workingDirectory: NSTemporaryDirectory(), host: RecordFixtures.host)
        so.runID = repl.id
        let session = Session(options: so)
        XCTAssertNil(repl.record, "nothing is written before the first input")
        for input in ["let x = randn([3])", "x.sum().item()", "log(\"m\", 1.5)", "let y = x / 0 + undefined_name", "let y = 1 / 0", "let x = 2", "print(x + 1)"] {
            let r = session.evaluate(input: input)
            if r.status == .failed && session.results.last?.source != input { continue }   // rejected before running
            try repl.accepted(r, session: session)
        }
        try repl.finish()
        let r = try RunStore.read(recordAt: runs + "/\(repl.id)/record.json")
        XCTAssertEqual(r.kind, .repl)
        XCTAssertEqual(r.cells.count, 6)
        XCTAssertEqual(r.cells.map(\.status), [.complete, .complete, .complete, .failed, .complete, .complete])
        XCTAssertEqual(r.cells[1].values.map(\.name), ["(value)"])
        XCTAssertTrue(r.notebook.text.hasPrefix("%% input 1\nlet x = randn([3])\n%% input 2\nx.sum().item()"), r.notebook.text)
        let (report, _) = try Replayer.run(r, host: .fixture)
        XCTAssertTrue(report.isIdentical, report.render())
        XCTAssertEqual(report.comparedCells, 6)
    }
}
