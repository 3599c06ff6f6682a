// Replaying a stranger's record through the Session: writes are confined to
// the replay folder (absolute paths, `..`, a symlink in the notebook folder
// pointing out all land inside it, checked by listing), reads outside the
// inputs and the data folder are refused, every file read is recorded as an
// input and a changed one is named, a missing one stops the replay before
// any cell; digits moved to another data folder replay identical; the first
// difference is reported when its cell finishes, while later cells still run.
import Foundation
import XCTest
import Records
import TestSupport
import TensorEngine
import Datasets
@testable import KymoLanguage
@testable import Notebook

final class ReplaySafetyTests: XCTestCase {
    var dir: String!

    override func setUp() { dir = RecordFixtures.scratch(name) }

    func run(_ text: String, in wd: String) throws -> RecordedRunResult {
        var o = RecordedRunOptions(notebookPath: "nb.kymo", text: text, workingDirectory: wd, host: .fixture)
        o.runsFolder = dir + "/runs"
        let r = try RecordRunner.run(o)
        XCTAssertEqual(r.record.status, .complete, r.results.flatMap(\.diagnostics).map(DiagnosticFormatter.render).joined())
        return r
    }

    func listing(_ path: String) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func testEscapingWritesStayInsideTheReplayFolder() throws {
        let wd = dir + "/nb", outside = dir + "/outside", other = dir + "/other"
        for d in [wd, outside, other] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try FileManager.default.createSymbolicLink(atPath: wd + "/link", withDestinationPath: outside)
        let text = """
        %% Save
        let t = {w: ones([2, 2])}
        save_tensors("\(other)/evil; echo PWNED #.safetensors", t)
        save_tensors("../outside/up.safetensors", t)
        save_tensors("link/through.safetensors", t)
        save_tensors("ok.safetensors", t)
        let back = load_tensors("ok.safetensors")
        print(back.w.sum().item())
        """
        let recorded = try run(text, in: wd)
        XCTAssertEqual(recorded.record.artifacts.count, 4)
        XCTAssertEqual(listing(outside), ["through.safetensors", "up.safetensors"])   // the author's own run wrote there
        // A reader replays: nothing may appear outside the replay folder.
        for d in [outside, other] { for f in listing(d) { try FileManager.default.removeItem(atPath: d + "/" + f) } }
        try FileManager.default.removeItem(atPath: wd + "/ok.safetensors")
        let before = listing(wd)
        let folder = try Replayer.makeReplayFolder(runFolder: recorded.runFolder!)
        XCTAssertTrue(folder.hasSuffix("/replay-1"))
        let (report, _) = try Replayer.run(recorded.record, host: .fixture, .with { $0.replayFolder = folder })
        XCTAssertEqual(report.verdict, .identical, report.render())
        XCTAssertEqual(listing(outside), [])
        XCTAssertEqual(listing(other), [])
        XCTAssertEqual(listing(wd), before)
        let inside = listing(folder + "/files")
        XCTAssertTrue(inside.contains("ok.safetensors"), "\(inside)")
        XCTAssertTrue(inside.contains("_up/outside/up.safetensors"), "\(inside)")
        XCTAssertTrue(inside.contains("link/through.safetensors"), "\(inside)")
        XCTAssertTrue(inside.contains { $0.hasPrefix("_root/") && $0.hasSuffix("evil; echo PWNED #.safetensors") }, "\(inside)")
        // Restoring into a folder the reader names puts back only relative paths, through no symlink.
        let restored = Replayer.restoreArtifacts(record: recorded.record, fresh: recorded.record, replayFolder: folder, into: wd)
        XCTAssertTrue(restored.contains { $0.hasPrefix("restored ok.safetensors") }, "\(restored)")
        XCTAssertEqual(restored.filter { $0.hasPrefix("restored") }.count, 1, "\(restored)")
        XCTAssertEqual(listing(outside), [])
        XCTAssertEqual(listing(other), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: wd + "/ok.safetensors"))
    }

    func testAConfinedSessionRefusesToReadOutside() throws {
        let secret = dir + "/secret.safetensors"
        try Safetensors.write(SafetensorsFile(tensors: [("k", try Tensor([1], shape: [1]))]), path: secret)
        var options = SessionOptions()
        options.workingDirectory = dir
        options.paths = .confined(writeRoot: dir + "/root", readableFiles: [], readableFolders: [dir + "/data"])
        try FileManager.default.createDirectory(atPath: dir + "/root", withIntermediateDirectories: true)
        let session = Session(options: options)
        let r = session.evaluate(input: "let s = load_tensors(\"secret.safetensors\")")
        XCTAssertEqual(r.status, .failed)
        let message = r.diagnostics.map(DiagnosticFormatter.render).joined()
        XCTAssertTrue(message.contains("refusing to read \(secret)"), message)
        // A symlink inside a readable folder that points out is refused too (reads resolve links).
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/data/link.safetensors", withDestinationPath: secret)
        let viaLink = session.evaluate(input: "let l = load_tensors(\"data/link.safetensors\")")
        XCTAssertEqual(viaLink.status, .failed)
        XCTAssertTrue(viaLink.diagnostics.map(DiagnosticFormatter.render).joined().contains("refusing to read"))
        // A real file in the data folder reads.
        try FileManager.default.copyItem(atPath: secret, toPath: dir + "/data/ok.safetensors")
        XCTAssertEqual(session.evaluate(input: "let ok = load_tensors(\"data/ok.safetensors\")").status, .complete)
    }

    func testAREPLLoadIsRecordedAsAnInputButNotNeededToReplay() throws {
        let nb = dir + "/loaded.kymo"
        try "let x = 1\n".write(toFile: nb, atomically: true, encoding: .utf8)
        let recorder = ReplRecorder(runsFolder: dir + "/runs", seed: 0, workingDirectory: dir, host: RecordFixtures.host)
        var options = SessionOptions()
        options.recordHooks = recorder
        options.interactive = true
        let session = Session(options: options)
        try recorder.notebookLoaded(path: nb)
        try recorder.accepted(session.evaluate(input: "let x = 1"), session: session)
        try recorder.finish()
        let record = try XCTUnwrap(recorder.record)
        XCTAssertEqual(record.inputs?.map(\.kind), ["notebook"])
        XCTAssertEqual(record.inputs?.first?.sha256, RecordHash.hex(of: "let x = 1\n"))
        try FileManager.default.removeItem(atPath: nb)
        let (report, _) = try Replayer.run(record, host: .fixture)
        XCTAssertEqual(report.verdict, .identical, report.render())
    }

    func testInputsAreRecordedAndAChangedOneIsNamed() throws {
        let wd = dir + "/nb"
        try FileManager.default.createDirectory(atPath: wd, withIntermediateDirectories: true)
        try Safetensors.write(SafetensorsFile(tensors: [("w", try Tensor([1, 2], shape: [2]))]), path: wd + "/in.safetensors")
        let text = """
        %% Load
        let t = load_tensors("in.safetensors")
        let again = load_tensors("in.safetensors")
        %% Use
        print(t.w.sum().item())
        """
        let recorded = try run(text, in: wd)
        let inputs = recorded.record.inputs ?? []
        XCTAssertEqual(inputs.count, 1)   // hashed and recorded once per file
        XCTAssertEqual(inputs.first?.name, "in.safetensors")
        XCTAssertEqual(inputs.first?.kind, "tensors")
        XCTAssertEqual(inputs.first?.sha256, try RecordHash.file(at: wd + "/in.safetensors").sha256)
        XCTAssertTrue(RunListing.show(recorded.record, folder: nil).contains("in.safetensors  tensors"))
        // The input lies in nb/, not beside the record (runs/<id>): missing unless the reader says where.
        let runFolder = recorded.runFolder!
        XCTAssertEqual(InputSearch(recordFolder: runFolder, currentDirectory: dir, dataDirectories: []).check(recorded.record).map(\.state),
                       [.missing])
        let fromNB = InputSearch(recordFolder: runFolder, currentDirectory: dir, inputsFrom: [wd], dataDirectories: [])
        XCTAssertEqual(fromNB.check(recorded.record).first?.place, "under --inputs-from \(wd)")
        // Changed: a confined replay refuses it before any cell runs …
        try Safetensors.write(SafetensorsFile(tensors: [("w", try Tensor([1, 3], shape: [2]))]), path: wd + "/in.safetensors")
        let folder = try Replayer.makeReplayFolder(runFolder: runFolder)
        var began = 0
        XCTAssertThrowsError(try Replayer.run(recorded.record, host: .fixture, .with {
            $0.onCellStart = { _ in began += 1 }; $0.replayFolder = folder; $0.inputs = fromNB })) { e in
            XCTAssertTrue("\(e)".contains("input changed before the replay: in.safetensors changed"), "\(e)")
            XCTAssertTrue("\(e)".contains("--allow-changed-inputs"), "\(e)")
        }
        XCTAssertEqual(began, 0)
        // … and, allowed, names it before the replay runs and explains what follows by it.
        let (report, _) = try Replayer.run(recorded.record, host: .fixture, .with {
            $0.replayFolder = folder; $0.allowChangedInputs = true; $0.inputs = fromNB })
        XCTAssertEqual(report.verdict, .diverged)
        let text2 = report.render()
        XCTAssertTrue(text2.contains("input changed before the replay: in.safetensors changed"), text2)
        XCTAssertTrue(text2.contains("explained by the changed input in.safetensors"), text2)
        // Missing: refused before any cell runs, naming it.
        try FileManager.default.removeItem(atPath: wd + "/in.safetensors")
        var started = 0
        XCTAssertThrowsError(try Replayer.run(recorded.record, host: .fixture, .with { $0.onCellStart = { _ in started += 1 } })) { e in
            XCTAssertTrue("\(e)".contains("in.safetensors is missing"), "\(e)")
        }
        XCTAssertEqual(started, 0)
    }

    func testDigitsInAnotherDataFolderReplayIdentical() throws {
        guard let source = Digits.findDataFile(Digits.csvName) else {
            throw missingInCI("no \(Digits.csvName) in data/ or the user data folder (kymo data fetch)")
        }
        let a = dir + "/a/data", b = dir + "/b/elsewhere"
        for d in [a, b] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: source, toPath: a + "/mnist_5k.csv.gz")
        let text = """
        %% Data
        let data = moving_mnist(train: 4, test: 2, frames: 3, size: 32)
        print(data.train)
        %% Use
        print(data.test[0].sum().item())
        """
        let saved = ProcessInfo.processInfo.environment["KYMO_DATA"]
        defer { if let saved { setenv("KYMO_DATA", saved, 1) } else { unsetenv("KYMO_DATA") } }
        setenv("KYMO_DATA", a, 1)
        let recorded = try run(text, in: dir)
        let output = recorded.record.cells[0].output
        XCTAssertFalse(output.contains(dir), output)
        XCTAssertTrue(output.contains("mnist_5k.csv.gz sha256:"), output)
        XCTAssertEqual(recorded.record.inputs?.map(\.kind), ["digits"])
        try FileManager.default.moveItem(atPath: a + "/mnist_5k.csv.gz", toPath: b + "/mnist_5k.csv.gz")
        setenv("KYMO_DATA", b, 1)
        let folder = try Replayer.makeReplayFolder(runFolder: recorded.runFolder!)
        let (report, _) = try Replayer.run(recorded.record, host: .fixture, .with { $0.replayFolder = folder })   // KYMO_DATA=b
        XCTAssertEqual(report.verdict, .identical, report.render())
    }

    func testTheFirstDifferenceIsReportedWhileLaterCellsStillRun() throws {
        let text = """
        %% A
        let a = 1
        %% B
        let b = 2
        %% C
        let c = 3
        %% D
        let d = 4
        log("d", 0.5)
        %% E
        print("e")
        """
        let recorded = try run(text, in: dir)
        let edited = text.replacingOccurrences(of: "log(\"d\", 0.5)", with: "log(\"d\", 0.75)")
        var events: [String] = []
        let (report, _) = try Replayer.run(recorded.record, host: .fixture, .with {
            $0.text = edited
            $0.onCellStart = { events.append("start \($0.index)") }
            $0.onDifference = { events.append("difference \($0.cell ?? -1)") }
        })
        XCTAssertEqual(events, ["start 0", "start 1", "start 2", "start 3", "difference 3", "start 4"])
        XCTAssertEqual(report.verdict, .diverged)
        XCTAssertEqual(report.divergence?.cell, 3)
        XCTAssertEqual(report.comparedCells, 5)
        XCTAssertEqual(report.counts[.values], CategoryCount(identical: 4, differing: 0))
        XCTAssertEqual(report.counts[.metrics], CategoryCount(identical: 0, differing: 1))
        XCTAssertEqual(report.counts[.output], CategoryCount(identical: 1, differing: 0))
        let lines = report.categoryLines.joined(separator: "\n")
        for c in ["printed lines", "values", "metric series", "artifacts", "inputs"] { XCTAssertTrue(lines.contains(c), lines) }
        // --fail-fast: stops at the first difference.
        events = []
        let (fast, fresh) = try Replayer.run(recorded.record, host: .fixture, .with {
            $0.text = edited; $0.onCellStart = { events.append("start \($0.index)") }; $0.failFast = true })
        XCTAssertEqual(events, ["start 0", "start 1", "start 2", "start 3"])
        XCTAssertEqual(fresh.record.cells.count, 4)
        XCTAssertEqual(fast.verdict, .diverged)
        XCTAssertTrue(fast.notes.contains { $0.contains("--fail-fast") }, fast.render())
    }
}
