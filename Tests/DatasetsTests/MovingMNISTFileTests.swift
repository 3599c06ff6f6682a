// The standard test file reader (`load_moving_mnist`): frame-major layout,
// /255 conversion, the numpy-written miniature, export round trip, refusals.
// A test on the real 820 MB mnist_test_seq.npy runs when it is in data/.
import Foundation
import TensorEngine
import XCTest
import Datasets

final class MovingMNISTFileTests: XCTestCase {
    func testNumpyMiniature() throws {
        // npy_seq.npy: uint8 [T=3, N=3, 4, 4], pixel = 10·t + 100·n + k (k = 0…15 in row-major order).
        let ds = try MovingMNISTFile.load(fixture("npy_seq.npy"))
        XCTAssertEqual(ds.count, 3)
        XCTAssertEqual(ds.frames, 3)
        XCTAssertEqual(ds.sequenceShape, [3, 1, 4, 4])
        for n in 0..<3 {
            let s = try ds[n]
            for t in 0..<3 { for k in 0..<16 {
                XCTAssertEqual(s[t, 0, k / 4, k % 4], Float(10 * t + 100 * n + k) / 255)
            } }
        }
        let batch = try ds.batch(indices: [1, 0])
        XCTAssertEqual(batch.shape, [2, 3, 1, 4, 4])
        XCTAssertEqual(Array(batch.toArray()[0..<48]), try ds[1].toArray())
    }

    func testExportRoundTripAndFloatFiles() throws {
        let dir = try scratchDirectory()
        let gen = Dataset(try MovingMNISTGenerator(digits: syntheticDigits(20), config: MovingMNISTConfig(frames: 5, size: 36),
                                                   stream: RandomStream(seed: 2, name: "e"), count: 6))
        try MovingMNISTFile.export(gen, to: dir + "/seq.npy")
        let back = try MovingMNISTFile.load(dir + "/seq.npy")
        XCTAssertEqual(try NPYArray(path: dir + "/seq.npy").shape, [5, 6, 36, 36])
        XCTAssertEqual(back.count, 6)
        for i in 0..<6 { XCTAssertEqual(try back[i].toArray(), try gen[i].toArray()) }

        // A float32 [T, N, H, W] file is taken as it is.
        let values: [Float] = (0..<(2 * 3 * 4)).map { Float($0) / 24 }
        try NPY.write(try Tensor(values, shape: [2, 3, 2, 2]), to: dir + "/f.npy")
        let f = try MovingMNISTFile.load(dir + "/f.npy")
        XCTAssertEqual(f.count, 3)
        XCTAssertEqual(try f[1].toArray(), [values[4], values[5], values[6], values[7],
                                              values[16], values[17], values[18], values[19]])
    }

    func testRefusals() throws {
        let dir = try scratchDirectory()
        try NPY.write(uint8: [UInt8](repeating: 0, count: 8), shape: [2, 4], to: dir + "/flat.npy")
        assertBadFile(dir + "/flat.npy", "is not Moving MNIST's [frames, sequences, height, width]") {
            try MovingMNISTFile.load(dir + "/flat.npy")
        }
        try DataFile.write(NPY.encode(shape: [1, 1, 1, 1], dtype: .int64, data: [UInt8](repeating: 0, count: 8)), to: dir + "/i.npy")
        assertBadFile(dir + "/i.npy", "holds int64 values") { try MovingMNISTFile.load(dir + "/i.npy") }
        assertBadFile(dir + "/none.npy", "no such file") { try MovingMNISTFile.load(dir + "/none.npy") }
    }

    /// No layout is guessed: the (N, T, C, H, W) = (16, 12, 1, 64, 64)
    /// file, any other 5-D file, and a sequence-major uint8 (100, 20, 64, 64)
    /// file are refused naming the file, its shape and the call that states a layout.
    func testLayoutsAreNeverGuessed() throws {
        let dir = try scratchDirectory()
        let cases: [([Int], String)] = [([16, 12, 1, 64, 64], "load_sequences(\"mine.npy\", layout: \"NTCHW\")"),
                                        ([3, 2, 1, 4, 4], "load_sequences(\"mine.npy\", layout: \"NTCHW\")"),
                                        ([16, 12, 2, 8, 8], "load_sequences(\"mine.npy\", layout: \"NTCHW\")"),
                                        ([100, 20, 64, 64], "load_sequences(\"mine.npy\", layout: \"NTHW\")")]
        for (shape, call) in cases {
            try NPY.write(uint8: [UInt8](repeating: 7, count: shape.reduce(1, *)), shape: shape, to: dir + "/mine.npy")
            assertBadFile(dir + "/mine.npy", "shape \(describeShape(shape))") { try MovingMNISTFile.load(dir + "/mine.npy") }
            assertBadFile(dir + "/mine.npy", call) { try MovingMNISTFile.load(dir + "/mine.npy") }
            assertBadFile(dir + "/mine.npy", "never guesses a layout") { try MovingMNISTFile.load(dir + "/mine.npy") }
        }
        // As many frames as sequences, or fewer: frame-major, and it says so.
        try NPY.write(uint8: [UInt8](repeating: 7, count: 20 * 20 * 16), shape: [20, 20, 4, 4], to: dir + "/square.npy")
        let square = try MovingMNISTFile(path: dir + "/square.npy")
        XCTAssertEqual(square.count, 20)
        XCTAssertTrue(square.summary.contains("read frame-major [T, N, H, W] = [20, 20, 4, 4]"), square.summary)
        // The notebook's name for the file is what the suggested call shows.
        try NPY.write(uint8: [UInt8](repeating: 7, count: 100 * 20 * 4), shape: [100, 20, 2, 2], to: dir + "/mine.npy")
        assertBadFile(dir + "/mine.npy", "load_sequences(\"data/mine.npy\", layout: \"NTHW\")") {
            try MovingMNISTFile.load(dir + "/mine.npy", name: "data/mine.npy")
        }
    }

    func testRealStandardFileIfPresent() throws {
        let path = repositoryData + "/mnist_test_seq.npy"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) not present") }
        let ds = try MovingMNISTFile.load(path)
        XCTAssertEqual(ds.count, 10_000)
        XCTAssertEqual(ds.sequenceShape, [20, 1, 64, 64])
        let s = try ds[9_999].toArray()
        XCTAssertEqual(s.count, 20 * 64 * 64)
        XCTAssertTrue(s.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
