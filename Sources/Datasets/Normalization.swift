// Normalization: per-channel statistics fitted on one dataset (the training
// part) and applied to any: "standard" x' = (x − mean) / std (population std,
// as numpy's x.std()), "minmax" x' = (x − min) / (max − min). Statistics are
// computed in Double over every element of every sequence the dataset holds
// (overlapping windows count each time they appear), channel by channel.
// `invert` maps values back to the data's units (for metrics and predictions).
// Arithmetic is Double per element, rounded once to Float: the same bits on
// every machine.
import TensorEngine

public struct Normalization: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable { case standard, minmax }
    public let kind: Kind
    /// Per channel: x' = (x − offset) / scale.
    public let offset: [Double], scale: [Double]
    /// The fitted statistics by name, per channel: mean/std or min/max.
    public let statistics: [(name: String, values: [Double])]
    /// The largest channel's max − min in the data fitted on (the L of SSIM/PSNR
    /// in data units); nil when built from offsets and scales alone.
    public var dataRange: Double? = nil

    public static func == (a: Normalization, b: Normalization) -> Bool {
        a.kind == b.kind && a.offset == b.offset && a.scale == b.scale
    }

    public init(kind: Kind, offset: [Double], scale: [Double]) {
        self.kind = kind
        self.offset = offset
        self.scale = scale
        switch kind {
        case .standard: statistics = [("mean", offset), ("std", scale)]
        case .minmax: statistics = [("min", offset), ("max", zip(offset, scale).map { $0 + $1 })]
        }
    }

    /// Fits the statistics on every element of `dataset`, channel by channel.
    public static func fit(_ dataset: Dataset, kind: Kind) throws -> Normalization {
        let c = dataset.channels, plane = dataset.height * dataset.width, t = dataset.frames
        guard dataset.count > 0 else { throw TensorError.invalidArgument(op: "normalize", detail: "the dataset to fit on is empty") }
        var sum = [Double](repeating: 0, count: c), lo = [Double](repeating: .infinity, count: c), hi = [Double](repeating: -.infinity, count: c)
        var n = 0
        let seq = Tensor(uninitialized: dataset.sequenceShape)
        func each(_ body: (_ ch: Int, _ v: Double) -> Void) {
            seq.withMutableData { s in
                for i in 0..<dataset.count {
                    dataset.source.write(sequence: i, into: s.baseAddress!)
                    for f in 0..<t { for ch in 0..<c {
                        let p = s.baseAddress! + (f * c + ch) * plane
                        for k in 0..<plane { body(ch, Double(p[k])) }
                    } }
                }
            }
        }
        each { ch, v in sum[ch] += v; lo[ch] = Swift.min(lo[ch], v); hi[ch] = Swift.max(hi[ch], v) }
        n = dataset.count * t * plane
        switch kind {
        case .standard:
            let mean = sum.map { $0 / Double(n) }
            var ss = [Double](repeating: 0, count: c)
            each { ch, v in let d = v - mean[ch]; ss[ch] += d * d }
            let std = ss.map { ($0 / Double(n)).squareRoot() }
            if let ch = std.firstIndex(where: { !($0 > 0) }) {
                throw TensorError.invalidArgument(op: "normalize", detail: "channel \(ch) is constant (\(mean[ch])) in the data fitted on: its std is 0; use \"minmax\" or drop the channel")
            }
            var n = Normalization(kind: kind, offset: mean, scale: std)
            n.dataRange = zip(lo, hi).map { $1 - $0 }.max()
            return n
        case .minmax:
            let range = zip(lo, hi).map { $1 - $0 }
            if let ch = range.firstIndex(where: { !($0 > 0) }) {
                throw TensorError.invalidArgument(op: "normalize", detail: "channel \(ch) is constant (\(lo[ch])) in the data fitted on: max − min is 0")
            }
            var n = Normalization(kind: kind, offset: lo, scale: range)
            n.dataRange = range.max()
            return n
        }
    }

    /// Normalizes [.., C, H, W] blocks in place: `count` values of frames with `channels` × `plane`.
    func apply(_ p: UnsafeMutablePointer<Float>, frames: Int, plane: Int, inverse: Bool) {
        let c = offset.count
        for f in 0..<frames { for ch in 0..<c {
            let q = p + (f * c + ch) * plane, a = offset[ch], b = scale[ch]
            if inverse {
                for k in 0..<plane { q[k] = Float(Double(q[k]) * b + a) }
            } else {
                for k in 0..<plane { q[k] = Float((Double(q[k]) - a) / b) }
            }
        } }
    }

    /// Back to the data's units: `x` is [B, T, C, H, W] or [T, C, H, W] with this normalization's C.
    public func invert(_ x: Tensor) throws -> Tensor {
        let s = x.shape
        guard s.count >= 3, s[s.count - 3] == offset.count else {
            throw TensorError.invalidArgument(op: "normalize", detail: "\(describeShape(s)) does not have the \(offset.count) channels the normalization was fitted on")
        }
        let out = x.detached().contiguous()
        let plane = s[s.count - 1] * s[s.count - 2]
        out.withMutableData { apply($0.baseAddress!, frames: out.count / (plane * offset.count), plane: plane, inverse: true) }
        return out
    }

    /// One line: `standard per channel: mean [0.5, 2], std [0.1, 1]`.
    public var summary: String {
        "\(kind.rawValue) per channel, fitted: " + statistics.map { "\($0.name) [\($0.values.map { "\($0)" }.joined(separator: ", "))]" }.joined(separator: ", ")
    }
}

/// A source's sequences normalized.
public final class NormalizedSequences: SequenceSource, @unchecked Sendable {
    public let base: any SequenceSource
    public let normalization: Normalization
    public let summary: String
    public var count: Int { base.count }
    public var frames: Int { base.frames }
    public var channels: Int { base.channels }
    public var height: Int { base.height }
    public var width: Int { base.width }

    public init(_ base: any SequenceSource, _ normalization: Normalization) throws {
        guard base.channels == normalization.offset.count else {
            throw TensorError.invalidArgument(op: "normalize", detail: "the dataset has \(base.channels) channels; the normalization was fitted on \(normalization.offset.count)")
        }
        self.base = base
        self.normalization = normalization
        summary = base.summary + "; normalized " + normalization.summary
    }

    public func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) {
        base.write(sequence: i, into: dst)
        normalization.apply(dst, frames: frames, plane: height * width, inverse: false)
    }
}
