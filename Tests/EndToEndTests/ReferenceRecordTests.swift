// ReferenceRecordTests: the cross-machine check over time. A short run of
// Reference/portable.kymo (the three families, both assemblies, figures,
// weights) was recorded once and committed (Reference/runs/<id>/record.json,
// with the CPU, GEMM path and numerics it ran under). Every run of the suite
// replays it on whatever machine it gets — this project's machines change CPU
// between sessions — and requires `identical`: metric bits, value digests and
// artifact SHA-256 equal to the recording's.
//
// When a change alters numerics on purpose (and bumps `Numerics.version`),
// record it again: `cd Tests/EndToEndTests/Reference && rm -rf runs &&
// kymo run portable.kymo --runs runs && rm -rf figures sam.safetensors
// runs/*/artifacts runs/*/checkpoints`.
import Foundation
import XCTest
import Records
import TestSupport

final class ReferenceRecordTests: XCTestCase {
    func testTheCommittedReferenceRecordReplaysIdenticallyOnThisMachine() throws {
        let binary = try KymoBinary.require()
        let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/runs").path
        let ids = try FileManager.default.contentsOfDirectory(atPath: reference).filter(RunID.isWellFormed)
        let id = try XCTUnwrap(ids.first, "no reference record in \(reference)")
        XCTAssertEqual(ids.count, 1, "one reference record")
        // Replay from a copy: the replay writes its folder beside the record.
        let dir = RecordFixtures.scratch()
        try FileManager.default.createDirectory(atPath: dir + "/runs/\(id)", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: reference + "/\(id)/record.json", toPath: dir + "/runs/\(id)/record.json")
        let recorded = try RunStore(folder: dir + "/runs").load(id).record
        let (status, o, e) = try KymoBinary.execute(binary, ["replay", id, "--runs", dir + "/runs", "--threads", "2"], in: dir)
        // Say where it ran, for whoever reads the log across machines.
        print("reference \(id): recorded on \(recorded.environment.cpuModel) (\(recorded.environment.gemmPath ?? "?")), "
              + "numerics \(recorded.numerics ?? "?"); replayed here:\n\(o)")
        XCTAssertEqual(status, 0, o + e)
        XCTAssertEqual(o.split(separator: "\n").first, "identical", o + e)
    }
}
