// A digest of a small training run (conv2d + ConvLSTM gates + attention +
// layer norm + BCE, three Adam steps): its bits are a function of the Kymo
// build and the seed only, so the digest is pinned here and must come out the
// same on every AVX2/FMA CPU, GEMM path, thread count and OPENBLAS_CORETYPE.
// When a deliberate change alters bits, bump `Numerics.version` and this value together.
import XCTest
import TensorEngine

final class NumericsDigestTests: XCTestCase {
    static let expected: [String: String] = [
        "kymo-numerics-2": "dd1ded27ab58e390",   // first measured on an AMD EPYC (AVX2 path)
    ]

    /// FNV-1a over the bit patterns.
    static func digest(_ xs: [Float]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in xs {
            var b = x.bitPattern
            for _ in 0..<4 { h = (h ^ UInt64(b & 0xff)) &* 0x100_0000_01b3; b >>= 8 }
        }
        return String(h, radix: 16)
    }

    static func smallTrainingRun() throws -> [Float] {
        var s = RandomStream(seed: 21, name: "numerics-digest")
        let w = Tensor.normal([16, 8, 3, 3], std: 0.1, stream: &s).requiringGrad()
        let w1 = Tensor.normal([16, 8, 1, 1], std: 0.1, stream: &s).requiringGrad()
        let wq = Tensor.normal([2, 4, 1, 1], std: 0.3, stream: &s).requiringGrad()
        let peep = Tensor.normal([4, 10, 10], std: 0.1, stream: &s).requiringGrad()
        let x = Tensor.uniform([3, 4, 10, 10], stream: &s), target = Tensor.uniform([3, 4, 10, 10], stream: &s)
        let params = [w, w1, wq, peep]
        let adam = Adam(parameters: params, learningRate: 1e-2)
        var out: [Float] = []
        for _ in 0..<3 {
            var h = Tensor(zeros: [3, 4, 10, 10]), c = Tensor(zeros: [3, 4, 10, 10])
            for _ in 0..<2 {
                let xh = try Tensor.concat([x, h], axis: 1)
                let gates = try xh.conv2d(weight: w).add(xh.conv2d(weight: w1))   // Winograd and 1×1 GEMM
                (h, c) = try Tensor.lstmGates(gates: gates, cPrev: c, wci: peep, wcf: peep, wco: peep, activation: .tanh)
                let q = try h.conv2d(weight: wq).reshaped([3, 2, 100])
                let z = try Tensor.attention(q: q, k: q, v: h.reshaped([3, 4, 100])).reshaped([3, 4, 10, 10])
                h = try h.add(z).layerNorm(normalizedRank: 3, weight: nil, bias: nil)
            }
            let flat = try h.reshaped([3, 400])
            let loss = try flat.matmul(flat.transposed(0, 1)).mean().add(h.sigmoid().bceLoss(target, reduction: .mean))
            try loss.backward()
            try adam.update()
            for p in params { p.grad = nil }
            out.append(try loss.item())
        }
        return out + params.flatMap { $0.toArray() }
    }

    func testDigestOfASmallTrainingRun() throws {
        var digests: [String] = []
        for threads in [1, 2, 3] {
            Engine.configure(threads: threads)
            digests.append(Self.digest(try Self.smallTrainingRun()))
        }
        Engine.configure(threads: 2)
        print("numerics digest: \(digests[0]) (\(Numerics.version), \(Numerics.gemmPath), CPU \(Numerics.cpuName))")
        XCTAssertEqual(Set(digests).count, 1, "digests on 1, 2, 3 threads: \(digests)")
        XCTAssertEqual(digests[0], Self.expected[Numerics.version], "the pinned digest of \(Numerics.version)")
    }
}
