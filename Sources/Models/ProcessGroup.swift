// ProcessGroup: the processes that share one training or evaluation call, and
// the fixed leaf decomposition that makes their result independent of how
// many there are (docs/engine.md, "Many processes").
//
//   leaf          one sample of the global batch (training) or one chunk of
//                 `batch` consecutive sequences (validation, evaluation); the
//                 leaves depend only on the call, never on the process count
//   partition     rank r of n computes the contiguous leaves
//                 LeafPartition.range(count:rank:size:); an all-gather of raw
//                 bytes gives every rank every leaf, in leaf order
//   reduction     LeafReduction.sum adds the leaves elementwise in leaf order,
//                 starting from +0, identically on every rank, and one
//                 process runs the very same code over its own leaves
//
// Deliberately not: MPI float reductions (they may regroup a sum), or any
// MPI at all: the host passes in a group backed by MPI (`kymo` under mpirun).
import Foundation

/// The processes of a data-parallel run. `SingleProcess` is the plain run.
public protocol ProcessGroup: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Every rank's bytes concatenated in rank order, on every rank; `counts[r]`
    /// is rank r's byte count (the same list everywhere). Bit-exact.
    func allGather(bytes: [UInt8], counts: [Int]) throws -> [UInt8]
    /// Every rank's floats concatenated in rank order, bit for bit (through
    /// `allGather(bytes:)` unless a group has a shorter way).
    func allGather(floats local: [Float], counts: [Int]) throws -> [Float]
    /// Every rank's doubles concatenated in rank order, bit for bit.
    func allGather(doubles local: [Double], counts: [Int]) throws -> [Double]
}

public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allGather(bytes: [UInt8], counts: [Int]) throws -> [UInt8] { bytes }
    // The plain run's own values, without two copies through bytes.
    public func allGather(floats local: [Float], counts: [Int]) throws -> [Float] { local }
    public func allGather(doubles local: [Double], counts: [Int]) throws -> [Double] { local }
}

extension ProcessGroup {
    public func allGather(floats local: [Float], counts: [Int]) throws -> [Float] {
        let bytes = try allGather(bytes: local.withUnsafeBytes { [UInt8]($0) }, counts: counts.map { $0 * 4 })
        return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    public func allGather(doubles local: [Double], counts: [Int]) throws -> [Double] {
        let bytes = try allGather(bytes: local.withUnsafeBytes { [UInt8]($0) }, counts: counts.map { $0 * 8 })
        return bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    /// True on every rank when `flag` is true on any (a collective: every rank calls it).
    public func any(_ flag: Bool) throws -> Bool {
        if size == 1 { return flag }
        return try allGather(bytes: [flag ? 1 : 0], counts: Array(repeating: 1, count: size)).contains(1)
    }

    /// Leaves of `count` that this rank computes.
    public func leaves(of count: Int) -> Range<Int> { LeafPartition.range(count: count, rank: rank, size: size) }
}

public enum LeafPartition {
    /// Rank r's contiguous leaves of `count`: the first `count % size` ranks
    /// get one more. Ranks beyond `count` get none. Concatenated in rank order
    /// the ranges are 0 ..< count, so an all-gather is in leaf order.
    public static func range(count: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(size >= 1 && rank >= 0 && rank < size && count >= 0)
        let base = count / size, extra = count % size
        let lo = rank * base + min(rank, extra)
        return lo ..< lo + base + (rank < extra ? 1 : 0)
    }

    /// How many leaves each rank computes, in rank order.
    public static func counts(count: Int, size: Int) -> [Int] {
        (0..<size).map { range(count: count, rank: $0, size: size).count }
    }
}

public enum LeafReduction {
    /// Σ over leaves l = 0 ..< n of leaf l, elementwise, left to right from +0:
    /// out[i] = ((0 + leaf0[i]) + leaf1[i]) + …, where leaf l occupies
    /// `flat[l·stride + offset ..< l·stride + offset + length]`. One fixed
    /// order whatever computed the leaves.
    public static func sum(_ flat: UnsafeBufferPointer<Float>, leaves n: Int, stride: Int, offset: Int, length: Int,
                           into out: UnsafeMutablePointer<Float>) {
        precondition(offset + length <= stride && n * stride <= flat.count)
        for i in 0..<length { out[i] = 0 }
        for l in 0..<n {
            let p = flat.baseAddress! + l * stride + offset
            for i in 0..<length { out[i] += p[i] }
        }
    }

    /// The same over an array of equally long leaves.
    public static func sum(_ leaves: [[Float]]) -> [Float] {
        guard let first = leaves.first else { return [] }
        let flat = leaves.flatMap { $0 }
        var out = [Float](repeating: 0, count: first.count)
        flat.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { o in
                sum(f, leaves: leaves.count, stride: first.count, offset: 0, length: first.count, into: o.baseAddress!)
            }
        }
        return out
    }
}
