// Validation and evaluation forward each sequence in a lane of its own
// (Model+Lanes.swift) and must give the bits of one forward of the whole
// chunk, as they did before lanes: checked for every family in both modes,
// on 1, 2 and 3 threads, against the whole-batch forward and metrics.
import XCTest
import TensorEngine
@testable import Models

final class ValidationLanesTests: XCTestCase {
    func configs() -> [ModelConfig] {
        ModelFamily.allCases.flatMap { f in [
            // A 16×16 grid over 3 samples: Winograd's 128-tile chunks cross sample boundaries in the batch forward.
            ModelConfig(family: f, mode: .predictor, layers: 2, hidden: 4, kernel: 3, size: 32, channels: 1, patch: 2,
                        framesIn: 3, framesOut: 3, activation: .tanh, attentionHidden: 2),
            ModelConfig(family: f, mode: .seq2seq, layers: 2, hidden: 3, kernel: 3, size: 12, channels: 1,
                        framesIn: 3, framesOut: 2, activation: .relu, attentionHidden: 2),
        ] }
    }

    func testValidationAndEvaluationLanesKeepTheBatchBits() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        for cfg in configs() {
            let what = "\(cfg.family) \(cfg.mode)"
            let model = try Model(config: cfg, seed: 3)
            let seqs = movingSquares(n: 3, frames: 6, size: cfg.size, seed: 4)
            let input = try seqs.slice(axis: 1, start: 0, length: cfg.framesIn).contiguous()
            let truth = try seqs.slice(axis: 1, start: cfg.framesIn, length: cfg.framesOut)
            Engine.configure(threads: 1)
            let whole = try withNoGrad { try model.forward(input) }
            let wholePrediction = try model.predict(seqs)
            let wholeMetrics = try Metrics.perFrame(prediction: model.clipped(wholePrediction), truth: truth)
            for threads in [1, 2, 3] {
                Engine.configure(threads: threads)
                let lanes = try withNoGrad { try model.perSampleInLanes(input) { try model.forward($0) } }
                XCTAssertEqual(lanes.shape, whole.shape, what)
                XCTAssertTrue(sameBits(lanes, whole), "\(what): forward in lanes on \(threads) thread(s) differs from the batch forward")
                let prediction = try model.perSampleInLanes(seqs) { try model.predict($0) }
                XCTAssertTrue(sameBits(prediction, wholePrediction), "\(what): predict in lanes on \(threads) thread(s)")
                // evaluate goes through the lanes: its metrics are those of the whole-batch prediction, bit for bit.
                let report = try model.evaluate(try BatchSource(sequences: seqs), batchSize: 3)
                let want = MetricReport(wholeMetrics)
                XCTAssertEqual(report.sequences, 3, what)
                XCTAssertEqual((report.mseCurve + report.maeCurve + report.ssimCurve + report.psnrCurve).map(\.bitPattern),
                               (want.mseCurve + want.maeCurve + want.ssimCurve + want.psnrCurve).map(\.bitPattern), what)
                XCTAssertEqual([report.mse, report.mae, report.ssim, report.psnr].map(\.bitPattern),
                               [want.mse, want.mae, want.ssim, want.psnr].map(\.bitPattern), what)
            }
        }
    }
}
