// The Moving MNIST generator: the reference motion model (golden paths from
// Srivastava et al.'s algorithm run in numpy), determinism (seed, batch
// composition, thread count), digits kept inside the canvas, pixel range,
// disjoint train/test digits, portable trigonometry, and batches of a large
// dataset. (Speed is for benchmarks.)
import Foundation
import TensorEngine
import XCTest
import Datasets

final class MovingMNISTTests: XCTestCase {
    func generator(_ digits: MNISTDigits = syntheticDigits(40), count: Int = 50, seed: UInt64 = 7,
                   config: MovingMNISTConfig = MovingMNISTConfig()) throws -> Dataset {
        Dataset(try MovingMNISTGenerator(digits: digits, config: config,
                                         stream: RandomStream(seed: seed, name: "data"), count: count))
    }

    func testPathsMatchTheReferenceAlgorithm() throws {
        struct Case: Decodable { let y, x, turns, span: Double; let top, left: [Int] }
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("trajectories.json")))
        let cases = try JSONDecoder().decode([Case].self, from: data)
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let p = MovingMNISTGenerator.path(y: c.y, x: c.x, turns: c.turns, frames: c.top.count,
                                              step: 0.1, spanY: c.span, spanX: c.span)
            XCTAssertEqual(p.top, c.top, "start (\(c.y), \(c.x)), turns \(c.turns)")
            XCTAssertEqual(p.left, c.left, "start (\(c.y), \(c.x)), turns \(c.turns)")
        }
    }

    func testPortableSinCos() {
        var worst = 0.0
        for k in 0..<10_000 {
            let u = Double(k) / 10_000 + 1.234e-5
            let (s, c) = PortableMath.sinCos(turns: u)
            worst = max(worst, abs(s - sin(2 * .pi * u)), abs(c - cos(2 * .pi * u)))
        }
        XCTAssertLessThan(worst, 1e-15)
        XCTAssertEqual(PortableMath.sinCos(turns: 0).sin, 0)
        XCTAssertEqual(PortableMath.sinCos(turns: 0.25).sin, 1)
        XCTAssertEqual(PortableMath.sinCos(turns: 0.5).cos, -1)
    }

    func testSameSeedSameBytesOtherSeedDiffers() throws {
        let a = try generator(seed: 7).batch(indices: [0, 1, 2, 3])
        let b = try generator(seed: 7).batch(indices: [0, 1, 2, 3])
        let c = try generator(seed: 8).batch(indices: [0, 1, 2, 3])
        XCTAssertEqual(a.toArray().map(\.bitPattern), b.toArray().map(\.bitPattern))
        XCTAssertNotEqual(a.toArray(), c.toArray())
        // And the sequences within a batch differ from each other.
        let s0 = try generator().sequence(0).toArray(), s1 = try generator().sequence(1).toArray()
        XCTAssertNotEqual(s0, s1)
    }

    func testPinnedBytes() throws {
        // Guards against silent changes of the stream layout or the motion rules:
        // sequence 3 of seed 7 with synthetic digits, its tracks written down once.
        let g = try MovingMNISTGenerator(digits: syntheticDigits(40), config: MovingMNISTConfig(),
                                         stream: RandomStream(seed: 7, name: "data"), count: 50)
        let tracks = g.tracks(sequence: 3)
        let d = try Dataset(g).sequence(3)
        for (k, track) in tracks.enumerated() {
            // The lit value of a synthetic digit says which digit it is.
            let value = Float(1 + track.digit) / 255
            for t in [0, 9, 19] {
                let y = track.top[t] + 14, x = track.left[t] + 14
                XCTAssertGreaterThanOrEqual(d[t, 0, y, x], value, "digit \(k) frame \(t)")
            }
        }
        XCTAssertEqual(tracks.map(\.digit), pinnedDigits, "stream layout changed: \(tracks.map(\.digit))")
        XCTAssertEqual(tracks.map { [$0.top[0], $0.left[0], $0.top[19], $0.left[19]] }, pinnedCorners,
                       "motion changed: \(tracks.map { [$0.top[0], $0.left[0], $0.top[19], $0.left[19]] })")
    }
    let pinnedDigits: [Int] = [33, 9]
    let pinnedCorners: [[Int]] = [[20, 3, 6, 35], [9, 16, 28, 32]]

    func testSequenceIndependentOfBatchComposition() throws {
        let ds = try generator()
        let single = try ds.sequence(17).toArray()
        let batch = try ds.batch(indices: [3, 17, 17, 42])
        let per = 20 * 64 * 64
        let all = batch.toArray()
        XCTAssertEqual(batch.shape, [4, 20, 1, 64, 64])
        XCTAssertEqual(Array(all[per..<(2 * per)]), single)
        XCTAssertEqual(Array(all[(2 * per)..<(3 * per)]), single)
        XCTAssertEqual(try ds[42].toArray(), Array(all[(3 * per)...]))
        // The count of the dataset does not change sequence i either.
        XCTAssertEqual(try generator(count: 1000).sequence(17).toArray(), single)
    }

    func testThreadCountDoesNotChangeBytes() throws {
        defer { Engine.configure() }  // back to the default (KYMO_THREADS or the core count)
        let ds = try generator()
        Engine.configure(threads: 1)
        let one = try ds.batch(indices: Array(0..<16)).toArray()
        Engine.configure(threads: 2)
        let two = try ds.batch(indices: Array(0..<16)).toArray()
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
    }

    func testDigitsStayInsideAndBounce() throws {
        for size in [64, 40, 28] {
            let g = try MovingMNISTGenerator(digits: syntheticDigits(10),
                                             config: MovingMNISTConfig(frames: 60, size: size, digits: 3),
                                             stream: RandomStream(seed: 1, name: "bounce"), count: 100)
            var touched = Set<Int>()
            for i in 0..<g.count {
                for track in g.tracks(sequence: i) {
                    for t in 0..<60 {
                        XCTAssertTrue((0...(size - 28)).contains(track.top[t]) && (0...(size - 28)).contains(track.left[t]))
                        if track.top[t] == 0 { touched.insert(0) }
                        if track.left[t] == size - 28 { touched.insert(1) }
                    }
                    if size == 64 {
                        // Constant speed: 3.6 px a frame, up to truncation and reflection.
                        for t in 1..<60 {
                            let dy = track.top[t] - track.top[t - 1], dx = track.left[t] - track.left[t - 1]
                            XCTAssertLessThanOrEqual(dy * dy + dx * dx, 25)
                        }
                    }
                }
            }
            XCTAssertEqual(touched, [0, 1], "digits never reached the edges at size \(size)")
        }
        // With a single solid digit, the lit pixels of each frame are exactly the square at the track.
        let g = try MovingMNISTGenerator(digits: syntheticDigits(1), config: MovingMNISTConfig(frames: 30, size: 50, digits: 1),
                                         stream: RandomStream(seed: 3, name: "x"), count: 5)
        for i in 0..<5 {
            let seq = try Dataset(g).sequence(i)
            let track = g.tracks(sequence: i)[0]
            for t in 0..<30 {
                var lit = 0, inside = 0
                for y in 0..<50 { for x in 0..<50 where seq[t, 0, y, x] > 0 {
                    lit += 1
                    if (track.top[t]..<(track.top[t] + 28)).contains(y) && (track.left[t]..<(track.left[t] + 28)).contains(x) { inside += 1 }
                } }
                XCTAssertEqual(lit, 784)
                XCTAssertEqual(inside, 784)
            }
        }
    }

    func testPixelRangeAndOverlap() throws {
        // Digits whose pixels span 0…255.
        var px = [UInt8]()
        for k in 0..<6 { px += (0..<784).map { (i: Int) -> UInt8 in UInt8((i * 3 + k * 50) % 256) } }
        let digits = MNISTDigits(rows: 28, columns: 28, pixels: px, labels: [0, 1, 2, 3, 4, 5], provenance: "ramp")
        for overlap in [Overlap.maximum, .clippedSum] {
            let ds = try generator(digits, config: MovingMNISTConfig(frames: 10, size: 48, digits: 3, overlap: overlap))
            let v = try ds.batch(indices: Array(0..<20)).toArray()
            XCTAssertEqual(v.min(), 0)
            XCTAssertLessThanOrEqual(v.max()!, 1)
            XCTAssertEqual(v.max(), 1)
        }
        // Maximum overlap: every pixel is one of the k/255 values.
        let v = try generator(digits, config: MovingMNISTConfig(frames: 10, size: 48, digits: 3)).sequence(0).toArray()
        XCTAssertTrue(v.allSatisfy { ($0 * 255).rounded() / 255 == $0 })
    }

    func testTrainAndTestUseDisjointDigits() throws {
        // Synthetic digits whose value encodes their identity; split like the CSV.
        let all = syntheticDigits(50)
        let split = Digits.splitCSV(all)
        let data = try MovingMNIST.make(train: 100, test: 40, digits: split, config: MovingMNISTConfig(frames: 4, size: 40),
                                        trainStream: RandomStream(seed: 5, name: "train"))
        func identities(_ ds: Dataset) throws -> Set<Float> {
            var s = Set<Float>()
            for i in 0..<ds.count { for v in try ds[i].toArray() where v > 0 { s.insert(v) } }
            return s
        }
        let train = try identities(data.train), test = try identities(data.test)
        XCTAssertGreaterThan(train.count, 30)
        XCTAssertGreaterThan(test.count, 5)
        XCTAssertTrue(train.isDisjoint(with: test))
        // Test sequences come from a fixed stream: another training seed leaves them unchanged.
        let other = try MovingMNIST.make(train: 10, test: 40, digits: split, config: MovingMNISTConfig(frames: 4, size: 40),
                                         trainStream: RandomStream(seed: 99, name: "train"))
        XCTAssertEqual(try other.test.batch(indices: [0, 39]).toArray(), try data.test.batch(indices: [0, 39]).toArray())
        XCTAssertNotEqual(try other.train[0].toArray(), try data.train[0].toArray())
    }

    func testArgumentErrors() throws {
        let d = syntheticDigits(3)
        let s = RandomStream(seed: 0, name: "x")
        XCTAssertThrowsError(try MovingMNISTGenerator(digits: d, config: MovingMNISTConfig(size: 20), stream: s, count: 1)) {
            XCTAssertTrue("\($0)".contains("size 20 is smaller than the 28×28 digits"), "\($0)")
        }
        XCTAssertThrowsError(try MovingMNISTGenerator(digits: d, config: MovingMNISTConfig(frames: 0), stream: s, count: 1))
        XCTAssertThrowsError(try MovingMNISTGenerator(digits: d, config: MovingMNISTConfig(digits: 0), stream: s, count: 1))
        let ds = try generator(count: 5)
        XCTAssertThrowsError(try ds.sequence(5)) { XCTAssertTrue("\($0)".contains("index 5 is out of range 0..<5"), "\($0)") }
        XCTAssertThrowsError(try ds[-1])
        XCTAssertThrowsError(try ds.batch(indices: []))
        XCTAssertThrowsError(try ds.batch(indices: [0, 9]))
    }

    /// The path a training step takes (a batch of eight from a large dataset, at its start, in
    /// its middle and at its very end) gives exactly the sequences drawn one at a time: eight
    /// different sequences, every frame in [0, 1] with a whole digit in it. How fast it is
    /// belongs to a benchmark, not here.
    func testBatchOfEightFromALargeDatasetIsItsSequences() throws {
        let ds = try generator(count: 10_000)
        let per = 20 * 64 * 64
        for start in [0, 4_096, 9_992] {
            let batch = try ds.batch(indices: Array(start..<(start + 8)))
            XCTAssertEqual(batch.shape, [8, 20, 1, 64, 64])
            let all = batch.toArray()
            var previous: ArraySlice<Float> = []
            for k in 0..<8 {
                let got = all[(k * per)..<((k + 1) * per)]
                XCTAssertTrue(got.elementsEqual(try ds.sequence(start + k).toArray()),
                              "batch \(start)..<\(start + 8): row \(k) is not sequence \(start + k)")
                XCTAssertTrue(got.allSatisfy { (0...1).contains($0) }, "sequence \(start + k) leaves [0, 1]")
                // The synthetic digits are solid 28×28 squares: every frame shows at least one whole.
                let lit = (0..<20).map { t in got[(got.startIndex + t * 4096)..<(got.startIndex + (t + 1) * 4096)].filter { $0 > 0 }.count }
                XCTAssertTrue(lit.allSatisfy { $0 >= 784 }, "sequence \(start + k): lit pixels per frame \(lit)")
                XCTAssertFalse(got.elementsEqual(previous), "sequences \(start + k - 1) and \(start + k) are the same")
                previous = got
            }
        }
    }
}
