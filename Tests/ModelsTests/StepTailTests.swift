// The serial tail of a training step spread over threads (Trainer+Leaves.swift's
// combineLeaves, GradClip's norm and scaling, SGD's update): the same bits as one thread
// running the old single loops, for 1–3 threads, on parameters long enough to
// span several chunks with a ragged last one; a non-finite value in any chunk
// is found; and a whole step with such parameters (and clipping) gives the
// same weights, losses and norms on 1, 2 and 3 threads.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class StepTailTests: XCTestCase {
    /// Values with mixed signs and magnitudes, −0 and exact cancellations among them.
    func leafValues(_ count: Int, seed: UInt64) -> [Float] {
        var s = RandomStream(seed: seed, name: "tail")
        return (0..<count).map { i in
            switch i % 97 {
            case 0: return -0.0
            case 1: return 0
            default: return Float(s.nextDouble() - 0.5) * Float(1 << (i % 9)) * 1e-3
            }
        }
    }

    func testCombineLeavesIsTheLeafSumBitForBit() {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        let b = 3, n = 2 * Trainer.combineGrain + 777, offset = 5, stride = offset + n + 3
        let flat = leafValues(b * stride, seed: 1)
        for divisor: Float? in [nil, 7] {
            // The single loop it replaces: LeafReduction.sum over the whole parameter, then the division.
            var expected = [Float](repeating: .nan, count: n)
            flat.withUnsafeBufferPointer { f in
                expected.withUnsafeMutableBufferPointer { e in
                    LeafReduction.sum(f, leaves: b, stride: stride, offset: offset, length: n, into: e.baseAddress!)
                    if let d = divisor { for i in 0..<n { e[i] /= d } }
                }
            }
            for threads in [1, 2, 3] {
                Engine.configure(threads: threads)
                var out = [Float](repeating: .nan, count: n)
                let finite = flat.withUnsafeBufferPointer { f in
                    out.withUnsafeMutableBufferPointer { Trainer.combineLeaves(f, leaves: b, stride: stride, offset: offset, into: $0, dividedBy: divisor) }
                }
                XCTAssertTrue(finite, "threads \(threads)")
                XCTAssertEqual(out.map(\.bitPattern), expected.map(\.bitPattern), "threads \(threads), divisor \(String(describing: divisor))")
            }
        }
    }

    func testCombineLeavesFindsANonFiniteValueInAnyChunk() {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        let b = 2, n = 3 * Trainer.combineGrain + 11, stride = 1 + n
        for (position, bad) in [(1 + 0, Float.nan), (1 + Trainer.combineGrain + 5, .infinity), (stride + n, -.infinity)] {
            var flat = leafValues(b * stride, seed: 2)
            flat[position] = bad
            for threads in [1, 2, 3] {
                Engine.configure(threads: threads)
                var out = [Float](repeating: 0, count: n)
                let finite = flat.withUnsafeBufferPointer { f in
                    out.withUnsafeMutableBufferPointer { Trainer.combineLeaves(f, leaves: b, stride: stride, offset: 1, into: $0, dividedBy: nil) }
                }
                XCTAssertFalse(finite, "\(bad) at \(position), threads \(threads)")
            }
        }
    }

    func testGradientNormAndClippingKeepTheirBits() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        let sizes = [5, 2 * GradClip.chunk * 8 + 100, 3 * GradClip.chunk + 1]
        func parameters() throws -> [Tensor] {
            try sizes.enumerated().map { i, n in
                let p = Tensor(zeros: [n])
                p.grad = try Tensor(leafValues(n, seed: 10 + UInt64(i)).map { $0 * 1e3 }, shape: [n])
                return p
            }
        }
        // The single loop the norm was: chunks of `chunk` in order, each chunk's sum added to the total.
        var total = 0.0
        for (i, n) in sizes.enumerated() {
            let g = leafValues(n, seed: 10 + UInt64(i)).map { $0 * 1e3 }
            var lo = 0
            while lo < n {
                let hi = min(n, lo + GradClip.chunk)
                var s = 0.0
                for j in lo..<hi { let x = Double(g[j]); s += x * x }
                total += s
                lo = hi
            }
        }
        let norm = total.squareRoot()
        let maxNorm = norm / 3
        let f = Float(maxNorm / (norm + 1e-6))
        for threads in [1, 2, 3] {
            Engine.configure(threads: threads)
            XCTAssertEqual(GradClip.totalNorm(try parameters()).bitPattern, norm.bitPattern, "threads \(threads)")
            let ps = try parameters()
            XCTAssertEqual(GradClip.clip(ps, maxNorm: maxNorm).bitPattern, norm.bitPattern, "threads \(threads)")
            for (i, p) in ps.enumerated() {
                let expected = leafValues(sizes[i], seed: 10 + UInt64(i)).map { $0 * 1e3 * f }
                XCTAssertEqual(p.grad!.toArray().map(\.bitPattern), expected.map(\.bitPattern), "parameter \(i), threads \(threads)")
            }
        }
    }

    func testSGDKeepsItsBitsForAnyThreadCount() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        let n = 2 * (1 << 15) + 3
        let w0 = leafValues(n, seed: 20), grads = [leafValues(n, seed: 21), leafValues(n, seed: 22)]
        for (momentum, decay) in [(Float(0), Float(0)), (0.9, 0.01)] {
            // The update written out on one thread: g += wd·p; b = μ·b + g (b = g at first); p −= lr·b.
            var p = w0, b: [Float]? = nil
            let lr: Float = 0.1
            for g0 in grads {
                var g = g0
                if decay != 0 { for j in 0..<n { g[j] += decay * p[j] } }
                if momentum != 0 {
                    if var bb = b { for j in 0..<n { bb[j] = momentum * bb[j] + g[j] }; b = bb } else { b = g }
                    for j in 0..<n { p[j] -= lr * b![j] }
                } else {
                    for j in 0..<n { p[j] -= lr * g[j] }
                }
            }
            for threads in [1, 2, 3] {
                Engine.configure(threads: threads)
                let w = try Tensor(w0, shape: [n])
                let sgd = SGD(parameters: [w], learningRate: lr, momentum: momentum, weightDecay: decay)
                for g in grads {
                    w.grad = try Tensor(g, shape: [n])
                    try sgd.update()
                }
                XCTAssertEqual(w.toArray().map(\.bitPattern), p.map(\.bitPattern), "momentum \(momentum), decay \(decay), threads \(threads)")
            }
        }
    }

    func testSingleProcessGatherIsItsOwnValues() throws {
        let group: ProcessGroup = SingleProcess()   // as the trainer holds it
        let floats: [Float] = [1, -0.0, .nan, 3]
        let g = try group.allGather(floats: floats, counts: [4])
        XCTAssertEqual(g.map(\.bitPattern), floats.map(\.bitPattern))
        // its own array, not a copy made through bytes
        XCTAssertEqual(g.withUnsafeBufferPointer { $0.baseAddress }, floats.withUnsafeBufferPointer { $0.baseAddress })
        let doubles: [Double] = [2, -0.0]
        let d = try group.allGather(doubles: doubles, counts: [2])
        XCTAssertEqual(d.map(\.bitPattern), doubles.map(\.bitPattern))
        XCTAssertEqual(d.withUnsafeBufferPointer { $0.baseAddress }, doubles.withUnsafeBufferPointer { $0.baseAddress })
    }

    /// A step whose parameters span several combine and norm chunks (hidden 24:
    /// gate weights of 41,472 elements), with clipping: the same bits on 1–3 threads.
    func testStepWithLongParametersHasTheSameBitsForAnyThreadCount() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        let cfg = ModelConfig(family: .convlstm, mode: .predictor, layers: 2, hidden: 24, kernel: 3, size: 8, channels: 1, patch: 2,
                              framesIn: 2, framesOut: 2, activation: .tanh, attentionHidden: 2)
        let data = try BatchSource(sequences: movingSquares(n: 4, frames: 4, size: 8, seed: 3))
        var runs: [(loss: [Float], norm: [Float], weights: [Tensor])] = []
        for threads in [1, 2, 3] {
            Engine.configure(threads: threads)
            let m = try Model(config: cfg, seed: 4)
            XCTAssertGreaterThan(m.parameters.map(\.count).max() ?? 0, Trainer.combineGrain)
            var o = TrainingOptions(steps: 3, batchSize: 3, learningRate: 1e-2, seed: 1)
            o.clipNorm = 0.05
            let h = try Trainer(model: m, train: data, options: o).run()
            XCTAssertEqual(h.loss.count, 3)
            runs.append((h.loss, h.gradNorm, m.parameters))
        }
        for (k, r) in runs.enumerated().dropFirst() {
            XCTAssertEqual(r.loss.map(\.bitPattern), runs[0].loss.map(\.bitPattern), "threads \(k + 1)")
            XCTAssertEqual(r.norm.map(\.bitPattern), runs[0].norm.map(\.bitPattern), "threads \(k + 1)")
            for (a, b) in zip(r.weights, runs[0].weights) { XCTAssertTrue(sameBits(a, b), "threads \(k + 1) \(a.name ?? "")") }
        }
    }
}
