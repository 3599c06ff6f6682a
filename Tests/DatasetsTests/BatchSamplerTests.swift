// The seeded batch sampler: epochs visit every sequence once, the batches
// are a pure function of (stream, step), and its state round-trips through
// Codable so a resumed run sees the same batches.
import Foundation
import TensorEngine
import XCTest
import Datasets

final class BatchSamplerTests: XCTestCase {
    func testEpochsCoverEverySequenceOnce() throws {
        var s = try BatchSampler(count: 10, batchSize: 4, stream: RandomStream(seed: 1, name: "batches"))
        var drawn: [Int] = []
        for _ in 0..<5 { drawn += s.next() }  // 20 draws = exactly two epochs
        XCTAssertEqual(drawn[0..<10].sorted(), Array(0..<10))
        XCTAssertEqual(drawn[10..<20].sorted(), Array(0..<10))
        XCTAssertNotEqual(Array(drawn[0..<10]), Array(drawn[10..<20]), "each epoch is reshuffled")
        XCTAssertNotEqual(Array(drawn[0..<10]), Array(0..<10), "the order is shuffled")
        XCTAssertEqual(s.step, 5)
    }

    func testDeterministicAndResumable() throws {
        let stream = RandomStream(seed: 3, name: "batches")
        var a = try BatchSampler(count: 37, batchSize: 8, stream: stream)
        var b = try BatchSampler(count: 37, batchSize: 8, stream: stream)
        var first: [[Int]] = []
        for _ in 0..<12 { first.append(a.next()) }
        for k in 0..<12 { XCTAssertEqual(b.next(), first[k]) }
        // Checkpoint after step 5 and resume from the decoded state.
        var c = try BatchSampler(count: 37, batchSize: 8, stream: stream)
        for _ in 0..<5 { _ = c.next() }
        var resumed = try JSONDecoder().decode(BatchSampler.self, from: JSONEncoder().encode(c))
        XCTAssertEqual(resumed, c)
        for k in 5..<12 { XCTAssertEqual(resumed.next(), first[k]) }
        XCTAssertEqual(a.indices(forStep: 7), first[7])
        // Another stream gives other batches.
        var d = try BatchSampler(count: 37, batchSize: 8, stream: RandomStream(seed: 4, name: "batches"))
        XCTAssertNotEqual(d.next(), first[0])
    }

    func testBatchLargerThanDataset() throws {
        var s = try BatchSampler(count: 3, batchSize: 7, stream: RandomStream(seed: 0, name: "b"))
        let b = s.next()
        XCTAssertEqual(b.count, 7)
        XCTAssertEqual(b[0..<3].sorted(), [0, 1, 2])
        XCTAssertEqual(b[3..<6].sorted(), [0, 1, 2])
        XCTAssertThrowsError(try BatchSampler(count: 0, batchSize: 1, stream: RandomStream(key: 1)))
        XCTAssertThrowsError(try BatchSampler(count: 5, batchSize: 0, stream: RandomStream(key: 1)))
    }

    func testSamplerFeedsBatches() throws {
        let ds = Dataset(try MovingMNISTGenerator(digits: syntheticDigits(5), config: MovingMNISTConfig(frames: 3, size: 32),
                                                  stream: RandomStream(seed: 0, name: "d"), count: 9))
        var sampler = try ds.sampler(batch: 2, stream: RandomStream(seed: 0, name: "s"))
        let idx = sampler.next()
        let batch = try ds.batch(indices: idx)
        XCTAssertEqual(batch.shape, [2, 3, 1, 32, 32])
        XCTAssertEqual(Array(batch.toArray()[0..<(3 * 32 * 32)]), try ds[idx[0]].toArray())
    }
}
