// Verdicts and the safety of reading a stranger's record, on synthetic
// records: every difference is found and classed (numeric, text only,
// explained, input), the verdict and its exit code follow, the summary counts
// every category; signed records verify and a tampered one is refused; bad
// input (control characters, absurd sizes, deep JSON, a notebook text that
// does not match its hash) is refused with a clear error; format 1 still reads.
import Crypto
import Foundation
import XCTest
import TestSupport
@testable import Records

final class ReplayVerdictTests: XCTestCase {
    func testAPrintedPathIsTextOnlyAndGivesIdenticalNumbers() {
        var a = RecordFixtures.record()
        a.cells[0].output = "train: dataset of 10000 sequences [20, 1, 64, 64]: (CSV /home/ann/data/mnist_5k.csv.gz, rows)\n"
        var b = a
        b.cells[0].output = "train: dataset of 10000 sequences [20, 1, 64, 64]: (CSV /srv/bob/d/mnist_5k.csv.gz, rows)\n"
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.verdict, .identicalNumbers, report.render())
        XCTAssertEqual(report.differences.map(\.kind), [.textOnly])
        let text = report.render()
        XCTAssertTrue(text.hasPrefix("identical numbers\n"), text)
        XCTAssertTrue(text.contains("cell 0 \"%% Data\": printed output differs at line 1 — text only"), text)
        XCTAssertTrue(text.contains("/srv/bob/d/mnist_5k.csv.gz"), text)
    }

    func testAPrintedNumberIsNumeric() {
        var a = RecordFixtures.record()
        a.cells[0].output = "mse 0.0625 after 4 steps\n"
        var b = a
        b.cells[0].output = "mse 0.0626 after 4 steps\n"
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.verdict, .diverged)
        guard case let .numeric(abs?, rel?, _) = report.differences.first?.kind else { return XCTFail(report.render()) }
        XCTAssertEqual(abs, 0.0001, accuracy: 1e-12)
        XCTAssertEqual(rel, 0.0001 / 0.0625, accuracy: 1e-9)
    }

    func testNumbersInWordsAndDigestsAreNotNumbers() {
        XCTAssertEqual(ReplayCompare.numbers(in: "mnist_5k.csv sha256:3f9a1c2b x2 [10, 1, 64×64] -1.5e-3 v0.1"), [10, 1, 64, 64, -0.0015])
    }

    func testEveryDifferenceIsFoundAndTheSummaryCountsEachCategory() {
        var a = RecordFixtures.record(loss: [0.5, 0.25, 0.125, 0.0625])
        a.inputs = [InputRecord(name: "w.safetensors", path: "/a/w.safetensors", kind: "tensors", cell: 0, size: 8,
                                sha256: String(repeating: "c", count: 64))]
        var b = RecordFixtures.record(loss: [0.5, 0.25, 0.126, 0.0625], xDigest: String(repeating: "d", count: 64),
                                      svg: String(repeating: "e", count: 64))
        b.inputs = a.inputs
        b.inputs![0].path = "/elsewhere/w.safetensors"   // where it lies is not compared
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.verdict, .diverged)
        // The value in cell 0 first, then the metric in cell 1, then the artifact in cell 2: all found.
        XCTAssertEqual(report.differences.map(\.category), [.values, .metrics, .artifacts], report.render())
        XCTAssertEqual(report.divergence?.cell, 0)
        XCTAssertEqual(report.counts[.inputs], CategoryCount(identical: 1, differing: 0))
        XCTAssertEqual(report.counts[.values], CategoryCount(identical: 0, differing: 1))
        XCTAssertEqual(report.counts[.metrics], CategoryCount(identical: 0, differing: 1))
        XCTAssertEqual(report.counts[.artifacts], CategoryCount(identical: 0, differing: 1))
        XCTAssertEqual(report.counts[.output], CategoryCount(identical: 1, differing: 0))
        let text = report.render()
        for line in ["printed lines  1 identical", "values         0 identical, 1 differ (numeric)",
                     "metric series  0 identical, 1 differ (numeric)", "artifacts      0 identical, 1 differ (numeric)",
                     "inputs         1 identical"] {
            XCTAssertTrue(text.contains(line), "\(line)\n\(text)")
        }
        guard case let .numeric(_, _, step?) = report.differences[1].kind else { return XCTFail(text) }
        XCTAssertEqual(step, 3)
    }

    func testAChangedInputExplainsTheDifferencesAfterIt() {
        var a = RecordFixtures.record()
        a.inputs = [InputRecord(name: "w.safetensors", path: "/a/w.safetensors", kind: "tensors", cell: 1, size: 8,
                                sha256: String(repeating: "c", count: 64))]
        var b = RecordFixtures.record(loss: [0.5, 0.25, 0.125, 0.07])
        b.inputs = a.inputs
        b.inputs![0].sha256 = String(repeating: "f", count: 64)
        let report = ReplayCompare.compare(recorded: a, fresh: b, changedInputs: a.inputs!)
        XCTAssertEqual(report.verdict, .diverged)
        XCTAssertTrue(report.differences.contains { $0.kind == .explained(by: "the changed input w.safetensors") }, report.render())
        XCTAssertTrue(report.differences.contains { $0.category == .inputs }, report.render())
        // The same input change with every number identical: identical numbers.
        var c = RecordFixtures.record()
        c.inputs = b.inputs
        XCTAssertEqual(ReplayCompare.compare(recorded: a, fresh: c).verdict, .identicalNumbers)
    }

    func testIdenticalStillSaysIdenticalOnItsFirstLine() {
        let a = RecordFixtures.record()
        let report = ReplayCompare.compare(recorded: a, fresh: a)
        XCTAssertEqual(report.verdict, .identical)
        XCTAssertEqual(report.render().split(separator: "\n").first, "identical")
    }

    // MARK: signatures

    func testASignedRecordVerifiesAndATamperedOneIsRefused() throws {
        var r = RecordFixtures.record()
        _ = try RecordSeal.fileBytes(&r)
        try RecordSigning.sign(&r, with: Curve25519.Signing.PrivateKey())
        let data = try RecordSeal.fileBytes(&r)
        let back = try RunStore.decode(data, path: "record.json")
        guard case .valid(let fp) = RecordSigning.verify(back.signature!, seal: back.seal) else { return XCTFail() }
        XCTAssertEqual(fp.split(separator: " ").count, 8)
        XCTAssertTrue(RunListing.show(back, folder: nil).contains("by ed25519 key \(fp)"))
        // Changed and resealed (a forger can recompute the seal, not the signature).
        var forged = back
        forged.seed = 8
        let bad = try RecordSeal.fileBytes(&forged)
        XCTAssertThrowsError(try RunStore.decode(bad, path: "record.json")) { e in
            guard case RecordError.badSignature = e else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("does not verify"), "\(e)")
        }
        // Unsigned records still read, shown as unsigned.
        XCTAssertEqual(RunListing.signatureText(RecordFixtures.record()), "unsigned")
    }

    func testTheUserKeyIsCreatedOnceWithMode600() throws {
        let dir = RecordFixtures.scratch() + "/config/kymo"
        let (k1, created) = try RecordSigning.userKey(folder: dir)
        XCTAssertTrue(created)
        var st = stat()
        XCTAssertEqual(stat(dir + "/signing-key", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        let (k2, again) = try RecordSigning.userKey(folder: dir)
        XCTAssertFalse(again)
        XCTAssertEqual(k1.publicKey.rawRepresentation, k2.publicKey.rawRepresentation)
        chmod(dir + "/signing-key", 0o644)
        XCTAssertThrowsError(try RecordSigning.userKey(folder: dir))
        XCTAssertEqual(RecordSigning.keyFolder(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/h"]), "/x/cfg/kymo")
        XCTAssertEqual(RecordSigning.keyFolder(environment: ["HOME": "/h"]), "/h/.config/kymo")
    }

    // MARK: bad input

    func refused(_ r: RunRecord, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var r = r
        let data = try RecordSeal.fileBytes(&r)
        XCTAssertThrowsError(try RunStore.decode(data, path: "record.json"), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(fragment), "\(e)", file: file, line: line)
        }
    }

    func testBadRecordsAreRefusedWithAClearError() throws {
        var r = RecordFixtures.record()
        r.artifacts[0].path = "a\u{0}b.svg"
        try refused(r, "control character U+0000")
        r = RecordFixtures.record()
        r.artifacts[0].path = "x\n; echo PWNED"
        try refused(r, "control character U+000A")
        r = RecordFixtures.record()
        r.artifacts[0].size = 1 << 60
        try refused(r, "bytes")
        r = RecordFixtures.record()
        r.notebook.text += "print(\"evil\")\n"
        try refused(r, "notebook text does not match")
        r = RecordFixtures.record()
        r.checkpoints = [CheckpointRecord(cell: 0, site: "train1", step: 1, path: "../../etc/x", size: 1,
                                          sha256: String(repeating: "a", count: 64), at: "2026-01-01T00:00:00.000Z")]
        try refused(r, "leads out of the run folder")
        r = RecordFixtures.record()
        r.cells[1].metricCounts = [MetricCount(name: "loss", count: 1 << 40)]
        try refused(r, "counts")
        r = RecordFixtures.record()
        r.id = "../../x"
        try refused(r, "is not a run id")
        // Deep JSON: refused before it is parsed.
        let deep = Data(("{\"format\":2,\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}").utf8)
        XCTAssertThrowsError(try RunStore.decode(deep, path: "record.json")) { e in
            XCTAssertTrue("\(e)".contains("nests deeper than 64"), "\(e)")
        }
    }

    func testFormat1RecordsStillRead() throws {
        var r = RecordFixtures.record()
        r.format = 1
        r.inputs = nil
        let data = try RecordSeal.fileBytes(&r)
        XCTAssertFalse(String(decoding: data, as: UTF8.self).contains("\"inputs\""))
        let back = try RunStore.decode(data, path: "record.json")
        XCTAssertEqual(back.format, 1)
        XCTAssertNil(back.inputs)
        let report = ReplayCompare.compare(recorded: back, fresh: RecordFixtures.record())
        XCTAssertEqual(report.verdict, .identical, report.render())
        XCTAssertTrue(report.notes.contains { $0.contains("format-1") })
    }
}

/// What hashing an input costs: `KYMO_HASH_BENCH=1 swift test --filter InputHashCostTests`
/// writes a 500 MB file and times `RecordHash.file` (cold and through the cache).
final class InputHashCostTests: XCTestCase {
    func testHashingA500MBFile() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KYMO_HASH_BENCH"] == "1", "set KYMO_HASH_BENCH=1 to measure")
        let path = RecordFixtures.scratch() + "/big.bin"
        let block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        for _ in 0..<500 { h.write(block) }
        try h.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cache = FileHashCache()
        var t = Date()
        let (_, size) = try cache.hash(path)
        let first = Date().timeIntervalSince(t)
        t = Date()
        _ = try cache.hash(path)
        let again = Date().timeIntervalSince(t)
        print("hashing \(size) bytes: \(String(format: "%.3f", first)) s (\(String(format: "%.0f", Double(size) / first / 1e6)) MB/s); again through the cache: \(String(format: "%.6f", again)) s")
        XCTAssertEqual(size, 500 << 20)
    }
}
