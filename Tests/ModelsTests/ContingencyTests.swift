// Nowcasting scores against hand-computed counts: CSI = H/(H+M+F),
// POD = H/(H+M), FAR = F/(H+F), at each threshold (≥ is "yes"), and SSIM/PSNR
// with a stated data range (L = 1 gives the unit-range bits).
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class ContingencyTests: XCTestCase {
    func testCountsAndScoresByHand() throws {
        // 8 pixels: prediction and truth
        let p = try Tensor([0.0, 2.0, 5.0, 1.0, 7.0, 3.0, 0.5, 4.0], shape: [1, 1, 1, 2, 4])
        let t = try Tensor([1.0, 3.0, 0.0, 4.0, 6.0, 2.0, 0.0, 5.0], shape: [1, 1, 1, 2, 4])
        // τ = 2: pred ≥ 2 at 1,2,4,5,7; truth ≥ 2 at 1,3,4,5,7 → H = {1,4,5,7} = 4, M = {3} = 1, F = {2} = 1
        let c2 = Contingency.count(prediction: p, truth: t, threshold: 2)
        XCTAssertEqual([c2.hits, c2.misses, c2.falseAlarms], [4, 1, 1])
        XCTAssertEqual(c2.csi, 4.0 / 6.0)
        XCTAssertEqual(c2.pod, 4.0 / 5.0)
        XCTAssertEqual(c2.far, 1.0 / 5.0)
        // τ = 5: pred ≥ 5 at 2,4; truth ≥ 5 at 4,7 → H 1, M 1, F 1
        let c5 = Contingency.count(prediction: p, truth: t, threshold: 5)
        XCTAssertEqual([c5.hits, c5.misses, c5.falseAlarms], [1, 1, 1])
        XCTAssertEqual([c5.csi, c5.pod, c5.far], [1.0 / 3.0, 0.5, 0.5])
        // τ = 10: nothing on either side — every score undefined
        let c10 = Contingency.count(prediction: p, truth: t, threshold: 10)
        XCTAssertTrue(c10.csi.isNaN && c10.pod.isNaN && c10.far.isNaN)
    }

    func testDataRangeOfSSIMAndPSNR() throws {
        let p = randomTensor([1, 1, 1, 16, 16], "p", low: 0, high: 1), t = randomTensor([1, 1, 1, 16, 16], "t", low: 0, high: 1)
        let unit = try Metrics.perFrame(prediction: p, truth: t)[0][0]
        XCTAssertEqual(try Metrics.perFrame(prediction: p, truth: t, dataRange: 1)[0][0], unit)
        // the same frames in units 50 times larger with L = 50: the same SSIM and PSNR (up to rounding)
        let p50 = p.scaled(by: 50), t50 = t.scaled(by: 50)
        let big = try Metrics.perFrame(prediction: p50, truth: t50, dataRange: 50)[0][0]
        XCTAssertEqual(big.ssim, unit.ssim, accuracy: 1e-6)   // float32 scaling rounds
        XCTAssertEqual(big.psnr, unit.psnr, accuracy: 1e-6)
        XCTAssertEqual(big.mse, unit.mse * 2500, accuracy: 1e-6 * unit.mse * 2500)
    }

    func testEvaluateInDataUnitsWithThresholds() throws {
        let cfg = ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 2, kernel: 3, height: 4, width: 6, channels: 2,
                              patch: 1, framesIn: 2, framesOut: 2)
        let model = try Model(config: cfg, seed: 4)
        let data = try BatchSource(sequences: randomTensor([3, 4, 2, 4, 6], "seqs", low: 0, high: 1))
        let units: (Tensor) throws -> Tensor = { $0.scaled(by: 10, plus: 5) }
        let r = try model.evaluate(data, batchSize: 2, units: units, dataRange: 10, thresholds: [5, 9])
        XCTAssertEqual(r.dataRange, 10)
        XCTAssertEqual(r.contingency.map(\.threshold), [5, 9])
        // by hand over the same predictions and truth, in units
        var h = 0.0, m = 0.0, f = 0.0
        for i in 0..<3 {
            let seq = try data.load([i])
            let pred = try units(try model.predict(seq)), truth = try units(try seq.slice(axis: 1, start: 2, length: 2).contiguous())
            let c = Contingency.count(prediction: pred, truth: truth, threshold: 9)
            h += c.hits; m += c.misses; f += c.falseAlarms
        }
        XCTAssertEqual([r.contingency[1].hits, r.contingency[1].misses, r.contingency[1].falseAlarms], [h, m, f])
        XCTAssertEqual(r.contingency[0].hits + r.contingency[0].misses + r.contingency[0].falseAlarms > 0, true)
    }
}
