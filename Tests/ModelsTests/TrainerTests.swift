// The training loop: checkpoint → resume gives the same bits as an
// uninterrupted run (weights, Adam state, every loss); the loss goes down on a
// toy problem; a NaN stops training and keeps the last good weights;
// cancellation stops at a step boundary; batches cover each epoch once.
import XCTest
import Foundation
import TensorEngine
import TestSupport
@testable import Models

/// Moving squares: n sequences [T, 1, S, S] of a bright square bouncing around.
func movingSquares(n: Int, frames: Int, size: Int, seed: UInt64) -> Tensor {
    var s = RandomStream(seed: seed, name: "squares")
    let out = Tensor(zeros: [n, frames, 1, size, size])
    let side = max(2, size / 4)
    out.withMutableData { p in
        for i in 0..<n {
            var x = s.nextInt(below: size - side), y = s.nextInt(below: size - side)
            var dx = s.nextInt(below: 2) == 0 ? -1 : 1, dy = s.nextInt(below: 2) == 0 ? -1 : 1
            for t in 0..<frames {
                for yy in y..<(y + side) { for xx in x..<(x + side) { p[((i * frames + t) * size + yy) * size + xx] = 1 } }
                if x + dx < 0 || x + dx > size - side { dx = -dx }
                if y + dy < 0 || y + dy > size - side { dy = -dy }
                x += dx; y += dy
            }
        }
    }
    return out
}

final class TrainerTests: XCTestCase {
    func tinyPredictor(_ family: ModelFamily = .samConvlstm) -> ModelConfig {
        ModelConfig(family: family, mode: .predictor, layers: 2, hidden: 4, kernel: 3, size: 8, channels: 1, patch: 2,
                    framesIn: 3, framesOut: 3, activation: .tanh, attentionHidden: 2)
    }

    func testResumeIsBitIdentical() throws {
        let dir = try temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(ModelConfig, LossKind, Reduction, OptimizerKind)] = [
            (tinyPredictor(), .mse, .mean, .adam),
            (ModelConfig(family: .saConvlstm, mode: .seq2seq, layers: 2, hidden: 3, kernel: 3, size: 6, channels: 1,
                         framesIn: 3, framesOut: 2, activation: .relu, attentionHidden: 2), .bce, .sum, .adam),
            (tinyPredictor(.convlstm), .mse, .sum, .sgd),
        ]
        for (cfg, loss, reduction, optimizer) in cases {
            let train = try BatchSource(sequences: movingSquares(n: 5, frames: 6, size: cfg.size, seed: 1))
            let valid = try BatchSource(sequences: movingSquares(n: 3, frames: 6, size: cfg.size, seed: 2))
            var opts = TrainingOptions(steps: 8, optimizer: optimizer, batchSize: 2, learningRate: optimizer == .adam ? 1e-2 : 1e-3,
                                       loss: loss, reduction: reduction,
                                       validateEvery: 3, seed: 5)
            // uninterrupted
            let full = try Model(config: cfg, seed: 4)
            let h1 = try Trainer(model: full, train: train, validation: valid, options: opts).run()
            XCTAssertEqual(h1.status, .complete)
            XCTAssertEqual(h1.steps, Array(1...8))
            XCTAssertEqual(h1.validationSteps, [3, 6, 8])
            // interrupted after 5 steps (Ctrl-C), checkpointed, resumed in a fresh model
            let path = dir + "/\(cfg.mode.rawValue)-\(optimizer.rawValue).ckpt.safetensors"
            opts.checkpointEvery = 4
            opts.checkpointPath = path
            let first = try Model(config: cfg, seed: 4)
            let interrupted = try Trainer(model: first, train: train, validation: valid, options: opts)
            let h2a = try interrupted.run(shouldStop: { interrupted.step >= 5 })
            XCTAssertEqual(h2a.status, .interrupted)
            XCTAssertEqual(h2a.steps.count, 5)
            let resumedModel = try Model(config: cfg, seed: 99)       // other initial weights: all must come from the file
            let trainer = try Trainer.resume(model: resumedModel, train: train, validation: valid, options: opts, checkpoint: path)
            XCTAssertEqual(trainer.step, 5)
            let h2 = try trainer.run()
            XCTAssertEqual(h2.status, .complete)
            XCTAssertEqual(h2.steps, h1.steps)
            XCTAssertEqual(h2.loss.map(\.bitPattern), h1.loss.map(\.bitPattern), "\(cfg.mode) loss history")
            XCTAssertEqual(h2.validationSteps, h1.validationSteps)
            XCTAssertEqual(h2.validationLoss.map(\.bitPattern), h1.validationLoss.map(\.bitPattern))
            for (a, b) in zip(full.namedParameters, resumedModel.namedParameters) {
                XCTAssertTrue(sameBits(a.tensor, b.tensor), "\(cfg.mode) \(a.name) differs after resume")
            }
            // a checkpoint refuses a run that would not continue identically
            var other = opts
            other.learningRate *= 2
            XCTAssertThrowsError(try Trainer.resume(model: resumedModel, train: train, validation: valid, options: other, checkpoint: path)) { e in
                XCTAssertTrue("\(e)".contains("would not continue identically"), "\(e)")
            }
        }
    }

    func testSameBitsForAnyThreadCount() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        // With 2 or 3 threads a step's leaves run side by side (Parallel.lanes), with 1 in turn.
        let data = try BatchSource(sequences: movingSquares(n: 6, frames: 6, size: 8, seed: 7))
        for family in ModelFamily.allCases {
            let cfg = tinyPredictor(family)
            var runs: [([Float], [Tensor])] = []
            for threads in [1, 2, 3] {
                Engine.configure(threads: threads)
                let m = try Model(config: cfg, seed: 2)
                let h = try Trainer(model: m, train: data, options: TrainingOptions(steps: 4, batchSize: 3, learningRate: 1e-2, seed: 1)).run()
                XCTAssertEqual(h.loss.count, 4, "\(family)")
                runs.append((h.loss, m.parameters))
            }
            for r in runs.dropFirst() {
                XCTAssertEqual(r.0.map(\.bitPattern), runs[0].0.map(\.bitPattern), "\(family)")
                for (a, b) in zip(r.1, runs[0].1) { XCTAssertTrue(sameBits(a, b), "\(family) \(a.name ?? "")") }
            }
        }
    }

    func testLossGoesDownOnMovingSquares() throws {
        let cfg = ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 8, kernel: 3, size: 8, channels: 1, patch: 2,
                              framesIn: 3, framesOut: 3, activation: .tanh)
        let model = try Model(config: cfg, seed: 1)
        let data = try BatchSource(sequences: movingSquares(n: 16, frames: 6, size: 8, seed: 3))
        let h = try Trainer(model: model, train: data, options: TrainingOptions(steps: 40, batchSize: 4, learningRate: 1e-2, seed: 1)).run()
        let first = h.loss.prefix(5).reduce(0, +) / 5, last = h.loss.suffix(5).reduce(0, +) / 5
        XCTAssertLessThan(last, 0.6 * first, "loss \(first) → \(last)")
    }

    func testNaNStopsAndKeepsLastGoodWeights() throws {
        let cfg = tinyPredictor(.convlstm)
        let model = try Model(config: cfg, seed: 1)
        let clean = movingSquares(n: 4, frames: 6, size: 8, seed: 1)
        var loads = 0
        var afterStep2: [Tensor] = []
        let source = BatchSource(count: 4) { idx in
            loads += 1
            if loads == 5 {                            // step 3's first sample (one load per sample) holds a NaN pixel
                afterStep2 = model.parameters.map { $0.detached() }
                let bad = try BatchSource(sequences: clean).load(idx).detached()
                bad.withMutableData { $0[7] = .nan }
                return bad
            }
            return try BatchSource(sequences: clean).load(idx)
        }
        let h = try Trainer(model: model, train: source, options: TrainingOptions(steps: 5, batchSize: 2, seed: 0)).run()
        XCTAssertEqual(h.status, .diverged)
        XCTAssertEqual(h.loss.count, 2)
        XCTAssertTrue(h.message?.contains("step 3") == true && h.message?.contains("nan") == true, h.message ?? "")
        for (p, q) in zip(model.parameters, afterStep2) { XCTAssertTrue(sameBits(p, q), "weights changed by the NaN step") }
    }

    func testInterruptInsideAForwardPassChangesNothing() throws {
        let cfg = tinyPredictor()
        let data = try BatchSource(sequences: movingSquares(n: 4, frames: 6, size: 8, seed: 1))
        let model = try Model(config: cfg, seed: 1)
        let trainer = try Trainer(model: model, train: data, options: TrainingOptions(steps: 5, batchSize: 2, seed: 0))
        var calls = 0, weightsAfter2: [Tensor] = []
        // The samples' forward passes run in lanes side by side, each calling shouldStop: count under a lock.
        let lock = NSLock()
        let h = try trainer.run(shouldStop: {
            lock.lock(); defer { lock.unlock() }
            calls += 1
            if trainer.step == 2 && weightsAfter2.isEmpty { weightsAfter2 = model.parameters.map { $0.detached() } }
            // One check per step, then one per recurrent step of each sample's forward pass (batch 2).
            return trainer.step == 2 && calls > 2 * (1 + 2 * cfg.steps) + 3    // inside step 3's forward passes
        })
        XCTAssertEqual(h.status, .interrupted)
        XCTAssertEqual(trainer.step, 2)
        XCTAssertTrue(h.message?.contains("during step 3") == true, h.message ?? "")
        for (p, q) in zip(model.parameters, weightsAfter2) { XCTAssertTrue(sameBits(p, q)) }
    }

    func testEpochsCoverEverySequenceOnce() throws {
        let model = try Model(config: tinyPredictor(.convlstm), seed: 0)
        let data = try BatchSource(sequences: Tensor(zeros: [7, 6, 1, 8, 8]))
        let t = try Trainer(model: model, train: data, options: TrainingOptions(steps: 10, batchSize: 3, seed: 2))
        let firstEpoch = (0..<7).flatMap { _ in [Int]() } + t.batchIndices(step: 0) + t.batchIndices(step: 1) + [t.batchIndices(step: 2)[0]]
        XCTAssertEqual(firstEpoch.sorted(), Array(0..<7))
        let again = try Trainer(model: model, train: data, options: TrainingOptions(steps: 10, batchSize: 3, seed: 2))
        XCTAssertEqual(again.batchIndices(step: 4), t.batchIndices(step: 4))
        XCTAssertThrowsError(try Trainer(model: model, train: data, options: TrainingOptions(steps: 10, validateEvery: 2))) { e in
            XCTAssertTrue("\(e)".contains("no validation set"), "\(e)")
        }
    }
}
