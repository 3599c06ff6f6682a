// Schedules, clipping, weight decay and early stopping: PyTorch's numbers
// (Goldens/training_goldens.json, from reference/gen_training_goldens.py) —
// every schedule's lr over 1,000 steps to 1e-12 relative, SGD/Adam/AdamW steps
// with weight decay, clipping and OneCycle's momentum to 1e-6 relative, the
// clip norm to 1e-6 — a OneCycle + clip + early-stop run that resumes bit for
// bit from a checkpoint (also one left behind by a killed process), the same
// bits for any thread count, and every bad value refused before step one.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class TrainingKnobsTests: XCTestCase {
    static func goldens() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Goldens.path("training_goldens.json")))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A schedule spec from the JSON, with Swift types per key.
    static func schedule(_ spec: [String: Any]) throws -> LRSchedule {
        let ints: Set<String> = ["step_size", "warmup", "t_max", "total_steps"]
        let flags: Set<String> = ["three_phase", "cycle_momentum"]
        var fields: [(key: String, value: Any)] = []
        for key in spec.keys.sorted() {
            let v = spec[key]!
            if let s = v as? String { fields.append((key, s)) }
            else if flags.contains(key) { fields.append((key, (v as! NSNumber).boolValue)) }
            else if ints.contains(key) { fields.append((key, (v as! NSNumber).intValue)) }
            else { fields.append((key, (v as! NSNumber).doubleValue)) }
        }
        return try LRSchedule(fields: fields)
    }

    static func doubles(_ v: Any?) -> [Double] { (v as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue } }

    func testSchedulesMatchPyTorch() throws {
        let g = try Self.goldens()
        let steps = (g["steps"] as! NSNumber).intValue
        let cases = try XCTUnwrap(g["schedules"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let name = c["name"] as! String
            let sched = try Self.schedule(c["spec"] as! [String: Any])
            let plan = try sched.plan(steps: steps, lr: (c["lr"] as! NSNumber).doubleValue)
            let want = Self.doubles(c["lrs"])
            XCTAssertEqual(plan.lr.count, want.count, name)
            var worst = 0.0
            for (a, b) in zip(plan.lr, want) { worst = max(worst, abs(a - b) / abs(b)) }
            XCTAssertLessThanOrEqual(worst, 1e-12, "\(name): lr relative error \(worst)")
            let wantM = Self.doubles(c["momentum"])
            if !wantM.isEmpty && name.hasPrefix("onecycle") {
                let m = try XCTUnwrap(plan.momentum, name)
                var wm = 0.0
                for (a, b) in zip(m, wantM) { wm = max(wm, abs(a - b) / abs(b)) }
                XCTAssertLessThanOrEqual(wm, 1e-12, "\(name): momentum relative error \(wm)")
                print("schedule \(name): lr rel err \(worst), momentum rel err \(wm)")
            } else {
                print("schedule \(name): lr rel err \(worst)")
            }
        }
    }

    func testOptimizerStepsMatchPyTorch() throws {
        let g = try Self.goldens()
        let cases = try XCTUnwrap(g["optimizers"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let name = c["name"] as! String
            let shapes = (c["shapes"] as! [[NSNumber]]).map { $0.map(\.intValue) }
            let initial = (c["initial"] as! [Any]).map(Self.doubles)
            let params = try zip(shapes, initial).map { try Tensor($1.map { Float($0) }, shape: $0) }
            let lr = (c["lr"] as! NSNumber).doubleValue, wd = (c["weight_decay"] as! NSNumber).doubleValue
            let clip = (c["clip"] as! NSNumber).doubleValue
            let opt: Optimizer
            switch c["optimizer"] as! String {
            case "sgd": opt = SGD(parameters: params, learningRate: Float(lr), weightDecay: Float(wd))
            case "adam": opt = Adam(parameters: params, learningRate: Float(lr), weightDecay: Float(wd))
            default: opt = Adam(parameters: params, learningRate: Float(lr), weightDecay: Float(wd), decoupled: true)
            }
            let grads = c["grads"] as! [[Any]], after = c["params"] as! [[Any]]
            let norms = Self.doubles(c["grad_norm"]), lrs = Self.doubles(c["lrs"])
            let plan = try Self.schedule(c["schedule"] as! [String: Any]).plan(steps: grads.count, lr: lr)
            var worstP = 0.0, worstN = 0.0
            for k in 0..<grads.count {
                for (i, p) in params.enumerated() { p.grad = try Tensor(Self.doubles(grads[k][i]).map { Float($0) }, shape: shapes[i]) }
                let (norm, usedLR) = try Trainer.update(opt, step: k, plan: plan, clipNorm: clip)
                worstN = max(worstN, abs(norm - norms[k]) / norms[k])
                XCTAssertEqual(usedLR, lrs[k], accuracy: 1e-12 * lrs[k], "\(name) lr of step \(k)")
                for (i, p) in params.enumerated() {
                    let want = Self.doubles(after[k][i]), got = p.toArray()
                    let scale = want.map(abs).max() ?? 1
                    // the goldens' measure: max |error| over max |golden| of the tensor
                    for (a, b) in zip(got, want) { worstP = max(worstP, abs(Double(a) - b) / scale) }
                }
            }
            XCTAssertLessThanOrEqual(worstP, 1e-6, "\(name): parameter relative error \(worstP)")
            XCTAssertLessThanOrEqual(worstN, 1e-6, "\(name): clip norm relative error \(worstN)")
            print("optimizer \(name): parameters rel err \(worstP), norm rel err \(worstN)")
        }
    }

    func testClipSemantics() throws {
        let a = try Tensor([3, 0], shape: [2]), b = try Tensor([4], shape: [1])
        a.grad = try Tensor([3, 0], shape: [2]); b.grad = try Tensor([4], shape: [1])
        XCTAssertEqual(GradClip.clip([a, b], maxNorm: 10), 5)                 // coef ≥ 1: untouched
        XCTAssertEqual(a.grad!.toArray(), [3, 0])
        XCTAssertEqual(GradClip.clip([a, b], maxNorm: 1), 5)
        XCTAssertEqual(Double(b.grad!.toArray()[0]), 4 / (5 + 1e-6), accuracy: 1e-7)
    }

    // MARK: resume, threads

    func knobsConfig() -> ModelConfig {
        ModelConfig(family: .samConvlstm, mode: .predictor, layers: 2, hidden: 4, kernel: 3, size: 8, channels: 1, patch: 2,
                    framesIn: 3, framesOut: 3, activation: .tanh, attentionHidden: 2)
    }

    func knobsOptions() -> TrainingOptions {
        var o = TrainingOptions(steps: 14, optimizer: .adamw, batchSize: 2, learningRate: 0.3, validateEvery: 2, seed: 5)
        o.schedule = LRSchedule(kind: .onecycle)
        o.clipNorm = 0.03
        o.weightDecay = 0.01
        o.earlyStopPatience = 2
        return o
    }

    struct Outcome {
        var history: TrainingHistory
        var weights: [Tensor]
    }

    func assertSame(_ a: Outcome, _ b: Outcome, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.history.steps, b.history.steps, what, file: file, line: line)
        XCTAssertEqual(a.history.loss.map(\.bitPattern), b.history.loss.map(\.bitPattern), "\(what): loss", file: file, line: line)
        XCTAssertEqual(a.history.lr.map(\.bitPattern), b.history.lr.map(\.bitPattern), "\(what): lr", file: file, line: line)
        XCTAssertEqual(a.history.gradNorm.map(\.bitPattern), b.history.gradNorm.map(\.bitPattern), "\(what): grad norm", file: file, line: line)
        XCTAssertEqual(a.history.validationSteps, b.history.validationSteps, what, file: file, line: line)
        XCTAssertEqual(a.history.validationLoss.map(\.bitPattern), b.history.validationLoss.map(\.bitPattern), "\(what): validation", file: file, line: line)
        XCTAssertEqual(a.history.bestStep, b.history.bestStep, "\(what): best step", file: file, line: line)
        XCTAssertEqual(a.history.status, b.history.status, "\(what): status", file: file, line: line)
        for (x, y) in zip(a.weights, b.weights) { XCTAssertTrue(sameBits(x, y), "\(what): \(x.name ?? "weight") differs", file: file, line: line) }
    }

    func testOneCycleClipEarlyStopResumesBitForBit() throws {
        let dir = try temporaryDirectory("knobs-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cfg = knobsConfig()
        let train = try BatchSource(sequences: movingSquares(n: 5, frames: 6, size: 8, seed: 1))
        let valid = try BatchSource(sequences: movingSquares(n: 3, frames: 6, size: 8, seed: 2))
        var opts = knobsOptions()
        let full = try Model(config: cfg, seed: 4)
        let h1 = try Trainer(model: full, train: train, validation: valid, options: opts).run()
        let reference = Outcome(history: h1, weights: full.parameters)
        XCTAssertEqual(h1.lr.count, h1.steps.count)
        XCTAssertEqual(h1.gradNorm.count, h1.steps.count)
        XCTAssertTrue(h1.gradNorm.allSatisfy { Double($0) > 0.03 }, "clipping should be active: \(h1.gradNorm)")
        let best = try XCTUnwrap(h1.bestStep)
        XCTAssertTrue(h1.validationSteps.contains(best))
        let bestLoss = h1.validationLoss[h1.validationSteps.firstIndex(of: best)!]
        XCTAssertEqual(bestLoss, h1.validationLoss.min())
        XCTAssertEqual(h1.status, .earlyStopped, "this run is meant to stop early (after step 8, best step 4)")
        XCTAssertLessThan(h1.steps.count, opts.steps)
        print("knobs run: status \(h1.status), \(h1.steps.count) steps, best step \(best), validation \(h1.validationLoss)")

        // Ctrl-C after step 5 (the Trainer checkpoints when it stops), resumed in a fresh model
        let path = dir + "/run.ckpt.safetensors", killed = dir + "/killed.ckpt.safetensors"
        opts.checkpointEvery = 4
        opts.checkpointPath = path
        let first = try Model(config: cfg, seed: 4)
        let interrupted = try Trainer(model: first, train: train, validation: valid, options: opts)
        let h2a = try interrupted.run(progress: { p in
            // what a kill -9 after step 6 leaves behind: the checkpoint of step 4
            if p.step == 4 { try? FileManager.default.copyItem(atPath: path, toPath: killed) }
        }, shouldStop: { interrupted.step >= 6 })
        XCTAssertEqual(h2a.status, .interrupted)
        for (ckpt, at) in [(path, 6), (killed, 4)] {
            let m = try Model(config: cfg, seed: 99)
            let t = try Trainer.resume(model: m, train: train, validation: valid, options: opts, checkpoint: ckpt)
            XCTAssertEqual(t.step, at)
            let h = try t.run()
            assertSame(Outcome(history: h, weights: m.parameters), reference, "resumed at step \(at)")
        }
        // a finished (early-stopped or complete) run resumes to the same end at once
        let m3 = try Model(config: cfg, seed: 99)
        let t3 = try Trainer.resume(model: m3, train: train, validation: valid, options: opts, checkpoint: path)
        _ = try t3.run()
        let m4 = try Model(config: cfg, seed: 98)
        let t4 = try Trainer.resume(model: m4, train: train, validation: valid, options: opts, checkpoint: path)
        let h4 = try t4.run()
        assertSame(Outcome(history: h4, weights: m4.parameters), reference, "resumed after the end")
        // a resume that leaves sampling unset keeps the saved (non-default) sampling schedule
        var sampled = opts
        sampled.sampling = .constant(0.5)
        sampled.checkpointPath = dir + "/sampled.ckpt.safetensors"
        let ms = try Model(config: cfg, seed: 4)
        let ts = try Trainer(model: ms, train: train, validation: valid, options: sampled)
        _ = try ts.run(shouldStop: { ts.step >= 3 })
        var unset = sampled
        unset.sampling = nil
        XCTAssertEqual(try Trainer.resume(model: try Model(config: cfg, seed: 1), train: train, validation: valid, options: unset,
                                          checkpoint: sampled.checkpointPath!).sampling, .constant(0.5))
        // other knobs do not continue this run
        var other = opts
        other.clipNorm = 1
        XCTAssertThrowsError(try Trainer.resume(model: m4, train: train, validation: valid, options: other, checkpoint: path)) { e in
            XCTAssertTrue("\(e)".contains("would not continue identically"), "\(e)")
        }
    }

    func testEarlyStopKeepsBestWeights() throws {
        let cfg = knobsConfig()
        let train = try BatchSource(sequences: movingSquares(n: 5, frames: 6, size: 8, seed: 1))
        let valid = try BatchSource(sequences: movingSquares(n: 3, frames: 6, size: 8, seed: 2))
        // a rate that makes validation worse at once: stops after `patience` validations
        var o = TrainingOptions(steps: 14, optimizer: .sgd, batchSize: 2, learningRate: 30, validateEvery: 2, seed: 5)
        o.schedule = LRSchedule(kind: .onecycle)
        o.earlyStopPatience = 2
        o.clipNorm = 0.03
        o.weightDecay = 0.01
        let m = try Model(config: cfg, seed: 4)
        let t = try Trainer(model: m, train: train, validation: valid, options: o)
        let h = try t.run()
        guard h.status == .earlyStopped else { return XCTFail("expected an early stop, got \(h.status): \(h.validationLoss)") }
        let best = try XCTUnwrap(h.bestStep)
        XCTAssertEqual(h.steps.last, best + 2 * 2)
        // the model holds the best step's weights: its validation loss is the best one
        XCTAssertEqual(try t.validate().bitPattern, h.validationLoss[h.validationSteps.firstIndex(of: best)!].bitPattern)
    }

    func testKnobsSameBitsForAnyThreadCount() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        let train = try BatchSource(sequences: movingSquares(n: 6, frames: 6, size: 8, seed: 7))
        let valid = try BatchSource(sequences: movingSquares(n: 3, frames: 6, size: 8, seed: 2))
        var runs: [Outcome] = []
        for threads in [1, 2, 3] {
            Engine.configure(threads: threads)
            let m = try Model(config: knobsConfig(), seed: 2)
            var o = knobsOptions()
            o.steps = 8
            o.schedule = try LRSchedule(fields: [("kind", "cosine"), ("warmup", 2)])
            runs.append(Outcome(history: try Trainer(model: m, train: train, validation: valid, options: o).run(), weights: m.parameters))
        }
        for r in runs.dropFirst() { assertSame(r, runs[0], "threads") }
    }

    // MARK: bad values

    func testBadValuesAreRefusedBeforeTraining() throws {
        let cfg = knobsConfig()
        let train = try BatchSource(sequences: movingSquares(n: 3, frames: 6, size: 8, seed: 1))
        let m = try Model(config: cfg, seed: 1)
        func expect(_ o: TrainingOptions, validation: BatchSource? = nil, _ words: String, line: UInt = #line) {
            XCTAssertThrowsError(try Trainer(model: m, train: train, validation: validation, options: o), line: line) { e in
                XCTAssertTrue("\(e)".contains(words), "\(e) does not say \(words)", line: line)
            }
        }
        func with(_ f: (inout TrainingOptions) throws -> Void) rethrows -> TrainingOptions {
            var o = TrainingOptions(steps: 10, learningRate: 1e-3)
            try f(&o)
            return o
        }
        expect(with { $0.learningRate = -1 }, "lr must be a positive number")
        expect(try with { $0.schedule = try LRSchedule(fields: [("kind", "onecycle"), ("pct_start", 1.5)]) }, "schedule: pct_start must be in (0, 1), got 1.5")
        expect(try with { $0.schedule = try LRSchedule(fields: [("kind", "onecycle"), ("pct_start", 0.0)]) }, "schedule: pct_start must be in (0, 1)")
        expect(try with { $0.schedule = try LRSchedule(fields: [("kind", "onecycle"), ("total_steps", 11)]) }, "schedule: total_steps 11 is longer than the 10 steps")
        expect(try with { $0.schedule = try LRSchedule(fields: [("kind", "onecycle"), ("max_lr", -1.0)]) }, "schedule: max_lr must be a positive number")
        expect(try with { $0.schedule = try LRSchedule(fields: [("kind", "cosine"), ("warmup", 4), ("t_max", 7)]) }, "longer than the 10 steps")
        expect(try with { $0.schedule = try LRSchedule(fields: [("kind", "step"), ("step_size", 20)]) }, "schedule: step_size 20 is longer than the 10 steps")
        expect(with { $0.clipNorm = 0 }, "clip must be a positive number, got 0")
        expect(with { $0.clipNorm = -2 }, "clip must be a positive number, got -2")
        expect(with { $0.weightDecay = -0.1 }, "weight_decay must be at least 0")
        expect(with { $0.earlyStopPatience = 3 }, "early_stop: 3 needs validation")
        expect(with { $0.earlyStopPatience = 0; $0.validateEvery = 2 }, validation: train, "early_stop must be at least 1")
        XCTAssertThrowsError(try LRSchedule(text: "cosin")) { e in XCTAssertTrue("\(e)".contains("schedule: unknown schedule \"cosin\""), "\(e)") }
        XCTAssertThrowsError(try LRSchedule(fields: [("kind", "onecycle"), ("pct", 0.3)])) { e in
            XCTAssertTrue("\(e)".contains("unknown key 'pct' for a onecycle schedule"), "\(e)")
        }
    }
}
