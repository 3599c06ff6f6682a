// Fused kernels against their composed versions (fast math: FastMathTests),
// views, errors, and bit-identity across thread counts.
import XCTest
import Foundation
import TensorEngine
import TestSupport

final class KernelTests: XCTestCase {
    override func setUp() { Engine.configure(threads: 2) }

    func testFusedLSTMGatesMatchComposition() throws {
        for act in Activation.allCases {
            let g = randomTensor([2, 12, 5, 5], "g", low: -3, high: 3), c = randomTensor([2, 3, 5, 5], "c")
            let wi = randomTensor([3, 5, 5], "wi"), wf = randomTensor([3, 5, 5], "wf"), wo = randomTensor([3, 5, 5], "wo")
            let (h, cn) = try Tensor.lstmGates(gates: g, cPrev: c, wci: wi, wcf: wf, wco: wo, activation: act)
            let parts = try g.chunked(4, axis: 1)
            let i = try parts[0].add(wi.mul(c)).sigmoid()
            let f = try parts[1].add(wf.mul(c)).sigmoid()
            let c2 = try f.mul(c).add(i.mul(parts[2].activated(act)))
            let o = try parts[3].add(wo.mul(c2)).sigmoid()
            let h2 = try o.mul(c2.activated(act))
            assertClose(cn, c2, rtol: 1e-6, atol: 1e-6, "c (\(act))")
            assertClose(h, h2, rtol: 1e-6, atol: 1e-6, "h (\(act))")
        }
    }

    func testFusedAttentionMatchesComposition() throws {
        // N = 300 > one 256-row block, so the blocked path is exercised.
        let q = randomTensor([2, 4, 300], "q"), k = randomTensor([2, 4, 300], "k"), v = randomTensor([2, 3, 300], "v")
        let z = try Tensor.attention(q: q, k: k, v: v)
        let a = try q.transposed(1, 2).matmul(k).softmax(axis: -1)          // [B, N, M]
        let z2 = try v.matmul(a.transposed(1, 2))                             // [B, C, N]
        assertClose(z, z2, rtol: 1e-5, atol: 1e-6, "attention output")
        let rows = try Tensor.attentionRows(q: q, k: k, sample: 1, queries: [0, 299])
        let ref = try a.select(axis: 0, index: 1)
        assertClose(rows.toArray(), Array(ref.toArray()[0..<300]) + Array(ref.toArray()[299 * 300..<300 * 300]), rtol: 1e-5, atol: 1e-7)
        // backward against the composed graph
        for t in [q, k, v] { t.requiringGrad() }
        let r = randomTensor([2, 3, 300], "r")
        try Tensor.attention(q: q, k: k, v: v).mul(r).sum().backward()
        let g1 = [q, k, v].map { $0.grad! }
        for t in [q, k, v] { t.grad = nil }
        try v.matmul(q.transposed(1, 2).matmul(k).softmax(axis: -1).transposed(1, 2)).mul(r).sum().backward()
        for (a, b) in zip(g1, [q, k, v].map { $0.grad! }) { assertClose(a, b, rtol: 1e-4, atol: 1e-5, "attention gradient") }
    }

    func testViewsShareStorageAndMaterializeCorrectly() throws {
        let x = try Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let t = try x.transposed(0, 2)
        XCTAssertTrue(t.storage === x.storage)
        XCTAssertEqual(t.shape, [4, 3, 2])
        XCTAssertEqual(t[3, 2, 1], x[1, 2, 3])
        let s = try x.slice(axis: 1, start: 1, length: 2)
        XCTAssertEqual(s.toArray(), [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        XCTAssertEqual(try t.reshaped([24]).toArray()[0..<4], [0, 12, 4, 16])
    }

    func testErrorsNameOpAndShapes() {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        XCTAssertThrowsError(try a.matmul(b)) { e in
            XCTAssertEqual("\(e)", "matmul: incompatible shapes [2, 3] and [4, 5]: inner dimensions 3 and 4 differ")
        }
        XCTAssertThrowsError(try a.add(Tensor(zeros: [3, 2]))) { e in
            XCTAssertEqual("\(e)", "add: incompatible shapes [2, 3] and [3, 2]: they do not broadcast")
        }
        XCTAssertThrowsError(try a.softmax(axis: 2)) { e in
            XCTAssertEqual("\(e)", "softmax: axis 2 is out of range for a tensor of rank 2")
        }
        XCTAssertThrowsError(try Tensor(zeros: [1, 3, 4, 4]).conv2d(weight: Tensor(zeros: [2, 4, 3, 3]))) { e in
            XCTAssertTrue("\(e)".hasPrefix("conv2d: incompatible shapes [1, 3, 4, 4] and [2, 4, 3, 3]"), "\(e)")
        }
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2]))
        XCTAssertThrowsError(try a.reshaped([5, -1]))
    }

    func testNoGradRecordsNothing() throws {
        let w = randomTensor([3], "w").requiringGrad()
        let y = withNoGrad { w.exp() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertThrowsError(try y.sum().backward())
    }

    /// A small training computation (conv + fused gates + attention + layer
    /// norm + loss, several SGD steps) must give the same bits on 1 and 2 threads.
    func testBitIdenticalAcrossThreadCounts() throws {
        func run(threads: Int) throws -> [Float] {
            Engine.configure(threads: threads)
            var s = RandomStream(seed: 9, name: "det")
            let w = Tensor.normal([16, 8, 3, 3], std: 0.1, stream: &s).requiringGrad()
            let wq = Tensor.normal([2, 4, 1, 1], std: 0.3, stream: &s).requiringGrad()
            let peep = Tensor.normal([4, 12, 12], std: 0.1, stream: &s).requiringGrad()
            let x = Tensor.uniform([5, 4, 12, 12], stream: &s)
            let target = Tensor.uniform([5, 4, 12, 12], stream: &s)
            var out: [Float] = []
            for _ in 0..<3 {
                var h = Tensor(zeros: [5, 4, 12, 12]), c = Tensor(zeros: [5, 4, 12, 12])
                for _ in 0..<2 {
                    let gates = try Tensor.concat([x, h], axis: 1).conv2d(weight: w)
                    (h, c) = try Tensor.lstmGates(gates: gates, cPrev: c, wci: peep, wcf: peep, wco: peep, activation: .tanh)
                    let q = try h.conv2d(weight: wq).reshaped([5, 2, 144])
                    let z = try Tensor.attention(q: q, k: q, v: h.reshaped([5, 4, 144])).reshaped([5, 4, 12, 12])
                    h = try h.add(z).layerNorm(normalizedRank: 3, weight: nil, bias: nil)
                }
                let loss = try h.sigmoid().bceLoss(target, reduction: .sum)
                try loss.backward()
                out.append(try loss.item())
                for p in [w, wq, peep] {
                    out += p.grad!.toArray()
                    try p.assign(p.sub(p.grad!.scaled(by: 1e-3)))
                    p.grad = nil
                }
            }
            return out + w.toArray()
        }
        let one = try run(threads: 1), two = try run(threads: 2), three = try run(threads: 3)
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
        XCTAssertEqual(one.map(\.bitPattern), three.map(\.bitPattern))
        Engine.configure(threads: 2)
    }
}
