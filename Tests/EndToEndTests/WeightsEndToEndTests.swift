// WeightsEndToEndTests: `load` as a user meets it in `kymo run` — the model
// part of the run's own training checkpoint (runs/<id>/checkpoints/train1.ckpt)
// loads, what load prints (the file's kind, its notes) is kept in the record's
// cell output, a kymo.config difference stops the cell with both values, and
// strict: false / prefix: work from a notebook.
import Foundation
import XCTest
import Records
import TestSupport

final class WeightsEndToEndTests: KymoTestCase {
    /// The record of the one run made since `before` (two runs may start in the same second,
    /// so ids do not sort by time).
    func newRun(since before: Set<String>) throws -> RunRecord {
        let ids = RunStore(folder: dir + "/runs").runIDs().filter { !before.contains($0) }
        XCTAssertEqual(ids.count, 1, "\(ids)")
        return try RunStore.read(recordAt: dir + "/runs/\(try XCTUnwrap(ids.first))/record.json")
    }

    func runIDs() -> Set<String> { Set(RunStore(folder: dir + "/runs").runIDs()) }

    /// uint8 [T, N, H, W] frames in NPY v1.0: a bright square moving right.
    func writeSequences(_ path: String, frames: Int, count: Int, size: Int) throws {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(frames), \(count), \(size), \(size)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        for t in 0..<frames { for n in 0..<count { for y in 0..<size { for x in 0..<size {
            data.append((x - (n + 2 * t)) % size < 4 && (y - n) % size < 4 && x >= n + 2 * t && y >= n ? 255 : 0)
        } } } }
        try data.write(to: URL(fileURLWithPath: path))
    }

    static let model = "sam_convlstm(layers: 1, hidden: 3, size: 16, patch: 2, frames_in: 2, frames_out: 2, attention_hidden: 2)"

    func testTheRunsOwnCheckpointLoadsAndWhatLoadSaysIsRecorded() throws {
        try writeSequences(dir + "/seq.npy", frames: 4, count: 4, size: 16)
        try """
        let m = \(Self.model)
        let h = train(m, load_moving_mnist("seq.npy"), steps: 2, batch: 2)
        save(m, "trained.safetensors")
        """.write(toFile: dir + "/train.kymo", atomically: true, encoding: .utf8)
        let t = try kymo(["run", "train.kymo"])
        XCTAssertEqual(t.status, 0, t.out + t.err)
        let trainID = try newRun(since: []).id
        let checkpoint = "runs/\(trainID)/checkpoints/train1.ckpt"
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + checkpoint))

        try """
        %% Load
        let a = \(Self.model)
        load(a, "\(checkpoint)")
        let b = \(Self.model)
        load(b, "trained.safetensors")
        var d = 0.0
        for k in a.parameters { d = d + ((a.parameters[k] - b.parameters[k]) * (a.parameters[k] - b.parameters[k])).sum().item() }
        print("difference", d)
        %% Relu
        let r = sam_convlstm(layers: 1, hidden: 3, size: 16, patch: 2, frames_in: 2, frames_out: 2, attention_hidden: 2, activation: "relu")
        load(r, "trained.safetensors", strict: false)
        %% Refused
        load(r, "trained.safetensors")
        """.write(toFile: dir + "/load.kymo", atomically: true, encoding: .utf8)
        let before = runIDs()
        let l = try kymo(["run", "load.kymo"])
        XCTAssertEqual(l.status, 1, "the last cell is refused: " + l.out + l.err)
        let record = try newRun(since: before)
        XCTAssertEqual(record.cells.map(\.status.rawValue), ["complete", "complete", "failed"])
        guard record.cells.count == 3 else { return }
        XCTAssertEqual(record.cells[0].output, """
            loaded 25 tensors (F32) from \(checkpoint), the model part of a Kymo training checkpoint (step 2)
            loaded 25 tensors (F32) from trained.safetensors, a Kymo weights file
            difference 0.0

            """)
        XCTAssertEqual(record.cells[1].output, """
            loaded 25 tensors (F32) from trained.safetensors, a Kymo weights file
            note: kymo.config differs (strict: false): activation tanh in the file, relu in this model; the model keeps relu

            """)
        let refusal = l.out + l.err
        XCTAssertTrue(refusal.contains("trained.safetensors: the file was saved from another model") && refusal.contains("activation tanh in the file, relu in this model"), refusal)
        XCTAssertTrue(refusal.contains("load.kymo:13:1: error:"), refusal)
    }
}
