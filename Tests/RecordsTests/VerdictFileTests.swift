// A replay's verdict.json (VerdictFile) is sealed and tied to the seal of the
// record it judged: it checks out against that record; a hand-written file,
// an edited one, a verdict on another version of the record, or a bad
// signature does not, each with its reason; a signed one names its signer.
import Foundation
import XCTest
import Records
import TestSupport

final class VerdictFileTests: XCTestCase {
    func testASealedVerdictChecksOutAndForgeriesDoNot() throws {
        let dir = RecordFixtures.scratch()
        var record = RecordFixtures.record()
        _ = try RecordSeal.fileBytes(&record)
        let report = ReplayCompare.compare(recorded: record, fresh: record)
        let v = VerdictFile(report: report, at: Date(timeIntervalSince1970: 1_800_000_000), threads: 2, record: record,
                            numerics: "kymo-numerics-2", build: BuildStamp(version: "0.1.0", commit: "abc"), exitCode: 0)
        let path = dir + "/verdict.json"
        try v.fileBytes().write(to: URL(fileURLWithPath: path))
        guard case .valid(let read, let signer) = VerdictFile.check(path: path, record: record) else {
            return XCTFail("\(VerdictFile.check(path: path, record: record))")
        }
        XCTAssertNil(signer)
        XCTAssertEqual(read.verdict, "identical")
        XCTAssertEqual(read.record.seal, record.seal)
        XCTAssertEqual(read.seal.count, 64)
        // Edited by hand.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"threads\" : 2", with: "\"threads\" : 3").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(VerdictFile.check(path: path, record: record), .invalid("its seal does not match its content: edited after kymo replay wrote it"))
        // Written by hand, as the report used to read it.
        try #"{"verdict": "identical", "summary": "x", "at": "2026-01-01T00:00:00Z", "threads": 1}"#.write(toFile: path, atomically: true, encoding: .utf8)
        guard case .invalid(let why) = VerdictFile.check(path: path, record: record) else { return XCTFail() }
        XCTAssertTrue(why.hasPrefix("not a sealed verdict"), why)
        // A verdict on the record before it was edited (and resealed).
        try v.fileBytes().write(to: URL(fileURLWithPath: path))
        var edited = record
        edited.seed = 8
        _ = try RecordSeal.fileBytes(&edited)
        guard case .invalid(let other) = VerdictFile.check(path: path, record: edited) else { return XCTFail() }
        XCTAssertTrue(other.hasPrefix("it judged another version of this record"), other)
        // Signed: the signer is named; a signature over another seal fails.
        XCTAssertNil(try v.fileBytes(keyFolder: dir + "/keys").signer)   // no key there: unsigned, none created
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/keys/signing-key"))
        _ = try RecordSigning.userKey(folder: dir + "/keys")
        let (data, signedBy) = try v.fileBytes(keyFolder: dir + "/keys")
        try data.write(to: URL(fileURLWithPath: path))
        guard case .valid(_, let fp) = VerdictFile.check(path: path, record: record) else { return XCTFail() }
        XCTAssertEqual(fp, try XCTUnwrap(signedBy))
        let signed = try String(contentsOfFile: path, encoding: .utf8)
        let sig = try XCTUnwrap(try JSONDecoder().decode(VerdictFile.self, from: Data(signed.utf8)).signature?.signature)
        let flipped = String(sig.prefix(10)) + (sig.dropFirst(10).first == "0" ? "1" : "0") + String(sig.dropFirst(11))
        try signed.replacingOccurrences(of: sig, with: flipped).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(VerdictFile.check(path: path, record: record), .invalid("its signature does not verify"))
    }
}
