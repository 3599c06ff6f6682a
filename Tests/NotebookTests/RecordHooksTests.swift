// What built-ins report to a run's record: files written become artifacts
// (hashed, copied under runs/<id>/artifacts/, compared on replay), training
// calls get checkpoint plans and their exact loss series, and a record that
// cannot take an artifact fails the cell cleanly.
import Foundation
import XCTest
import Records
import TestSupport
@testable import KymoLanguage
@testable import Notebook

final class RecordHooksTests: XCTestCase {
    /// A registry whose `save_tensors` writes the record's keys and values as text
    /// (a stand-in that writes a real file, whatever the engine binding does).
    func registry() -> BuiltinRegistry {
        let r = BuiltinCatalog.registry()
        r.bind("save_tensors") { args, context in
            let given = try args.string("path")
            let path = try context.resolvePath(given, for: .write)
            guard case .record(let rec) = args["tensors"] else { throw BuiltinError("tensors must be a record") }
            let text = rec.pairs.map { "\($0.0)=\(ValueFormatter.plain($0.1))" }.joined(separator: "\n")
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try context.fileWritten(path: given, file: path)
            return .null
        }
        return r
    }

    func run(_ text: String, dir: String, runs: String?) throws -> RecordedRunResult {
        var o = RecordedRunOptions(notebookPath: "nb.kymo", text: text, workingDirectory: dir, host: .fixture)
        o.runsFolder = runs
        o.host.registry = registry()
        return try RecordRunner.run(o)
    }

    static let notebook = "%% Make\nlet a = 3\n%% Save\nsave_tensors(\"out/w.txt\", {a: a, b: 2})\nprint(\"saved\")\n"

    func testFilesWrittenAreRecordedCopiedAndCompared() throws {
        let dir = RecordFixtures.scratch()
        let result = try run(Self.notebook, dir: dir, runs: dir + "/runs")
        XCTAssertNil(result.recordError)
        let r = try RunStore.read(recordAt: result.runFolder! + "/record.json")
        XCTAssertEqual(r.status, .complete)
        XCTAssertEqual(r.artifacts.count, 1)
        let a = r.artifacts[0]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/w.txt"))
        XCTAssertEqual(a.path, "out/w.txt")
        XCTAssertEqual(a.cell, 1)
        XCTAssertEqual(a.size, bytes.count)
        XCTAssertEqual(a.sha256, RecordHash.hex(of: bytes))
        XCTAssertEqual(a.copy, "artifacts/out/w.txt")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: result.runFolder! + "/artifacts/out/w.txt")), bytes)
        // Replay writes the same bytes: identical, one artifact compared.
        var o = Replayer.options(for: r, host: .fixture)
        o.host.registry = registry()
        let fresh = try RecordRunner.run(o).record
        let report = ReplayCompare.compare(recorded: r, fresh: fresh)
        XCTAssertTrue(report.isIdentical, report.render())
        XCTAssertEqual(report.comparedArtifacts, 1)
        XCTAssertNil(fresh.artifacts[0].copy, "a replay keeps no copies")
        // Other bytes: the artifact is named at its cell.
        var changed = r
        changed.notebook = NotebookSource(path: r.notebook.path, workingDirectory: dir,
                                          text: Self.notebook.replacingOccurrences(of: "b: 2", with: "b: 5"))
        var o2 = Replayer.options(for: changed, host: .fixture)
        o2.host.registry = registry()
        let d = ReplayCompare.compare(recorded: r, fresh: try RecordRunner.run(o2).record).divergence
        XCTAssertEqual(d?.cell, 1)
        XCTAssertEqual(d?.difference.summary, "artifact out/w.txt: bytes differ")
    }

    func testReplSessionRecordsFilesWithTheInputThatWroteThem() throws {
        let dir = RecordFixtures.scratch()
        var so = SessionOptions()
        so.interactive = true
        so.workingDirectory = dir
        let repl = ReplRecorder(runsFolder: dir + "/runs", seed: 0, workingDirectory: dir, host: RecordFixtures.host)
        so.runID = repl.id
        so.recordHooks = repl
        let session = Session(options: so, registry: registry())
        for input in ["let a = 1", "save_tensors(\"o.txt\", {a: a})"] {
            try repl.accepted(session.evaluate(input: input), session: session)
        }
        try repl.finish()
        let r = try RunStore.read(recordAt: dir + "/runs/\(repl.id)/record.json")
        XCTAssertEqual(r.artifacts.map(\.path), ["o.txt"])
        XCTAssertEqual(r.artifacts.map(\.cell), [1])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/runs/\(repl.id)/artifacts/o.txt"))
        var o = Replayer.options(for: r, host: .fixture)
        o.host.registry = registry()
        XCTAssertTrue(ReplayCompare.compare(recorded: r, fresh: try RecordRunner.run(o).record).isIdentical)
    }

    func testAnArtifactTheRecordCannotTakeFailsTheCell() throws {
        let dir = RecordFixtures.scratch()
        var o = RecordedRunOptions(notebookPath: "nb.kymo", text: Self.notebook, workingDirectory: dir, host: .fixture)
        o.runsFolder = dir + "/runs"
        o.host.registry = registry()
        o.onCellStart = { cell in
            // The run folder's artifacts/ turns into a file before the Save cell.
            guard cell.index == 1, let id = try? FileManager.default.contentsOfDirectory(atPath: dir + "/runs").first else { return }
            let artifacts = dir + "/runs/\(id)/artifacts"
            try? FileManager.default.removeItem(atPath: artifacts)
            _ = FileManager.default.createFile(atPath: artifacts, contents: Data("x".utf8))
        }
        let result = try RecordRunner.run(o)
        let r = try RunStore.read(recordAt: result.runFolder! + "/record.json")
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.cells.map(\.status), [.complete, .failed])
        XCTAssertTrue(r.cells[1].error?.contains("is not writable") ?? false, r.cells[1].error ?? "no error")
    }

    func testTrainingCallsGetCheckpointPlansAndExactSeries() throws {
        let dir = RecordFixtures.scratch()
        let store = RunStore(folder: dir + "/runs")
        let recorder = try RunRecorder(notebook: NotebookSource(path: "nb.kymo", workingDirectory: dir, text: "x"),
                                       seed: 0, overrides: [], store: store, host: RecordFixtures.host, randomScheme: 2)
        let book = MetricBook()
        let hooks = RunHooks(recorder: recorder, book: book)
        hooks.cell = 2
        let plan = hooks.beginTraining(totalSteps: 300)
        XCTAssertEqual(plan.name, "train1")
        XCTAssertEqual(plan.checkpointSeconds, RunHooks.checkpointInterval())
        XCTAssertEqual(plan.checkpointFile, store.runFolder(recorder.id) + "/checkpoints/train1.ckpt")
        XCTAssertNil(plan.resumeFrom)
        let loss: [Float] = [0.5, .nan, Float(bitPattern: 0x0000_0001), -0.0]
        try Data("step 30".utf8).write(to: URL(fileURLWithPath: plan.checkpointFile!))
        try hooks.trainingProgress(plan, series: TrainingSeries(steps: [1, 2, 3, 4], loss: loss, validationSteps: [4], validationLoss: [0.25]),
                                   step: 30, checkpointed: true)
        var r = try RunStore.read(recordAt: store.recordPath(recorder.id))
        XCTAssertEqual(r.checkpoints.map(\.site), ["train1"])
        XCTAssertEqual(r.checkpoints[0].step, 30)
        XCTAssertEqual(r.checkpoints[0].cell, 2)
        XCTAssertEqual(r.checkpoints[0].path, "checkpoints/train1.ckpt")
        XCTAssertEqual(r.checkpoints[0].sha256, RecordHash.hex(of: "step 30"))
        XCTAssertEqual(r.metrics.map(\.name), ["train1.loss", "train1.validation"])
        XCTAssertEqual(r.series(named: "train1.loss")?.values.bits.map { UInt32($0) }, loss.map(\.bitPattern))
        // A later checkpoint replaces the earlier one; a second call gets its own name.
        try Data("step 60".utf8).write(to: URL(fileURLWithPath: plan.checkpointFile!))
        try hooks.trainingProgress(plan, series: TrainingSeries(steps: [1, 2, 3, 4, 5], loss: loss + [0.125], validationSteps: [], validationLoss: []),
                                   step: 60, checkpointed: true)
        r = try RunStore.read(recordAt: store.recordPath(recorder.id))
        XCTAssertEqual(r.checkpoints.map(\.step), [60])
        XCTAssertEqual(r.series(named: "train1.loss")?.values.count, 5)
        // The wall-clock interval: one a minute unless KYMO_CHECKPOINT_SECONDS says otherwise (a bad value is ignored).
        XCTAssertEqual(RunHooks.checkpointInterval(environment: [:]), 60)
        XCTAssertEqual(RunHooks.checkpointInterval(environment: ["KYMO_CHECKPOINT_SECONDS": "0"]), 0)
        XCTAssertEqual(RunHooks.checkpointInterval(environment: ["KYMO_CHECKPOINT_SECONDS": "2.5"]), 2.5)
        XCTAssertEqual(RunHooks.checkpointInterval(environment: ["KYMO_CHECKPOINT_SECONDS": "-1"]), 60)
        XCTAssertEqual(RunHooks.checkpointInterval(environment: ["KYMO_CHECKPOINT_SECONDS": "soon"]), 60)
        // Resume: the plan of the interrupted call names its checkpoint.
        let resumed = RunHooks(recorder: recorder, book: MetricBook())
        resumed.resumePoints = ["train1": r.checkpoints[0]]
        let p = resumed.beginTraining(totalSteps: 300)
        XCTAssertEqual(p.resumeFrom, plan.checkpointFile)
        XCTAssertEqual(p.resumeStep, 60)
        // A replay (no store) takes no checkpoints.
        let memory = try RunRecorder(notebook: NotebookSource(path: "nb.kymo", workingDirectory: dir, text: "x"), seed: 0, overrides: [], store: nil, host: RecordFixtures.host, randomScheme: 2)
        XCTAssertNil(RunHooks(recorder: memory, book: MetricBook()).beginTraining(totalSteps: 10).checkpointFile)
    }
}
