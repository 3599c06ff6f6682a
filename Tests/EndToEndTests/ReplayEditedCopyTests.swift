// `kymo replay RUN --notebook FILE` through the built `kymo`: an error in the
// edited copy points at FILE (not at the recorded notebook's name), and the
// differences it causes are explained by the edit; an input difference is
// placed in its cell by that cell's title.
import Foundation
import XCTest
import Records
import TestSupport

final class ReplayEditedCopyTests: XCTestCase {
    func testErrorsInAnEditedCopyPointAtItAndTheEditExplainsTheDifferences() throws {
        let binary = try KymoBinary.require()
        let dir = RecordFixtures.scratch()
        try "%% Setup\nlet a = 2\n%% Use\nlog(\"b\", a * 3)\nprint(a * 3)\n".write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let run = try KymoBinary.execute(binary, ["run", "nb.kymo"], in: dir)
        XCTAssertEqual(run.status, 0, run.out + run.err)
        let id = try XCTUnwrap(RunStore(folder: dir + "/runs").runIDs().first)
        // A name error in the copy: named at evil.kymo's line and column.
        try "%% Setup\nlet a = 2\n%% Use\nlog(\"b\", a * undefined_name)\nprint(a * 3)\n".write(toFile: dir + "/evil.kymo", atomically: true, encoding: .utf8)
        let bad = try KymoBinary.execute(binary, ["replay", id, "--notebook", "evil.kymo"], in: dir)
        XCTAssertEqual(bad.status, 3, bad.out + bad.err)
        XCTAssertTrue(bad.out.contains("evil.kymo:4:14: error: unknown name 'undefined_name'"), bad.out)
        XCTAssertFalse(bad.out.contains("nb.kymo:4:14"), bad.out)
        // A numeric edit: explained by the edit, from its cell on.
        try "%% Setup\nlet a = 2\n%% Use\nlog(\"b\", a * 4)\nprint(a * 3)\n".write(toFile: dir + "/four.kymo", atomically: true, encoding: .utf8)
        let four = try KymoBinary.execute(binary, ["replay", id, "--notebook", "four.kymo"], in: dir)
        XCTAssertEqual(four.status, 3, four.out + four.err)
        XCTAssertTrue(four.out.contains("cell 1 \"%% Use\": metric 'b' at step 1: recorded 6.0, now 8.0 — explained by the edited notebook text (cell 1 on)"), four.out)
        XCTAssertFalse(four.out.contains("should have been identical"), four.out)
    }

    func testAnInputDifferenceIsPlacedByItsCellsTitle() {
        var a = RecordFixtures.record()
        a.inputs = [InputRecord(name: "s.json", path: "/x/s.json", kind: "sweep", cell: 0, size: 1, sha256: String(repeating: "1", count: 64))]
        var b = a
        b.inputs = [InputRecord(name: "s.json", path: "/y/s.json", kind: "sweep", cell: 0, size: 1, sha256: String(repeating: "2", count: 64))]
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.differences.first?.place, "cell 0 \"%% Data\"", report.render())
    }
}
