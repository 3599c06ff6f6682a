// Seeded, counter-based randomness: Philox 4×32-10 (Salmon et al., SC 2011,
// the generator of PyTorch's and cuRAND's GPU streams). A `RandomStream` is a
// value that knows its key and position; named streams are derived from a root
// seed and a stable string key, so adding a consumer never shifts the numbers
// another consumer sees. Draws depend only on (key, counter): the same on every
// machine and for any thread count.
import Foundation

/// The Philox 4×32-10 block function: 128-bit counter, 64-bit key → 4 words.
public func philox4x32(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
    var (c0, c1, c2, c3) = counter
    var (k0, k1) = key
    for round in 0..<10 {
        if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
        let p0 = UInt64(0xD251_1F53) * UInt64(c0)
        let p1 = UInt64(0xCD9E_8D57) * UInt64(c2)
        let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
        let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
        (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
    }
    return (c0, c1, c2, c3)
}

/// SplitMix64 finalizer, used only to derive keys (not to draw numbers).
@inline(__always) func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// FNV-1a over UTF-8 bytes: a stable string hash (Swift's `hashValue` is randomized per process).
@inline(__always) func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

/// A stream of random numbers: a Philox key and a 64-bit block position.
/// Each block yields four 32-bit words; uniform and normal fills consume whole
/// blocks, so element `i` of a fill depends only on the key and the start
/// position — never on how the fill is split between threads.
public struct RandomStream: Equatable, Codable, Sendable {
    public let key: UInt64
    /// Index of the next unused Philox block.
    public var position: UInt64

    public init(key: UInt64, position: UInt64 = 0) {
        self.key = key
        self.position = position
    }

    /// The stream named `name` under a root seed: `RandomStream(seed: 7, name: "init/layer1")`.
    public init(seed: UInt64, name: String) {
        self.init(key: mix64(mix64(seed) ^ stableHash(name)))
    }

    /// A child stream with its own key; the parent is unchanged.
    public func split(_ name: String) -> RandomStream {
        RandomStream(key: mix64(key ^ stableHash(name)))
    }

    @inline(__always) func block(_ index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        philox4x32(counter: (UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32), 0, 0),
                   key: (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32)))
    }

    /// 24-bit uniform in [0, 1).
    @inline(__always) static func unit(_ w: UInt32) -> Float { Float(w >> 8) * 0x1p-24 }
    /// 53-bit uniform in (0, 1], for Box–Muller's logarithm.
    @inline(__always) static func unitOpen(_ a: UInt32, _ b: UInt32) -> Double {
        (Double((UInt64(a) << 21) ^ UInt64(b >> 11)) + 1) * 0x1p-53
    }

    /// Fills `n` uniforms in [low, high).
    public mutating func fillUniform(_ dst: UnsafeMutablePointer<Float>, count n: Int, low: Float = 0, high: Float = 1) {
        let blocks = (n + 3) / 4
        let base = position
        let span = high - low
        Parallel.forChunks(count: blocks, grain: 4096) { lo, hi, _ in
            for b in lo..<hi {
                let w = block(base &+ UInt64(b))
                let i = b * 4
                dst[i] = low + span * RandomStream.unit(w.0)
                if i + 1 < n { dst[i + 1] = low + span * RandomStream.unit(w.1) }
                if i + 2 < n { dst[i + 2] = low + span * RandomStream.unit(w.2) }
                if i + 3 < n { dst[i + 3] = low + span * RandomStream.unit(w.3) }
            }
        }
        position &+= UInt64(blocks)
    }

    /// Fills `n` normals N(mean, std²) by Box–Muller (one block → two normals,
    /// computed in Double and rounded once).
    public mutating func fillNormal(_ dst: UnsafeMutablePointer<Float>, count n: Int, mean: Float = 0, std: Float = 1) {
        let blocks = (n + 1) / 2
        let base = position
        Parallel.forChunks(count: blocks, grain: 2048) { lo, hi, _ in
            for b in lo..<hi {
                let w = block(base &+ UInt64(b))
                let u1 = RandomStream.unitOpen(w.0, w.1)
                let u2 = Double(w.2 >> 8) * 0x1p-24 + Double(w.3 >> 8) * 0x1p-48
                let r = (-2 * PortableMath.log(u1)).squareRoot()
                let (sin, cos) = PortableMath.sinCos(turns: u2)     // θ = 2π·u2, without libm
                let z0 = Float(r * cos), z1 = Float(r * sin)
                dst[b * 2] = mean + std * z0
                if b * 2 + 1 < n { dst[b * 2 + 1] = mean + std * z1 }
            }
        }
        position &+= UInt64(blocks)
    }

    /// One uniform Double in [0, 1) with 53 bits (consumes a block).
    public mutating func nextDouble() -> Double {
        let w = block(position)
        position &+= 1
        return Double((UInt64(w.0) << 21) ^ UInt64(w.1 >> 11)) * 0x1p-53
    }

    /// A uniform integer in 0..<bound, without modulo bias (consumes one block
    /// per attempt).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let w = block(position)
            position &+= 1
            let x = (UInt64(w.0) << 32) | UInt64(w.1)
            if x < limit { return Int(x % b) }
        }
    }

    /// A permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, nextInt(below: i + 1))
        }
        return p
    }
}

extension Tensor {
    /// Uniform values in [low, high) drawn from `stream`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, stream: inout RandomStream) -> Tensor {
        let t = Tensor(uninitialized: shape)
        stream.fillUniform(t.data, count: t.count, low: low, high: high)
        return t
    }

    /// Normal values N(mean, std²) drawn from `stream`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, stream: inout RandomStream) -> Tensor {
        let t = Tensor(uninitialized: shape)
        stream.fillNormal(t.data, count: t.count, mean: mean, std: std)
        return t
    }
}
