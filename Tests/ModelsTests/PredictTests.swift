// predict, scheduled sampling and attention maps: seq2seq rolls out by feeding
// predictions back; a sampling mask mixes truth and prediction per sequence;
// attention rows are probability rows on the patch grid; evaluate runs.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class PredictTests: XCTestCase {
    func testSeq2SeqRollOut() throws {
        let cfg = ModelConfig(family: .convlstm, mode: .seq2seq, layers: 2, hidden: 3, kernel: 3, size: 6, channels: 1,
                              framesIn: 3, framesOut: 3, activation: .relu)
        let m = try Model(config: cfg, seed: 2)
        let seq = randomTensor([5, 1, 6, 6], "seq", low: 0, high: 1)
        let p = try m.predict(seq)                                       // [3, 1, 6, 6]
        XCTAssertEqual(p.shape, [3, 1, 6, 6])
        // by hand: next = f(window); window slides by one with the prediction appended
        var window = try seq.slice(axis: 0, start: 0, length: 3).reshaped([1, 3, 1, 6, 6])
        for k in 0..<3 {
            let next = try withNoGrad { try m.forward(window) }
            XCTAssertTrue(sameBits(next, try p.slice(axis: 0, start: k, length: 1).reshaped([1, 1, 1, 6, 6])), "roll-out step \(k)")
            window = try Tensor.concat([try window.slice(axis: 1, start: 1, length: 2), next], axis: 1)
        }
    }

    func testSamplingMaskMixesPerSequence() throws {
        let cfg = ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 3, kernel: 3, size: 4, channels: 1,
                              patch: 2, framesIn: 2, framesOut: 3)
        let m = try Model(config: cfg, seed: 1)
        let frames = randomTensor([2, 4, 1, 4, 4], "frames", low: 0, high: 1)
        let teacher = try withNoGrad { try m.forward(frames, sampling: [[true, true], [true, true]]) }
        let free = try withNoGrad { try m.forward(frames) }
        let mixed = try withNoGrad { try m.forward(frames, sampling: [[true, true], [false, false]]) }
        XCTAssertTrue(sameBits(try mixed.select(axis: 0, index: 0), try teacher.select(axis: 0, index: 0)))
        XCTAssertTrue(sameBits(try mixed.select(axis: 0, index: 1), try free.select(axis: 0, index: 1)))
        XCTAssertFalse(sameBits(teacher, free))
        // the first prediction never depends on the mask
        XCTAssertTrue(sameBits(try teacher.select(axis: 1, index: 0), try free.select(axis: 1, index: 0)))
        XCTAssertThrowsError(try m.forward(frames, sampling: [[true]]))
        // schedule: linear decay, then the end value
        let s = SamplingSchedule.standard(totalSteps: 30)
        XCTAssertEqual(s, .linear(from: 1, to: 0, steps: 20))
        XCTAssertEqual(s.probability(atStep: 0), 1)
        XCTAssertEqual(s.probability(atStep: 10), 0.5)
        XCTAssertEqual(s.probability(atStep: 25), 0)
        XCTAssertEqual(SamplingSchedule(text: s.text), s)
    }

    func testAttentionMapsAndEvaluate() throws {
        let cfg = ModelConfig(family: .samConvlstm, mode: .predictor, layers: 2, hidden: 4, kernel: 3, size: 8, channels: 1,
                              patch: 2, framesIn: 3, framesOut: 2, attentionHidden: 2)
        let m = try Model(config: cfg, seed: 1)
        let seq = randomTensor([5, 1, 8, 8], "seq", low: 0, high: 1)
        let maps = try m.attentionMaps(sequence: seq, layer: 2, query: (7, 3))
        XCTAssertEqual(maps.maps.shape, [4, 4, 4])                      // steps × patch grid
        XCTAssertEqual(maps.gridQuery.y, 3); XCTAssertEqual(maps.gridQuery.x, 1)
        for t in 0..<4 { XCTAssertEqual(try maps.maps.select(axis: 0, index: t).sum().item(), 1, accuracy: 1e-5) }
        // the maps do not depend on frames after frames_in
        let other = try Tensor.concat([try seq.slice(axis: 0, start: 0, length: 3), Tensor(zeros: [2, 1, 8, 8])], axis: 0)
        XCTAssertTrue(sameBits(maps.maps, try m.attentionMaps(sequence: other, layer: 2, query: (7, 3)).maps))

        let data = try BatchSource(sequences: movingSquares(n: 3, frames: 5, size: 8, seed: 4))
        let r = try m.evaluate(data, batchSize: 2)
        XCTAssertEqual(r.sequences, 3)
        XCTAssertEqual(r.mseCurve.count, 2)
        XCTAssertTrue(r.ssim > -1 && r.ssim <= 1 && r.mse > 0, "\(r)")
        var seen: [Int] = []
        _ = try m.evaluate(data, batchSize: 2, progress: { done, _ in seen.append(done) })
        XCTAssertEqual(seen, [2, 3])
    }
}
