// Record store: atomic updates survive a crash mid-write, hand-edited,
// truncated and newer-format records are refused with clear messages, a
// `running` record whose process is gone reads as `interrupted`, an
// unwritable runs folder fails before anything runs, runs resolve by id,
// prefix or path, and the listing shows them.
import Foundation
import KymoBase
import XCTest
import TestSupport
@testable import Records

final class RecordStoreTests: XCTestCase {
    func makeStore(_ name: String = #function) -> RunStore {
        RunStore(folder: RecordFixtures.scratch(name) + "/runs")
    }

    func stored(_ store: RunStore, _ record: RunRecord) throws -> RunRecord {
        var r = record
        try store.prepare()
        try store.createRunFolder(for: &r, start: Date())
        try store.write(&r)
        return r
    }

    func testWriteThenReadGivesTheSameRecord() throws {
        let store = makeStore()
        let r = try stored(store, RecordFixtures.record())
        XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(r.id)), r)
        let text = try String(contentsOfFile: store.recordPath(r.id), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("{\n") && text.hasSuffix("}\n"))
        XCTAssertTrue(text.contains("\"format\" : 2"))
    }

    func testCrashMidWriteLeavesThePreviousRecord() throws {
        let store = makeStore()
        let first = try stored(store, RecordFixtures.record())
        var second = first
        second.cells[1].output = String(repeating: "a much longer output line\n", count: 200_000)   // > 1 MiB: several write calls
        struct Crash: Error {}
        for (crashes, stage) in [AtomicFile.Stage.partlyWritten, .beforeRename].enumerated() {
            var r = second
            let data = try RecordSeal.fileBytes(&r)
            XCTAssertThrowsError(try RunStore.writeAtomically(data, to: store.recordPath(first.id)) { s in
                if s == stage { throw Crash() }
            })
            // Each dead writer's temporary file is there (names never clash); the record is the previous one, intact.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.runFolder(first.id)).filter { $0.contains(".tmp-") }
            XCTAssertEqual(leftovers.count, crashes + 1, "\(stage)")
            XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(first.id)), first, "\(stage)")
        }
        // The next successful write replaces it.
        try store.write(&second)
        XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(first.id)).cells[1].output, second.cells[1].output)
    }

    func testHandEditedRecordIsRefused() throws {
        let store = makeStore()
        let r = try stored(store, RecordFixtures.record())
        let path = store.recordPath(r.id)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("\"seed\" : 7"))
        try text.replacingOccurrences(of: "\"seed\" : 7", with: "\"seed\" : 8").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunStore.read(recordAt: path)) { e in
            XCTAssertEqual(e as? RecordError, .handEdited(path: path))
            XCTAssertTrue("\(e)".contains("edited by hand"), "\(e)")
        }
        // Reformatting alone (whitespace) is not an edit.
        try text.replacingOccurrences(of: "\n", with: "\n  ").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try RunStore.read(recordAt: path), r)
    }

    func testNewerFormatIsRefusedBeforeAnythingElse() throws {
        let store = makeStore()
        let r = try stored(store, RecordFixtures.record())
        let path = store.recordPath(r.id)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"format\" : 2", with: "\"format\" : 3").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunStore.read(recordAt: path)) { e in
            XCTAssertEqual(e as? RecordError, .newerFormat(path: path, found: 3, supported: 2))
            XCTAssertTrue("\(e)".contains("use a newer Kymo"))
        }
    }

    func testTruncatedRecordIsRefused() throws {
        let store = makeStore()
        let r = try stored(store, RecordFixtures.record())
        let path = store.recordPath(r.id)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [1, data.count / 3, data.count / 2, data.count - 3] {
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try RunStore.read(recordAt: path), "cut at \(cut)") { e in
                XCTAssertEqual(e as? RecordError, .truncated(path: path))
            }
        }
        try Data().write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try RunStore.read(recordAt: path)) { e in XCTAssertEqual(e as? RecordError, .truncated(path: path)) }
    }

    func testNotARecordIsRefused() throws {
        XCTAssertThrowsError(try RunStore.decode(Data("[1, 2]".utf8), path: "a.json")) { e in
            XCTAssertEqual(e as? RecordError, .invalid(path: "a.json", detail: "not a JSON object"))
        }
        XCTAssertThrowsError(try RunStore.decode(Data("{\"format\": 1}".utf8), path: "b.json")) { e in
            guard case .invalid(_, let detail)? = e as? RecordError else { return XCTFail("\(e)") }
            XCTAssertTrue(detail.contains("is missing"), detail)
        }
    }

    func testRunningRecordOfADeadProcessReadsAsInterrupted() throws {
        let store = makeStore()
        var r = RecordFixtures.record()
        r.status = .running
        r.endedAt = nil
        // This process, alive.
        r.process = ProcessCheck.current()
        r = try stored(store, r)
        XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(r.id)).status, .running)
        // A process that has exited.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        r.process = ProcessStamp(pid: p.processIdentifier, host: ProcessCheck.hostName(), startTicks: 12345)
        try store.write(&r)
        XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(r.id)).status, .interrupted)
        // This pid, but another process start (the pid was recycled).
        r.process = ProcessStamp(pid: getpid(), host: ProcessCheck.hostName(), startTicks: (ProcessCheck.startTicks(getpid()) ?? 0) + 1)
        try store.write(&r)
        XCTAssertEqual(try RunStore.read(recordAt: store.recordPath(r.id)).status, .interrupted)
    }

    func testUnwritableRunsFolderFailsCleanly() throws {
        let base = RecordFixtures.scratch()
        try Data("x".utf8).write(to: URL(fileURLWithPath: base + "/afile"))
        let store = RunStore(folder: base + "/afile/runs")
        XCTAssertThrowsError(try store.prepare()) { e in
            guard case .notWritable(let folder, _)? = e as? RecordError else { return XCTFail("\(e)") }
            XCTAssertEqual(folder, base + "/afile/runs")
            XCTAssertTrue("\(e)".contains("--runs DIR"))
        }
        XCTAssertThrowsError(try RunRecorder(notebook: NotebookSource(path: "nb.kymo", workingDirectory: base, text: ""),
                                             seed: 0, overrides: [], store: store, host: RecordFixtures.host, randomScheme: 2))
        // More space than any disk has.
        let ok = makeStore()
        XCTAssertThrowsError(try ok.prepare(needing: Int64.max / 2)) { e in
            guard case .diskFull? = e as? RecordError else { return XCTFail("\(e)") }
        }
    }

    /// Paths in messages read back in a shell: quoted when they hold a space or a quote.
    func testPathsInMessagesAreQuotedWhenNeeded() {
        XCTAssertEqual(TerminalText.quotedPath("/tmp/runs/20260101-000000-aaaaaa"), "/tmp/runs/20260101-000000-aaaaaa")
        XCTAssertEqual(TerminalText.quotedPath("/tmp/my runs/x"), "'/tmp/my runs/x'")
        XCTAssertEqual(TerminalText.quotedPath("it's"), "'it'\\''s'")
        XCTAssertEqual(TerminalText.quotedPath("/tmp/é/ü"), "/tmp/é/ü")
    }

    /// A resumed run's duration is the time its cells ran, not the span that includes the hours it lay interrupted.
    func testResumedRunDurationLeavesOutTheGap() {
        var r = RecordFixtures.record()
        r.startedAt = "2026-01-01T00:00:00.000Z"
        r.endedAt = "2026-01-01T03:00:00.000Z"
        for i in r.cells.indices { r.cells[i].duration = 1.5 }
        let cells = 1.5 * Double(r.cells.count)
        XCTAssertEqual(RunListing.activeSeconds(r), 3 * 3600)
        r.resumes = [ResumeStamp(at: "2026-01-01T02:59:00.000Z", cell: 0, step: nil, environment: r.environment)]
        XCTAssertEqual(RunListing.activeSeconds(r), cells)
    }

    func testRunsResolveByIdPrefixAndPath() throws {
        let store = makeStore()
        var a = RecordFixtures.record(); a.id = "20260101-000000-aaaaaa"
        var b = RecordFixtures.record(); b.id = "20260101-000000-aaabbb"
        var c = RecordFixtures.record(); c.id = "20260102-000000-cccccc"
        for r in [a, b, c] {
            var x = r
            try store.prepare()
            try store.createRunFolder(for: &x, start: Date())
            XCTAssertEqual(x.id, r.id)
            try store.write(&x)
        }
        XCTAssertEqual(try store.resolve("20260101-000000-aaabbb"), store.runFolder(b.id))
        XCTAssertEqual(try store.resolve("20260102"), store.runFolder(c.id))
        XCTAssertEqual(try store.resolve(store.runFolder(a.id)), store.runFolder(a.id))
        XCTAssertEqual(try store.resolve(store.recordPath(a.id)), store.runFolder(a.id))
        XCTAssertThrowsError(try store.resolve("20260101-000000-aa")) { e in
            XCTAssertEqual(e as? RecordError, .ambiguous(reference: "20260101-000000-aa", candidates: [a.id, b.id]))
        }
        XCTAssertThrowsError(try store.resolve("2027")) { e in
            guard case .notFound? = e as? RecordError else { return XCTFail("\(e)") }
        }
        // Run handles: a unique part of an id (the random suffix), `last`, `last~N`.
        XCTAssertEqual(try store.resolve("cccccc"), store.runFolder(c.id))
        XCTAssertEqual(try store.resolve("abbb"), store.runFolder(b.id))
        XCTAssertEqual(try store.resolve("last"), store.runFolder(c.id))
        XCTAssertEqual(try store.resolve("last~0"), store.runFolder(c.id))
        XCTAssertEqual(try store.resolve("last~2"), store.runFolder(a.id))
        XCTAssertThrowsError(try store.resolve("last~3")) { e in
            guard case .notFound? = e as? RecordError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try store.resolve("aaa")) { e in
            XCTAssertEqual(e as? RecordError, .ambiguous(reference: "aaa", candidates: [a.id, b.id]))
        }
        // Across folders, `last` is the newest of all of them.
        let other = makeStore()
        var e = RecordFixtures.record(); e.id = "20260103-000000-eeeeee"
        try other.prepare()
        try other.createRunFolder(for: &e, start: Date())
        try other.write(&e)
        XCTAssertEqual(try RunStore.resolve("last", in: [store, other]), other.runFolder(e.id))
        XCTAssertEqual(try RunStore.resolve("last~1", in: [store, other]), store.runFolder(c.id))
        XCTAssertEqual(try RunStore.resolve("eeee", in: [store, other]), other.runFolder(e.id))
        // Two runs in the same second: `last` is the one that started later, whatever their random suffixes.
        var early = RecordFixtures.record(); early.id = "20260104-000000-ffffff"; early.startedAt = "2026-01-04T00:00:00.100Z"
        var late = RecordFixtures.record(); late.id = "20260104-000000-000000"; late.startedAt = "2026-01-04T00:00:00.900Z"
        for var r in [early, late] {
            try other.createRunFolder(for: &r, start: Date())
            try other.write(&r)
        }
        XCTAssertEqual(try RunStore.resolve("last", in: [store, other]), other.runFolder(late.id))
        XCTAssertEqual(try RunStore.resolve("last~1", in: [store, other]), other.runFolder(early.id))
        // A taken id gets a fresh one.
        var d = a
        try store.createRunFolder(for: &d, start: Date())
        XCTAssertNotEqual(d.id, a.id)
        XCTAssertTrue(RunID.isWellFormed(d.id), d.id)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.runFolder(d.id) + "/artifacts"))
    }

    func testListingShowsEveryRunAndWhyOneIsUnreadable() throws {
        let store = makeStore()
        var a = RecordFixtures.record(); a.id = "20260101-000000-aaaaaa"
        var b = RecordFixtures.record(loss: [1, 0.5]); b.id = "20260102-000000-bbbbbb"; b.seed = 3
        for r in [a, b] {
            var x = r
            try store.prepare()
            try store.createRunFolder(for: &x, start: Date())
            try store.write(&x)
        }
        let bad = store.runFolder("20260103-000000-dddddd")
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try Data("{\"format\": 1, \"id\": ".utf8).write(to: URL(fileURLWithPath: bad + "/record.json"))
        let table = RunListing.table(store.list(), base: "/tmp")   // the fixtures ran nb.kymo in /tmp
        let lines = table.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, table)
        XCTAssertTrue(lines[0].hasPrefix("id "), table)
        XCTAssertEqual(lines[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init),
                       ["20260101-000000-aaaaaa", "nb.kymo", "complete", "7", "steps=4", "loss=0.0625", "2.5s", "unsigned"], "the overrides tell runs apart")
        XCTAssertEqual(lines[2].split(separator: " ", omittingEmptySubsequences: true).map(String.init),
                       ["20260102-000000-bbbbbb", "nb.kymo", "complete", "3", "steps=4", "loss=0.5", "2.5s", "unsigned"])
        XCTAssertTrue(lines[3].hasPrefix("20260103-000000-dddddd") && lines[3].contains("unreadable"), table)
        XCTAssertTrue(lines[4].contains("truncated"), table)
        XCTAssertEqual(RunListing.table([]), "no runs recorded yet\n")
    }

    func testTheNotebookColumnIsThePathFromTheReadersFolder() {
        // The same notebook, run once from its own folder and once from the one above.
        var here = RecordFixtures.record()
        here.notebook = NotebookSource(path: "nb.kymo", workingDirectory: "/work/exp", text: "")
        var above = RecordFixtures.record()
        above.notebook = NotebookSource(path: "exp/./nb.kymo", workingDirectory: "/work", text: "")
        for r in [here, above] {
            XCTAssertEqual(RunListing.notebookPath(r, from: "/work"), "exp/nb.kymo")
            XCTAssertEqual(RunListing.notebookPath(r, from: "/work/exp/"), "nb.kymo")
            XCTAssertEqual(RunListing.notebookPath(r, from: "/elsewhere"), "/work/exp/nb.kymo")
        }
        var up = RecordFixtures.record()
        up.notebook = NotebookSource(path: "../nb.kymo", workingDirectory: "/work/exp/sub", text: "")
        XCTAssertEqual(RunListing.notebookPath(up, from: "/work/exp"), "nb.kymo")
        // A REPL session has no notebook file: its name stays.
        var repl = RecordFixtures.record()
        repl.kind = .repl
        repl.notebook = NotebookSource(path: "repl", workingDirectory: "/work", text: "")
        XCTAssertEqual(RunListing.notebookPath(repl, from: "/elsewhere"), "repl")
    }
}
