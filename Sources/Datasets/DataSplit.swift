// DataSplit: `split(ds, train:, validation:, test:)` — contiguous blocks of a
// dataset's sequences in order (never shuffled), each part given as a
// fraction of the sequences or a count, in the fixed order train, validation,
// test (any subset). Overlapping windows of one series must not leak between
// parts: a part's leading windows that share a frame with a window of an
// earlier part (same series) are dropped, and counted. Sequences that are not
// windows of a series (generated Moving MNIST, a tensor) never overlap.
//   counts: a fraction f gives ⌊f·n⌋; when the fractions given sum to 1, the
//   last part takes the rest, so no sequence is left over by rounding.
import TensorEngine

/// A source whose sequences are windows of longer series (ArraySequences).
public protocol WindowedSource: SequenceSource {
    /// The series of sequence i and the frames it covers.
    func span(_ i: Int) -> (series: Int, frames: Range<Int>)
}

extension ArraySequences: WindowedSource {
    public func span(_ i: Int) -> (series: Int, frames: Range<Int>) {
        let (n, t0) = window(i)
        return (n, t0..<(t0 + frames))
    }
}

/// The sequences `indices` of another source, in that order.
public final class SubsetSequences: SequenceSource, @unchecked Sendable {
    public let base: any SequenceSource
    public let indices: [Int]
    public let summary: String
    public var count: Int { indices.count }
    public var frames: Int { base.frames }
    public var channels: Int { base.channels }
    public var height: Int { base.height }
    public var width: Int { base.width }

    public init(_ base: any SequenceSource, indices: [Int], summary: String) {
        self.base = base
        self.indices = indices
        self.summary = summary
    }

    public func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) {
        base.write(sequence: indices[i], into: dst)
    }
}

public enum DataSplit {
    public enum Amount: Equatable, Sendable {
        case fraction(Double), count(Int)
    }

    public struct Part: Sendable {
        public let name: String
        /// The sequences of the whole dataset it holds, in order.
        public let indices: [Int]
        /// The block it was given before straddling windows were dropped.
        public let block: Range<Int>
        /// Windows dropped from its start (they share frames with an earlier part).
        public let dropped: Int
    }

    public static let order = ["train", "validation", "test"]

    /// Splits `count` sequences into the parts named in `amounts` (keys from `order`).
    public static func plan(count n: Int, amounts: [(name: String, amount: Amount)],
                            span: ((Int) -> (series: Int, frames: Range<Int>))?) throws -> [Part] {
        func bad(_ s: String) -> TensorError { .invalidArgument(op: "split", detail: s) }
        guard !amounts.isEmpty else { throw bad("name at least one part: train:, validation: or test:") }
        let parts = order.compactMap { name in amounts.first { $0.name == name } }
        var counts: [Int] = []
        let fractions = parts.compactMap { if case .fraction(let f) = $0.amount { return f } else { return nil } }
        let allFractions = fractions.count == parts.count
        let fractionSum = fractions.reduce(0, +)
        for (k, p) in parts.enumerated() {
            switch p.amount {
            case .fraction(let f):
                guard f >= 0 && f <= 1 else { throw bad("\(p.name): a fraction must be in [0, 1], got \(f)") }
                if allFractions && abs(fractionSum - 1) < 1e-9 && k == parts.count - 1 {
                    counts.append(n - counts.reduce(0, +))
                } else {
                    counts.append(Int((f * Double(n)).rounded(.down)))
                }
            case .count(let c):
                guard c >= 0 else { throw bad("\(p.name): a count must be at least 0, got \(c)") }
                counts.append(c)
            }
        }
        if allFractions && fractionSum > 1 + 1e-9 { throw bad("the fractions sum to \(fractionSum), more than 1") }
        let total = counts.reduce(0, +)
        guard total <= n else {
            throw bad("the parts ask for \(total) sequences (\(zip(parts, counts).map { "\($0.name) \($1)" }.joined(separator: ", "))); the dataset has \(n)")
        }
        var out: [Part] = []
        var start = 0
        var reach: [Int: Int] = [:]   // series → the end of the frames earlier parts cover
        for (p, c) in zip(parts, counts) {
            let block = start..<(start + c)
            var kept: [Int] = []
            var dropped = 0
            for i in block {
                if let span, let end = reach[span(i).series], span(i).frames.lowerBound < end {
                    dropped += 1
                    continue
                }
                kept.append(i)
            }
            if let span { for i in kept { let s = span(i); reach[s.series] = max(reach[s.series] ?? 0, s.frames.upperBound) } }
            out.append(Part(name: p.name, indices: kept, block: block, dropped: dropped))
            start += c
        }
        return out
    }

    /// The parts of `dataset` as datasets, with their plan.
    public static func split(_ dataset: Dataset, amounts: [(name: String, amount: Amount)]) throws -> [(part: Part, dataset: Dataset)] {
        let windowed = dataset.source as? any WindowedSource
        let parts = try plan(count: dataset.count, amounts: amounts, span: windowed.map { w in { w.span($0) } })
        return parts.map { p in
            var text = "\(p.name) part (sequences \(p.block.lowerBound)..<\(p.block.upperBound)"
            if p.dropped > 0 { text += ", \(p.dropped) straddling window\(p.dropped == 1 ? "" : "s") dropped" }
            text += ") of " + dataset.description
            return (p, Dataset(SubsetSequences(dataset.source, indices: p.indices, summary: text)))
        }
    }
}
