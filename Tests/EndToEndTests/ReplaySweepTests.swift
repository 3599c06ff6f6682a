// `kymo replay sweep-<id>` through the built `kymo`: a generated 2 × 2 sweep
// of a tiny notebook replays point by point (two at a time), one verdict
// per point and one for the sweep (identical, exit 0), each point's sealed
// verdict.json beside its record and the sweep's in sweep-<id>/replay-<n>/;
// a point record edited and resealed makes that point, and so the sweep,
// diverge (exit 1) with "should have been identical"; `kymo runs compare
// --signed-only` keeps only signed records, `kymo sweep` counts the signed
// points and `runs verify` names the signer.
import Foundation
import XCTest
import Records
import TestSupport

final class ReplaySweepTests: XCTestCase {
    static let tiny = """
    %% Knobs
    let a = 1
    %% Draw
    let x = randn([4]).sum().item()
    log("y", a * 10 + x)
    print("y", a * 10 + x)
    """

    func testReplayingASweepGivesAVerdictPerPointAndOneForTheSweep() throws {
        let binary = try KymoBinary.require()
        let dir = RecordFixtures.scratch()
        try Self.tiny.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        func kymo(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            try KymoBinary.execute(binary, args, in: dir, environment: ["XDG_CONFIG_HOME": dir + "/config"])
        }
        let sweep = try kymo(["sweep", "nb.kymo", "--set", "a=1,2", "--seeds", "1,2", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(sweep.status, 0, sweep.out + sweep.err)
        let id = try XCTUnwrap(sweep.out.split(separator: "\n").first?.split(separator: ":").first?.split(separator: " ").last.map(String.init))
        XCTAssertTrue(id.hasPrefix("sweep-"), sweep.out)
        let replay = try kymo(["replay", id, "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(replay.status, 0, replay.out + replay.err)
        let lines = replay.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("point ") && $0.contains(": identical: 2 cells, 1 metric series (1 point)") }.count, 4, replay.out)
        XCTAssertEqual(lines.last, "\(id): identical (4 points: 4 identical)".replacingOccurrences(of: id, with: "sweep \(id)"), replay.out)
        let store = RunStore(folder: dir + "/runs")
        for rid in store.runIDs() {
            let record = try store.load(rid).record
            guard case .valid = VerdictFile.check(path: store.runFolder(rid) + "/replay-1/verdict.json", record: record) else {
                return XCTFail("no sealed verdict for \(rid)")
            }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/runs/\(id)/replay-1/verdict.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/runs/\(id)/replay-1/point-3.log"))

        // One point's logged value edited and resealed: that point and the sweep diverge.
        let victim = try XCTUnwrap(store.runIDs().first)
        var record = try store.load(victim).record
        let y = record.metrics[0].values.double(at: 0)
        record.metrics[0].values = ExactValues([y + 30])
        try RecordSeal.fileBytes(&record).write(to: URL(fileURLWithPath: store.recordPath(victim)))
        let again = try kymo(["replay", id, "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(again.status, 3, again.out + again.err)
        XCTAssertTrue(again.out.contains("run \(victim): diverged at cell 1 \"%% Draw\": metric 'y' at step 1"), again.out)
        XCTAssertTrue(again.out.hasSuffix("sweep \(id): diverged (4 points: 1 diverged, 3 identical)\n"), again.out)
        let log = try String(contentsOfFile: dir + "/runs/\(id)/replay-2/point-0.log", encoding: .utf8)
            + String(contentsOfFile: dir + "/runs/\(id)/replay-2/point-1.log", encoding: .utf8)
            + String(contentsOfFile: dir + "/runs/\(id)/replay-2/point-2.log", encoding: .utf8)
            + String(contentsOfFile: dir + "/runs/\(id)/replay-2/point-3.log", encoding: .utf8)
        XCTAssertTrue(log.contains("same numerics version (kymo-numerics-2): this should have been identical"), log)

        // Signatures: compare says none is signed; sign two, --signed-only keeps those two.
        let compare = try kymo(["runs", "compare", id])
        XCTAssertEqual(compare.status, 0, compare.err)
        XCTAssertTrue(compare.out.contains("records: seal intact; 4 unsigned"), compare.out)
        let ids = store.runIDs()
        for rid in ids.suffix(2) { XCTAssertEqual(try kymo(["runs", "sign", rid]).status, 0) }
        let signed = try kymo(["runs", "compare", id, "--signed-only"])
        XCTAssertEqual(signed.status, 0, signed.err)
        XCTAssertTrue(signed.out.contains("2 complete runs"), signed.out)
        XCTAssertTrue(signed.out.contains("records: seal intact; 2 signed by "), signed.out)
        XCTAssertEqual(signed.err.components(separatedBy: "is unsigned; left out (--signed-only)").count - 1, 2, signed.err)
        let rerun = try kymo(["sweep", "nb.kymo", "--set", "a=1,2", "--seeds", "1,2", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(rerun.status, 0, rerun.out + rerun.err)
        XCTAssertTrue(rerun.out.contains("4 already complete (seal intact; 2 signed, 2 unsigned), 0 to run"), rerun.out)
        let verify = try kymo(["runs", "verify", id])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
        XCTAssertEqual(verify.out.components(separatedBy: "seal intact, signed by ").count - 1, 2, verify.out)
        XCTAssertTrue(verify.out.contains("replayed identical on 20"), verify.out)
        let list = try kymo(["runs"])
        XCTAssertEqual(list.out.components(separatedBy: "  signed ").count - 1, 2, list.out)
        XCTAssertEqual(list.out.components(separatedBy: "  unsigned").count - 1, 2, list.out)
        // A signature makes the record's replays signed verdicts too.
        let one = try kymo(["replay", ids.last!])
        XCTAssertEqual(one.status, 0, one.out + one.err)
        XCTAssertTrue(one.err.contains("(sealed, signed by "), one.err)
    }
}
