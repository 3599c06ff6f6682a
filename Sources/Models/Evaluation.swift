// Evaluation: predictions of frames_out frames after frames_in true frames
// (predictor: one pass; seq2seq: rolled out), compared with the true frames by
// the metrics of Metrics.swift. Predictions are clipped to [0, 1] first (the
// predictor's head is unbounded; the metrics are defined for pixels in
// [0, 1]), as OpenSTL does. Data comes through a `BatchSource`, so Models
// does not depend on Datasets.
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
        let all = sequences.contiguous()
        let per = all.shape[1...].reduce(1, *)
        count = all.shape[0]
        load = { indices in
            let out = Tensor(uninitialized: [indices.count] + Array(all.shape[1...]))
            for (i, j) in indices.enumerated() {
                precondition(j >= 0 && j < all.shape[0], "sequence index out of range")
                (out.data + i * per).update(from: all.data + j * per, count: per)
            }
            return out
        }
    }
}

extension Model {
    /// Metrics over the first `limit` sequences (all by default) of `data`,
    /// in index order, `batchSize` at a time. Each sequence needs
    /// frames_in + frames_out frames. `shouldStop` is checked between batches
    /// (an interrupted evaluation throws `CancellationError`).
    public func evaluate(_ data: BatchSource, batchSize: Int = 8, limit: Int? = nil,
                         progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                         shouldStop: (() -> Bool)? = nil) throws -> MetricReport {
        let c = config
        guard batchSize >= 1 else { throw ModelError.invalidOption(op: "evaluate", detail: "batch must be at least 1, got \(batchSize)") }
        let total = min(limit ?? data.count, data.count)
        guard total >= 1 else { throw ModelError.invalidOption(op: "evaluate", detail: "the dataset is empty") }
        var frames: [[FrameMetrics]] = []
        var start = 0
        while start < total {
            if shouldStop?() == true { throw CancellationError() }
            let idx = Array(start..<min(start + batchSize, total))
            let batch = try data.load(idx)
            try checkFrames(batch, op: "evaluate", minFrames: c.framesIn + c.framesOut)
            let truth = try batch.slice(axis: 1, start: c.framesIn, length: c.framesOut)
            let pred = clipped(try predict(batch))
            frames += try Metrics.perFrame(prediction: pred, truth: truth)
            start += idx.count
            progress?(start, total)
        }
        return MetricReport(frames)
    }

    func clipped(_ t: Tensor) -> Tensor {
        let out = t.detached()
        let p = out.data
        for i in 0..<out.count { p[i] = p[i] < 0 ? 0 : (p[i] > 1 ? 1 : p[i]) }
        return out
    }
}
