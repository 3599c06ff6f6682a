// The leaf decomposition behind multi-process training (ProcessGroup.swift):
// partitions cover the leaves in order; the reduction is a left-to-right sum
// from +0 (not pairwise, not reordered); and rank r of n processes computes
// exactly the bytes of its leaves that one process computes, so after the
// gather every rank updates the weights to the one-process bits. The other
// ranks are simulated: a group replays the one-process gather, checking that
// this rank's share matches it bit for bit.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

/// Records every gather of a one-process run.
final class RecordingGroup: ProcessGroup {
    var gathers: [[UInt8]] = []
    var rank: Int { 0 }
    var size: Int { 1 }
    func allGather(bytes: [UInt8], counts: [Int]) throws -> [UInt8] { gathers.append(bytes); return bytes }
}

/// Rank `rank` of `size`: each gather returns the recorded one-process result
/// after checking that this rank's part is identical to its slice of it.
final class SimulatedRank: ProcessGroup {
    let rank: Int, size: Int
    var recorded: [[UInt8]]
    var mismatches: [String] = []
    init(rank: Int, size: Int, recorded: [[UInt8]]) { self.rank = rank; self.size = size; self.recorded = recorded }
    func allGather(bytes: [UInt8], counts: [Int]) throws -> [UInt8] {
        // The step-boundary stop vote (one byte per rank; one process does not vote).
        if counts.allSatisfy({ $0 == 1 }) { return [UInt8](repeating: 0, count: size) }
        let all = recorded.removeFirst()
        let start = counts[..<rank].reduce(0, +)
        if counts.reduce(0, +) != all.count || Array(all[start ..< start + counts[rank]]) != bytes {
            mismatches.append("rank \(rank) of \(size): its leaves differ from one process's")
        }
        return all
    }
}

final class LeafReductionTests: XCTestCase {
    func testPartitionsCoverTheLeavesInOrder() {
        for count in 0...9 {
            for size in 1...5 {
                let ranges = (0..<size).map { LeafPartition.range(count: count, rank: $0, size: size) }
                XCTAssertEqual(ranges.flatMap { Array($0) }, Array(0..<count), "count \(count), size \(size)")
                XCTAssertLessThanOrEqual(ranges.map(\.count).max()! - ranges.map(\.count).min()!, 1)
                XCTAssertEqual(LeafPartition.counts(count: count, size: size), ranges.map(\.count))
            }
        }
    }

    func testReductionIsLeftToRightFromPositiveZero() {
        // 1e8 + 1 − 1e8 rounds differently left to right than pairwise.
        let leaves: [[Float]] = [[1e8, -0.0], [1, -0.0], [-1e8, -0.0], [1, -0.0]]
        let s = LeafReduction.sum(leaves)
        var left: Float = 0
        for l in leaves { left += l[0] }
        XCTAssertEqual(s[0].bitPattern, left.bitPattern)
        XCTAssertEqual(s[0], 1)   // ((1e8 + 1) − 1e8) + 1: the 1 is lost, then added
        XCTAssertNotEqual(s[0], (leaves[0][0] + leaves[1][0]) + (leaves[2][0] + leaves[3][0]))
        XCTAssertEqual(s[1].bitPattern, Float(0).bitPattern, "starts from +0")
        XCTAssertEqual(LeafReduction.sum([]), [])
    }

    func testEveryRankOfEveryProcessCountReachesTheOneProcessBits() throws {
        let cfgs = [
            ModelConfig(family: .samConvlstm, mode: .predictor, layers: 1, hidden: 3, kernel: 3, size: 8, channels: 1, patch: 2,
                        framesIn: 2, framesOut: 3, activation: .tanh, attentionHidden: 2),
            ModelConfig(family: .convlstm, mode: .seq2seq, layers: 1, hidden: 3, kernel: 3, size: 6, channels: 1,
                        framesIn: 2, framesOut: 2, activation: .tanh, attentionHidden: 2),
        ]
        for (c, cfg) in cfgs.enumerated() {
            let train = try BatchSource(sequences: movingSquares(n: 7, frames: 5, size: cfg.size, seed: 3))
            let valid = try BatchSource(sequences: movingSquares(n: 5, frames: 5, size: cfg.size, seed: 4))
            var options = TrainingOptions(steps: 2, batchSize: 5, learningRate: 1e-2, reduction: c == 0 ? .mean : .sum, seed: 9)
            options.validateEvery = 2
            options.sampling = c == 0 ? .constant(0.5) : nil
            let oneGroup = RecordingGroup()
            let one = try Trainer(model: try Model(config: cfg, seed: 1), train: train, validation: valid, options: options)
            one.group = oneGroup
            let history = try one.run()
            XCTAssertEqual(history.status, .complete)
            let report = try one.model.evaluate(valid, batchSize: 2, group: oneGroup)
            let reference = one.model.namedParameters.map { $0.tensor.contiguous().toArray() }
            for size in 2...4 {
                for rank in 0..<size {
                    let g = SimulatedRank(rank: rank, size: size, recorded: oneGroup.gathers)
                    let t = try Trainer(model: try Model(config: cfg, seed: 1), train: train, validation: valid, options: options)
                    t.group = g
                    let h = try t.run()
                    let r = try t.model.evaluate(valid, batchSize: 2, group: g)
                    XCTAssertEqual(g.mismatches, [], "config \(c)")
                    XCTAssertEqual(h.loss.map(\.bitPattern), history.loss.map(\.bitPattern))
                    XCTAssertEqual(h.validationLoss.map(\.bitPattern), history.validationLoss.map(\.bitPattern))
                    XCTAssertEqual(r.mse.bitPattern, report.mse.bitPattern)
                    XCTAssertEqual(t.model.namedParameters.map { $0.tensor.contiguous().toArray().map(\.bitPattern) },
                                   reference.map { $0.map(\.bitPattern) }, "config \(c), rank \(rank) of \(size)")
                }
            }
        }
    }

    func testCombinedGradientIsTheLeafOrderSumOfPerSampleGradients() throws {
        let cfg = ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 2, kernel: 3, size: 6, channels: 1, patch: 1,
                              framesIn: 2, framesOut: 2, activation: .tanh, attentionHidden: 2)
        let seqs = movingSquares(n: 4, frames: 4, size: 6, seed: 5)
        let train = try BatchSource(sequences: seqs)
        var options = TrainingOptions(steps: 1, batchSize: 3, learningRate: 1e-2, reduction: .mean, seed: 2)
        options.sampling = .off
        let t = try Trainer(model: try Model(config: cfg, seed: 1), train: train, options: options)
        guard case .loss = try t.leafStep(step: 0) else { return XCTFail("step failed") }
        let combined = t.model.namedParameters.map { $0.tensor.grad!.contiguous().toArray() }
        let probe = try Model(config: cfg, seed: 1)
        var perSample: [[[Float]]] = []
        for i in t.batchIndices(step: 0) {
            let x = try train.load([i])
            let (_, g) = try probe.gradients(input: x, target: try x.slice(axis: 1, start: 2, length: 2).contiguous(), reduction: .sum)
            perSample.append(g.map { $0.tensor.contiguous().toArray() })
        }
        let elements = Float(3 * 2 * 36)
        for p in 0..<combined.count {
            let sum = LeafReduction.sum(perSample.map { $0[p] }).map { $0 / elements }
            XCTAssertEqual(sum.map(\.bitPattern), combined[p].map(\.bitPattern), "parameter \(p)")
        }
    }
}
