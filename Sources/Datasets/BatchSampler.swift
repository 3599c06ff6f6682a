// BatchSampler: seeded random batches of sequence indices for training.
// Batches walk through epochs; epoch e is the permutation
// `stream.split("epoch/\(e)").permutation(count)`, and step k takes positions
// k·B ..< (k+1)·B of the endless concatenation of those permutations (a batch
// may straddle two epochs). The state is just (stream, count, batch size,
// step): Codable, so a checkpoint restores it, and `indices(forStep:)` is a
// pure function of it, so a resumed run sees exactly the same batches.
// Deliberately not: weighting, stratification, or dropping the last batch.
import TensorEngine

public struct BatchSampler: Codable, Equatable, Sendable {
    public let stream: RandomStream
    public let count: Int
    public let batchSize: Int
    /// Batches drawn so far by `next()`.
    public var step: Int

    public init(count: Int, batchSize: Int, stream: RandomStream, step: Int = 0) throws {
        guard count > 0 else { throw TensorError.invalidArgument(op: "batch", detail: "cannot draw batches from an empty dataset") }
        guard batchSize > 0 else { throw TensorError.invalidArgument(op: "batch", detail: "batch size must be positive, got \(batchSize)") }
        guard step >= 0 else { throw TensorError.invalidArgument(op: "batch", detail: "step must be non-negative, got \(step)") }
        self.stream = stream
        self.count = count
        self.batchSize = batchSize
        self.step = step
    }

    /// The permutation of 0..<count that epoch e visits.
    public func epochOrder(_ epoch: Int) -> [Int] {
        var s = stream.split("epoch/\(epoch)")
        return s.permutation(count)
    }

    /// The indices of batch k (no state involved).
    public func indices(forStep k: Int) -> [Int] {
        precondition(k >= 0, "negative step")
        var out: [Int] = []
        out.reserveCapacity(batchSize)
        var position = k * batchSize
        var epoch = -1
        var order: [Int] = []
        while out.count < batchSize {
            let e = position / count
            if e != epoch { epoch = e; order = epochOrder(e) }
            out.append(order[position % count])
            position += 1
        }
        return out
    }

    /// The next batch's indices; advances `step`.
    public mutating func next() -> [Int] {
        defer { step += 1 }
        return indices(forStep: step)
    }
}
