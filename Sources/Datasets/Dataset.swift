// Dataset: what the notebook calls a dataset — a numbered collection of
// sequences, each a tensor [T, C, H, W] (Moving MNIST: C = 1, pixels in
// [0, 1]) — and batching into [B, T, C, H, W]. The sequences come from a
// `SequenceSource`: the on-the-fly generator (MovingMNISTGenerator), the
// memory-mapped standard test file (MovingMNISTFile), a user's array file
// (ArraySequences, load_sequences), or a tensor held in memory (TensorSequences).
// Deliberately not: caching, prefetching, or augmentation.
import TensorEngine

/// Something that can write sequence i. `write` must write every element of
/// the [frames, channels, height, width] block and be safe to call from several
/// threads at once for different i.
public protocol SequenceSource: AnyObject {
    var count: Int { get }
    var frames: Int { get }
    /// Channels of a frame (1 unless the source says otherwise).
    var channels: Int { get }
    var height: Int { get }
    var width: Int { get }
    /// One line saying what the sequences are and where they come from.
    var summary: String { get }
    func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>)
}

extension SequenceSource {
    public var channels: Int { 1 }
}

public final class Dataset: CustomStringConvertible {
    public let source: any SequenceSource

    public init(_ source: any SequenceSource) { self.source = source }

    public var count: Int { source.count }
    public var frames: Int { source.frames }
    public var channels: Int { source.channels }
    public var height: Int { source.height }
    public var width: Int { source.width }
    /// The shape of one sequence: [T, C, H, W].
    public var sequenceShape: [Int] { [frames, channels, height, width] }
    public var description: String { source.summary }

    /// Sequence i as [T, C, H, W].
    public func sequence(_ i: Int) throws -> Tensor {
        try check(i)
        let t = Tensor(uninitialized: sequenceShape)
        t.withMutableData { source.write(sequence: i, into: $0.baseAddress!) }
        return t
    }

    public subscript(i: Int) -> Tensor {
        get throws { try sequence(i) }
    }

    /// The sequences at `indices` stacked as [B, T, C, H, W], written in
    /// parallel (each sequence into its own slice, so the bytes never depend
    /// on the thread count).
    public func batch(indices: [Int]) throws -> Tensor {
        guard !indices.isEmpty else {
            throw TensorError.invalidArgument(op: "batch", detail: "no indices: a batch needs at least one sequence")
        }
        for i in indices { try check(i) }
        let out = Tensor(uninitialized: [indices.count] + sequenceShape)
        let per = frames * channels * height * width
        let src = source
        out.withMutableData { o in
            let base = o.baseAddress!
            Parallel.forEach(indices.count) { b, _ in
                src.write(sequence: indices[b], into: base + b * per)
            }
        }
        return out
    }

    /// A seeded sampler of batches of `size` over this dataset.
    public func sampler(batch size: Int, stream: RandomStream) throws -> BatchSampler {
        try BatchSampler(count: count, batchSize: size, stream: stream)
    }

    private func check(_ i: Int) throws {
        guard i >= 0 && i < count else {
            throw TensorError.invalidArgument(op: "dataset",
                detail: count == 0 ? "index \(i): the dataset is empty" : "index \(i) is out of range 0..<\(count)")
        }
    }
}

/// Sequences held in memory: a tensor [N, T, C, H, W] (or [N, T, H, W], C = 1).
public final class TensorSequences: SequenceSource, @unchecked Sendable {
    public let tensor: Tensor
    public let count: Int, frames: Int, channels: Int, height: Int, width: Int
    public let summary: String

    public init(_ tensor: Tensor, summary: String = "sequences from a tensor") throws {
        let s = tensor.shape
        guard s.count == 4 || s.count == 5 else {
            throw TensorError.invalidArgument(op: "dataset",
                detail: "expected sequences [N, T, C, H, W] or [N, T, H, W], got \(describeShape(s))")
        }
        self.tensor = tensor.detached()
        self.count = s[0]
        self.frames = s[1]
        self.channels = s.count == 5 ? s[2] : 1
        self.height = s[s.count - 2]
        self.width = s[s.count - 1]
        self.summary = summary + " \(describeShape(s))"
    }

    public func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) {
        let per = frames * channels * height * width
        tensor.withContiguousData { dst.update(from: $0.baseAddress! + i * per, count: per) }
    }
}
