// split, normalization and save_sequences: contiguous parts with straddling
// windows dropped and counted, per-channel statistics fitted on the training
// part against numpy's (Fixtures/sequences/normalization.json, written by
// make_sequences.py), and every format written then read back bit for bit.
import Foundation
import TensorEngine
import XCTest
@testable import Datasets

final class SplitNormalizeTests: XCTestCase {
    func windows() throws -> Dataset {
        try SequenceFiles.load(path: fixture("sequences/field_ntchw.npy"), frames: 4, stride: 2).dataset
    }

    func testPlanCountsFractionsAndStraddlingWindows() throws {
        // 9 windows of 4 frames every 2 over 3 series of 8 frames
        let parts = try DataSplit.split(try windows(), amounts: [("train", .count(4)), ("validation", .count(2)), ("test", .count(3))])
        XCTAssertEqual(parts.map(\.part.name), ["train", "validation", "test"])
        XCTAssertEqual(parts.map(\.part.indices), [[0, 1, 2, 3], [5], [6, 7, 8]])
        XCTAssertEqual(parts.map(\.part.dropped), [0, 1, 0])     // series 1 frames 2–5 overlap train's frames 0–3
        XCTAssertEqual(parts[1].dataset.count, 1)
        let kept = try parts[1].dataset.sequence(0), window5 = try windows().sequence(5)
        XCTAssertEqual(kept.toArray(), window5.toArray())
        // one long series: train 0.5, test 0.5 of 9 windows (frames 12, stride 6 over 60 frames)
        let long = try SequenceFiles.load(path: fixture("sequences/long_tchw.npy"), layout: "TCHW", frames: 12, stride: 6).dataset
        let halves = try DataSplit.split(long, amounts: [("test", .fraction(0.5)), ("train", .fraction(0.5))])
        XCTAssertEqual(halves.map(\.part.name), ["train", "test"])              // always train, validation, test order
        XCTAssertEqual(halves.map(\.part.block), [0..<4, 4..<9])               // ⌊4.5⌋, then the rest (fractions sum to 1)
        // train ends at frame 18 + 12 = 30; test windows start at 24, 30, …: the first straddles
        XCTAssertEqual(halves.map(\.part.dropped), [0, 1])
        XCTAssertEqual(halves[1].part.indices, [5, 6, 7, 8])
        // fractions that do not sum to 1: ⌊f·n⌋ each, the rest left out
        let some = try DataSplit.plan(count: 10, amounts: [("train", .fraction(0.55)), ("test", .fraction(0.2))], span: nil)
        XCTAssertEqual(some.map(\.block), [0..<5, 5..<7])
        XCTAssertThrowsError(try DataSplit.plan(count: 10, amounts: [("train", .count(8)), ("test", .count(3))], span: nil)) { e in
            XCTAssertTrue("\(e)".contains("ask for 11 sequences"), "\(e)")
        }
        XCTAssertThrowsError(try DataSplit.plan(count: 10, amounts: [("train", .fraction(0.8)), ("test", .fraction(0.3))], span: nil))
    }

    func testNormalizationStatisticsAgainstNumpy() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("sequences/normalization.json")))) as! [String: Any]
        func values(_ k: String) -> [Double] { (json[k] as! [NSNumber]).map(\.doubleValue) }
        let parts = try DataSplit.split(try windows(), amounts: [("train", .count(4)), ("validation", .count(2)), ("test", .count(3))])
        let standard = try Normalization.fit(parts[0].dataset, kind: .standard)
        let minmax = try Normalization.fit(parts[0].dataset, kind: .minmax)
        for (got, want) in zip(standard.offset + standard.scale, values("mean") + values("std")) {
            XCTAssertEqual(got, want, accuracy: 1e-12 * max(1, abs(want)))
        }
        XCTAssertEqual(minmax.offset, values("min"))
        XCTAssertEqual(zip(minmax.offset, minmax.scale).map { $0 + $1 }, values("max"))
        XCTAssertEqual(minmax.dataRange, 12)
        // applied to the test part (never fitted on): its first value of channel 1
        for (n, key) in [(standard, "test_first_c1_standard"), (minmax, "test_first_c1_minmax")] {
            let test = Dataset(try NormalizedSequences(parts[2].dataset.source, n))
            let s = try test.sequence(0)
            XCTAssertEqual(Double(s.toArray()[6 * 10]), (json[key] as! NSNumber).doubleValue, accuracy: 1e-6)
            // and back to the data's units
            let back = try n.invert(s)
            let raw = try parts[2].dataset.sequence(0)
            let b = back.toArray(), r = raw.toArray()
            for k in 0..<raw.count { XCTAssertEqual(b[k], r[k], accuracy: 1e-5) }
        }
        XCTAssertThrowsError(try Normalization.fit(Dataset(ConstantSource()), kind: .standard)) { e in
            XCTAssertTrue("\(e)".contains("channel 0 is constant"), "\(e)")
        }
    }

    func testSaveSequencesRoundTripsInEveryFormatAndLayout() throws {
        let dir = try scratchDirectory()
        let data = try SequenceFiles.load(path: fixture("sequences/field_ntchw.npy")).dataset
        func bits(_ d: Dataset) throws -> [UInt32] {
            try (0..<d.count).flatMap { i in try d.sequence(i).toArray().map { $0.bitPattern } }
        }
        let want = try bits(data)
        for (file, variable) in [("a.npy", nil), ("a.npz", "sequences"), ("a.h5", "/sequences"), ("a.nc", "sequences")] as [(String, String?)] {
            for layout in ["NTCHW", "NTHWC", "TNCHW"] {
                let path = dir + "/" + layout + file
                try SequenceWriter.write(data, to: path, layout: layout)
                let back = try SequenceFiles.load(path: path, layout: layout, variable: variable).dataset
                XCTAssertEqual(try bits(back), want, path)
            }
        }
        // the same data gives the same bytes, seconds apart (no timestamps: replays compare artifacts)
        // (an HDF5 dataset path as load_sequences reads it: its groups carry no timestamps either)
        let exts = ["h5", "nc", "npz"]
        for ext in exts { try SequenceWriter.write(data, to: dir + "/first." + ext) }
        try SequenceWriter.write(data, to: dir + "/first-nested.h5", variable: "/radar/pred/field")
        Thread.sleep(forTimeInterval: 1.1)
        for ext in exts {
            try SequenceWriter.write(data, to: dir + "/second." + ext)
            XCTAssertEqual(FileManager.default.contents(atPath: dir + "/first." + ext), FileManager.default.contents(atPath: dir + "/second." + ext), ext)
        }
        try SequenceWriter.write(data, to: dir + "/second-nested.h5", variable: "radar/pred/field")
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/first-nested.h5"), FileManager.default.contents(atPath: dir + "/second-nested.h5"))
        XCTAssertEqual(try bits(SequenceFiles.load(path: dir + "/first-nested.h5", variable: "/radar/pred/field").dataset), want)
        for (file, variable) in [("y.npz", "/a"), ("y.nc", "a/b"), ("y.h5", "/a//b"), ("y.h5", "/"), ("y.h5", "a/../b")] {
            XCTAssertThrowsError(try SequenceWriter.write(data, to: dir + "/" + file, variable: variable), file + " " + variable) { e in
                XCTAssertTrue("\(e)".contains("variable \"\(variable)\" must be"), "\(e)")
            }
        }
        // leftovers of the library's temporary file: none
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }, [])
        XCTAssertThrowsError(try SequenceWriter.write(data, to: dir + "/x.npy", layout: "NTHW")) { e in
            XCTAssertTrue("\(e)".contains("the data's C is 2"), "\(e)")
        }
        XCTAssertThrowsError(try SequenceWriter.write(data, to: dir + "/x.csv")) { e in
            XCTAssertTrue("\(e)".contains("x.csv") && "\(e)".contains(".npy, .npz"), "\(e)")
        }
    }
}

/// One series of 2 frames of a constant single-channel 2×2 frame.
final class ConstantSource: SequenceSource, @unchecked Sendable {
    let count = 1, frames = 2, height = 2, width = 2
    let summary = "constant"
    func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) { dst.update(repeating: 4, count: 8) }
}
