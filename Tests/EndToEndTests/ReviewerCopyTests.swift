// A reviewer's checks on a COPY of the committed records (figures/), through
// the built `kymo`, run from the copy: a replay finds the inputs beside the
// record it replays (never at the recorded absolute paths, which exist on the
// machine that made them), so a deleted input folder is missing, not
// identical; a printed number edited in the record and resealed diverges
// with "same numerics version: this should have been identical" and no
// excuse; an input edited and resealed in the copy is named as changed;
// `kymo report` shows only sealed verdicts that check out against the record
// and lists a hand-written or edited one as not shown; `kymo runs verify`
// says what it checked and what that does not prove.
import Foundation
import XCTest
import Records
import TestSupport

final class ReviewerCopyTests: KymoTestCase {

    static let figures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("figures").path

    override func setUpWithError() throws {
        try super.setUpWithError()
        kymoEnvironment = ["XDG_CONFIG_HOME": dir + "/config"]
        // The records only (not the PDFs), as a reviewer would receive them.
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/figures", withIntermediateDirectories: true)
        for part in ["paper-figures-run", "paper-sweep"] {
            try fm.copyItem(atPath: Self.figures + "/" + part, toPath: dir + "/figures/" + part)
        }
        for junk in ((try? fm.contentsOfDirectory(atPath: dir + "/figures/paper-figures-run")) ?? []) where junk.hasPrefix("replay-") {
            try fm.removeItem(atPath: dir + "/figures/paper-figures-run/" + junk)
        }
    }

    var run: String { dir + "/figures/paper-figures-run" }

    func recordedPathsExistHere() throws -> Bool {
        let r = try RunStore.read(recordAt: run + "/record.json")
        return (r.inputs ?? []).allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }

    func testADeletedInputFolderIsMissingNotIdentical() throws {
        try FileManager.default.removeItem(atPath: dir + "/figures/paper-sweep")
        let r = try kymo(["replay", "figures/paper-figures-run"])
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertFalse(r.out.contains("identical"), r.out)
        XCTAssertTrue(r.err.contains("inputs: 0 of 10 found"), r.err)
        XCTAssertTrue(r.err.contains("figures/paper-sweep/sweep-0335bdf97a13/sweep.json is missing"), r.err)
        // With the originals at their recorded paths (the checkout this was recorded in), asked for explicitly:
        if try recordedPathsExistHere() {
            let at = try kymo(["replay", "figures/paper-figures-run", "--inputs-at-recorded-paths", "--fail-fast"])
            XCTAssertTrue(at.err.contains("inputs: 10 of 10 found"), at.err)
            XCTAssertTrue(at.err.contains("found at its recorded path"), at.err)
        }
    }

    func testAnEditedPrintedNumberDivergesWithoutExcuseAndReportShowsOnlyRealVerdicts() throws {
        var record = try RunStore.read(recordAt: run + "/record.json")
        let cell = try XCTUnwrap(record.cells.firstIndex { $0.output.contains("0.034319") })
        let output = record.cells[cell].output
        let at = try XCTUnwrap(output.range(of: "0.034319"))
        record.cells[cell].output = output.replacingCharacters(in: at, with: "0.034312")
        try RecordSeal.fileBytes(&record).write(to: URL(fileURLWithPath: run + "/record.json"))
        let r = try kymo(["replay", "figures/paper-figures-run"])
        XCTAssertEqual(r.status, 3, r.out + r.err)
        XCTAssertTrue(r.out.hasPrefix("diverged at cell \(cell) \"%% \(record.cells[cell].title!)\": printed output differs"), r.out)
        XCTAssertTrue(r.out.contains("same numerics version (kymo-numerics-2): this should have been identical"), r.out)
        for excuse in ["explained", "drift", "BLAS", "kernels round"] { XCTAssertFalse(r.out.contains(excuse), "\(excuse) in\n\(r.out)") }
        // Every input was found beside the record, in the copy.
        XCTAssertTrue(r.err.contains("inputs: 10 of 10 found"), r.err)
        XCTAssertEqual(r.err.components(separatedBy: "found beside the record (\(dir!)/figures/paper-sweep/").count - 1, 10, r.err)
        XCTAssertTrue(r.err.contains("working folder: figures/paper-figures-run/replay-1/files"), r.err)
        let verdict = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/replay-1/verdict.json"))) as? [String: Any]
        XCTAssertEqual(verdict?["verdict"] as? String, "diverged")
        XCTAssertEqual((verdict?["record"] as? [String: Any])?["seal"] as? String, record.seal)
        XCTAssertEqual(verdict?["unexplained"] as? Bool, true)
        XCTAssertEqual((verdict?["seal"] as? String)?.count, 64)

        // A hand-written verdict, and the real one edited to say identical: neither is shown as a replay.
        try FileManager.default.createDirectory(atPath: run + "/replay-7", withIntermediateDirectories: true)
        try #"{"verdict": "identical", "summary": "compared 3 cells", "at": "2026-12-01T00:00:00Z", "threads": 1}"#
            .write(toFile: run + "/replay-7/verdict.json", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: run + "/replay-1", toPath: run + "/replay-8")
        let real = try String(contentsOfFile: run + "/replay-8/verdict.json", encoding: .utf8)
        try real.replacingOccurrences(of: "\"verdict\" : \"diverged\"", with: "\"verdict\" : \"identical\"")
            .write(toFile: run + "/replay-8/verdict.json", atomically: true, encoding: .utf8)
        let report = try kymo(["report", "figures/paper-figures-run", "-o", "report.html"])
        XCTAssertEqual(report.status, 0, report.err)
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Replays (1)</h2>"), html)
        XCTAssertTrue(html.contains("<td>replay-1</td>"), html)
        XCTAssertFalse(html.contains("<td>replay-7</td>"), html)
        XCTAssertFalse(html.contains("<td>replay-8</td>"), html)
        XCTAssertTrue(html.contains("replay-7/verdict.json: not a sealed verdict"), html)
        XCTAssertTrue(html.contains("replay-8/verdict.json: its seal does not match its content"), html)
        XCTAssertTrue(html.contains("seal intact, unsigned"), html)
        // runs verify: the seal, no signature, no identical replay, and what that does not prove.
        let verify = try kymo(["runs", "verify", "figures/paper-figures-run"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
        XCTAssertTrue(verify.out.contains("complete  seal intact, unsigned\n"), verify.out)
        XCTAssertTrue(verify.out.contains("replay-7/verdict.json does not count"), verify.out)
        XCTAssertTrue(verify.out.contains("Neither shows that the numbers are right"), verify.out)
    }

    func testAnEditedAndResealedInputInTheCopyIsNamedAsChanged() throws {
        let point = "20261202-000947-0f6942"
        let path = dir + "/figures/paper-sweep/\(point)/record.json"
        var record = try RunStore.read(recordAt: path)
        record.cells[record.cells.count - 1].output += " "
        try RecordSeal.fileBytes(&record).write(to: URL(fileURLWithPath: path))
        let r = try kymo(["replay", "figures/paper-figures-run", "--fail-fast"])
        XCTAssertNotEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.err.contains("inputs: 9 of 10 found"), r.err)
        XCTAssertTrue(r.err.contains("figures/paper-sweep/\(point)/record.json changed: recorded sha256"), r.err)
        XCTAssertTrue(r.err.contains("beside the record \(path) has"), r.err)
        // runs verify on the sweep: seals intact, all nine points unsigned.
        let verify = try kymo(["runs", "verify", "sweep-0335bdf97a13", "--runs", "figures/paper-sweep"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
        XCTAssertEqual(verify.out.components(separatedBy: "seal intact, unsigned").count - 1, 9, verify.out)
    }
}
