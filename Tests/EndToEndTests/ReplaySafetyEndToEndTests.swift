// End to end through the built `kymo`: `kymo runs sign` signs with a key made
// on first use (mode 600); replay prints who signed, writes verdict.json in
// runs/<id>/replay-<n>/, and refuses a record changed after signing (exit 2);
// an unsigned record whose only difference is a printed path replays as
// `identical numbers` (exit 3); `kymo run --confined` writes only inside its
// run folder.
import Foundation
import XCTest
import Records
import TestSupport

final class ReplaySafetyEndToEndTests: KymoTestCase {
    static let notebook = """
    %% Data
    seed(3)
    let a = randn([8, 8])
    print("from /home/ann/work/nb", a.sum().item())
    %% Report
    log("m", a.mean().item())
    save_tensors("../escape.safetensors", {a: a})
    """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(atPath: dir + "/nb", withIntermediateDirectories: true)
        try Self.notebook.write(toFile: dir + "/nb/nb.kymo", atomically: true, encoding: .utf8)
        workFolder = dir + "/nb"
        kymoEnvironment = ["XDG_CONFIG_HOME": dir + "/config"]
    }

    func testSignReplayVerdictFileTamperAndTextOnlyDifference() throws {
        let run = try kymo(["run", "nb.kymo"])
        XCTAssertEqual(run.status, 0, run.err)
        let id = try XCTUnwrap(RunStore(folder: dir + "/nb/runs").runIDs().first)
        let runFolder = dir + "/nb/runs/" + id
        try FileManager.default.removeItem(atPath: dir + "/escape.safetensors")
        // Sign: a key is made on first use, mode 600.
        let sign = try kymo(["runs", "sign", id])
        XCTAssertEqual(sign.status, 0, sign.err)
        XCTAssertTrue(sign.out.contains("with ed25519 key"), sign.out)
        var st = stat()
        XCTAssertEqual(stat(dir + "/config/kymo/signing-key", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        let show = try kymo(["runs", "show", id])
        XCTAssertTrue(show.out.contains("signed      by ed25519 key"), show.out)
        // Replay: identical, confined, the verdict in replay-1/verdict.json.
        let replay = try kymo(["replay", id])
        XCTAssertEqual(replay.status, 0, replay.out + replay.err)
        XCTAssertEqual(replay.out.split(separator: "\n").first, "identical", replay.out)
        XCTAssertTrue(replay.err.contains("signed: by ed25519 key"), replay.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/escape.safetensors"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: runFolder + "/replay-1/files/_up/escape.safetensors"))
        let verdict = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runFolder + "/replay-1/verdict.json"))) as? [String: Any]
        XCTAssertEqual(verdict?["verdict"] as? String, "identical")
        XCTAssertNotNil(verdict?["summary"] as? String)
        XCTAssertNotNil(verdict?["at"] as? String)
        XCTAssertNotNil(verdict?["threads"] as? Int)
        // Changed after signing, even with a recomputed seal: refused.
        var record = try RunStore.read(recordAt: runFolder + "/record.json")
        record.cells[0].output = record.cells[0].output.replacingOccurrences(of: "/home/ann/work/nb", with: "/srv/bob/nb")
        try RecordSeal.fileBytes(&record).write(to: URL(fileURLWithPath: runFolder + "/record.json"))
        let tampered = try kymo(["replay", id])
        XCTAssertEqual(tampered.status, 2, tampered.out + tampered.err)
        XCTAssertTrue(tampered.err.contains("signature that does not match"), tampered.err)
        // Unsigned, the only difference a printed path: identical numbers, exit 1.
        record.signature = nil
        try RecordSeal.fileBytes(&record).write(to: URL(fileURLWithPath: runFolder + "/record.json"))
        let text = try kymo(["replay", id])
        XCTAssertEqual(text.status, 1, text.out + text.err)
        XCTAssertEqual(text.out.split(separator: "\n").first, "identical numbers", text.out)
        XCTAssertTrue(text.err.contains("signed: unsigned"), text.err)
        XCTAssertTrue(text.err.contains("first difference, cell 0"), text.err)
        let v2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runFolder + "/replay-2/verdict.json"))) as? [String: Any]
        XCTAssertEqual(v2?["verdict"] as? String, "identical numbers")
    }

    func testConfinedRunWritesOnlyInsideItsRunFolder() throws {
        let run = try kymo(["run", "nb.kymo", "--confined"])
        XCTAssertEqual(run.status, 0, run.out + run.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/escape.safetensors"))
        let id = try XCTUnwrap(RunStore(folder: dir + "/nb/runs").runIDs().first)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/nb/runs/\(id)/files/_up/escape.safetensors"))
    }
}
