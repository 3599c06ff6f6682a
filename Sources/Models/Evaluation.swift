// Evaluation: predictions of frames_out frames after frames_in true frames
// (predictor: one pass; seq2seq: rolled out), compared with the true frames by
// the metrics of Metrics.swift. Predictions are clipped to [0, 1] first (the
// predictor's head is unbounded; the metrics are defined for pixels in
// [0, 1]), as OpenSTL does — unless `units` is given (a normalized dataset):
// then predictions and truth are both mapped back to the data's units,
// nothing is clipped, and SSIM/PSNR use `dataRange`. Data comes through a
// `BatchSource`, so Models does not depend on Datasets.
import TensorEngine

/// A dataset as Models sees it: a count and a loader of sequences by index,
/// each batch [B, T, C, H, W] in the order of the indices.
public struct BatchSource {
    public let count: Int
    public let load: ([Int]) throws -> Tensor

    public init(count: Int, load: @escaping ([Int]) throws -> Tensor) {
        self.count = count
        self.load = load
    }

    /// A source over one tensor of sequences [N, T, C, H, W] (tests, small sets).
    public init(sequences: Tensor) throws {
        guard sequences.rank == 5 else {
            throw ModelError.badInput(op: "dataset", detail: "sequences must be [N, T, C, H, W], got \(describeShape(sequences.shape))")
        }
        let all = sequences.contiguous()   // kept alive by the closure below
        let per = all.shape[1...].reduce(1, *)
        count = all.shape[0]
        load = { indices in
            let out = Tensor(uninitialized: [indices.count] + Array(all.shape[1...]))
            all.withContiguousData { src in
                out.withMutableData { dst in
                    for (i, j) in indices.enumerated() {
                        precondition(j >= 0 && j < all.shape[0], "sequence index out of range")
                        (dst.baseAddress! + i * per).update(from: src.baseAddress! + j * per, count: per)
                    }
                }
            }
            return out
        }
    }
}

extension Model {
    /// Metrics over the first `limit` sequences (all by default) of `data`,
    /// in index order, `batchSize` at a time. Each sequence needs
    /// frames_in + frames_out frames. `shouldStop` is checked between batches
    /// (an interrupted evaluation throws `CancellationError`; one process only).
    /// With a group of several processes the chunks of `batchSize` sequences
    /// are spread over the ranks (LeafPartition) and every rank gets every
    /// sequence's metrics, in index order: the report is the same bits.
    public func evaluate(_ data: BatchSource, batchSize: Int = 8, limit: Int? = nil,
                         group: ProcessGroup = SingleProcess(),
                         units: ((Tensor) throws -> Tensor)? = nil, dataRange: Double = 1, thresholds: [Double] = [],
                         progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                         shouldStop: (() -> Bool)? = nil) throws -> MetricReport {
        let c = config
        guard batchSize >= 1 else { throw ModelError.invalidOption(op: "evaluate", detail: "batch must be at least 1, got \(batchSize)") }
        let total = min(limit ?? data.count, data.count)
        guard total >= 1 else { throw ModelError.invalidOption(op: "evaluate", detail: "the dataset is empty") }
        let chunks = (total + batchSize - 1) / batchSize
        func sequences(_ ks: Range<Int>) -> Int { ks.reduce(0) { $0 + min(batchSize, total - $1 * batchSize) } }
        var frames: [[FrameMetrics]] = []
        var tally = [Double](repeating: 0, count: 3 * thresholds.count)
        for k in group.leaves(of: chunks) {
            if group.size == 1, shouldStop?() == true { throw CancellationError() }
            let idx = Array(k * batchSize ..< min(k * batchSize + batchSize, total))
            let batch = try data.load(idx)
            try checkFrames(batch, op: "evaluate", minFrames: c.framesIn + c.framesOut)
            var truth = try batch.slice(axis: 1, start: c.framesIn, length: c.framesOut)
            var pred: Tensor
            if let units {
                pred = try units(try perSampleInLanes(batch) { try predict($0) })   // lanes: Model+Lanes.swift
                truth = try units(truth.contiguous())
            } else {
                pred = clipped(try perSampleInLanes(batch) { try predict($0) })
            }
            frames += try Metrics.perFrame(prediction: pred, truth: truth, dataRange: dataRange)
            for (k, tau) in thresholds.enumerated() {
                let n = Contingency.count(prediction: pred, truth: truth, threshold: tau)
                tally[3 * k] += n.hits; tally[3 * k + 1] += n.misses; tally[3 * k + 2] += n.falseAlarms
            }
            // Only rank 0 shows progress: its share, scaled to the whole.
            progress?(group.size == 1 ? idx.last! + 1 : min(total, (k - group.leaves(of: chunks).lowerBound + 1) * batchSize * group.size), total)
        }
        // One process goes through the same gather (an identity), so both paths build the report alike.
        let per = c.framesOut * 4
        let local = frames.flatMap { seq in seq.flatMap { [$0.mse, $0.mae, $0.ssim, $0.psnr] } }
        let counts = (0..<group.size).map { r in sequences(LeafPartition.range(count: chunks, rank: r, size: group.size)) * per }
        let all = try group.allGather(doubles: local, counts: counts)
        frames = (0..<total).map { i in
            (0..<c.framesOut).map { t in
                let o = i * per + t * 4
                return FrameMetrics(mse: all[o], mae: all[o + 1], ssim: all[o + 2], psnr: all[o + 3])
            }
        }
        var report = MetricReport(frames)
        report.dataRange = dataRange
        if !thresholds.isEmpty {
            // every rank's counts (whole numbers, exact in Double), summed in rank order
            let gathered = try group.allGather(doubles: tally, counts: [Int](repeating: tally.count, count: group.size))
            report.contingency = thresholds.enumerated().map { k, tau in
                var h = 0.0, m = 0.0, f = 0.0
                for r in 0..<group.size {
                    let o = r * tally.count + 3 * k
                    h += gathered[o]; m += gathered[o + 1]; f += gathered[o + 2]
                }
                return Contingency(threshold: tau, hits: h, misses: m, falseAlarms: f)
            }
        }
        return report
    }

    func clipped(_ t: Tensor) -> Tensor {
        let out = t.detached()
        out.withMutableData { p in
            for i in 0..<p.count { p[i] = p[i] < 0 ? 0 : (p[i] > 1 ? 1 : p[i]) }
        }
        return out
    }
}
