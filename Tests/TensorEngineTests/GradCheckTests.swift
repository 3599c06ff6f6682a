// Finite-difference gradient checks for every differentiable primitive.
import XCTest
import TensorEngine
import TestSupport

final class GradCheckTests: XCTestCase {
    override func setUp() { Engine.configure(threads: 2) }

    func testBroadcastArithmetic() throws {
        let a = randomTensor([2, 3, 4], "a"), b = randomTensor([3, 1], "b")
        try gradCheck([a, b]) { try $0[0].add($0[1]) }
        try gradCheck([a, b]) { try $0[0].sub($0[1]) }
        try gradCheck([a, b]) { try $0[0].mul($0[1]) }
        let d = randomTensor([4], "d", low: 0.5, high: 2)
        try gradCheck([a, d]) { try $0[0].div($0[1]) }
        try gradCheck([a]) { $0[0].scaled(by: -2.5, plus: 1) }
    }

    func testUnary() throws {
        let x = randomTensor([3, 5], "x", low: -2, high: 2)
        try gradCheck([x]) { $0[0].exp() }
        try gradCheck([x]) { $0[0].sigmoid() }
        try gradCheck([x]) { $0[0].tanh() }
        try gradCheck([x]) { $0[0].relu() }
        try gradCheck([x]) { $0[0].leakyRelu(slope: 0.1) }
        let p = randomTensor([3, 5], "p", low: 0.5, high: 3)
        try gradCheck([p]) { $0[0].log() }
    }

    func testMatmul() throws {
        try gradCheck([randomTensor([3, 4], "a"), randomTensor([4, 5], "b")]) { try $0[0].matmul($0[1]) }
        try gradCheck([randomTensor([2, 3, 4], "a"), randomTensor([2, 4, 5], "b")]) { try $0[0].matmul($0[1]) }
        try gradCheck([randomTensor([2, 3, 4], "a"), randomTensor([4, 5], "b")]) { try $0[0].matmul($0[1]) }
        try gradCheck([randomTensor([3, 4], "a"), randomTensor([2, 4, 5], "b")]) { try $0[0].matmul($0[1]) }
        // transposed views go to BLAS as transposes
        try gradCheck([randomTensor([2, 4, 3], "a"), randomTensor([2, 5, 4], "b")]) {
            try $0[0].transposed(1, 2).matmul($0[1].transposed(1, 2))
        }
    }

    func testConv2d() throws {
        let x = randomTensor([2, 3, 5, 6], "x"), w = randomTensor([4, 3, 3, 3], "w"), b = randomTensor([4], "b")
        try gradCheck([x, w, b]) { try $0[0].conv2d(weight: $0[1], bias: $0[2]) }
        let w5 = randomTensor([2, 3, 5, 5], "w5")
        try gradCheck([x, w5]) { try $0[0].conv2d(weight: $0[1], padding: (1, 1)) }
        let w1 = randomTensor([2, 3, 1, 1], "w1")
        try gradCheck([x, w1, randomTensor([2], "b1")]) { try $0[0].conv2d(weight: $0[1], bias: $0[2]) }
        let wr = randomTensor([2, 3, 3, 1], "wr")
        try gradCheck([x, wr]) { try $0[0].conv2d(weight: $0[1], padding: (0, 2)) }
    }

    func testConv3d() throws {
        let x = randomTensor([2, 2, 3, 4, 4], "x"), w = randomTensor([2, 2, 3, 3, 3], "w"), b = randomTensor([2], "b")
        try gradCheck([x, w, b]) { try $0[0].conv3d(weight: $0[1], bias: $0[2], padding: 1) }
    }

    func testReductions() throws {
        let x = randomTensor([2, 3, 4], "x")
        try gradCheck([x]) { $0[0].sum() }
        try gradCheck([x]) { try $0[0].sum(axes: [1]) }
        try gradCheck([x]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
        try gradCheck([x]) { try $0[0].mean(axes: [0]) }
        try gradCheck([x]) { $0[0].mean() }
    }

    func testSoftmax() throws {
        let x = randomTensor([2, 3, 5], "x", low: -3, high: 3)
        try gradCheck([x]) { try $0[0].softmax(axis: -1) }
        try gradCheck([x]) { try $0[0].softmax(axis: 1) }
    }

    func testLayerNorm() throws {
        let x = randomTensor([2, 3, 2, 2], "x", low: -2, high: 2)
        let w = randomTensor([3, 2, 2], "w", low: 0.5, high: 1.5), b = randomTensor([3, 2, 2], "b")
        try gradCheck([x, w, b]) { try $0[0].layerNorm(normalizedRank: 3, weight: $0[1], bias: $0[2]) }
        try gradCheck([randomTensor([3, 8], "x8", low: -2, high: 2)]) { try $0[0].layerNorm(normalizedRank: 1, weight: nil, bias: nil) }
    }

    func testLosses() throws {
        let p = randomTensor([2, 3, 4], "p", low: 0.1, high: 0.9), t = randomTensor([2, 3, 4], "t", low: 0, high: 1)
        for r in Reduction.allCases {
            try gradCheck([p, t]) { try $0[0].mseLoss($0[1], reduction: r) }
            try gradCheck([p, t], eps: 1e-3) { try $0[0].bceLoss($0[1], reduction: r) }
        }
    }

    func testShapeOps() throws {
        let x = randomTensor([2, 3, 4], "x"), y = randomTensor([2, 2, 4], "y")
        try gradCheck([x]) { try $0[0].reshaped([4, -1]) }
        try gradCheck([x]) { try $0[0].permuted([2, 0, 1]).contiguous() }
        try gradCheck([x]) { try $0[0].slice(axis: 1, start: 1, length: 2) }
        try gradCheck([x, y]) { try Tensor.concat([$0[0], $0[1]], axis: 1) }
        try gradCheck([x]) { let p = try $0[0].chunked(2, axis: 2); return try p[0].mul(p[1]) }
        try gradCheck([x]) { let p = try $0[0].split(sizes: [1, 2], axis: 1); return try p[1].sum(axes: [1]).add(p[0].sum(axes: [1])) }
    }

    func testPatching() throws {
        let x = randomTensor([2, 3, 4, 6], "x")
        try gradCheck([x]) { try $0[0].spaceToDepth(2) }
        try gradCheck([randomTensor([2, 8, 2, 3], "y")]) { try $0[0].depthToSpace(2) }
        let back = try x.spaceToDepth(2).depthToSpace(2)
        XCTAssertEqual(back.toArray(), x.toArray())
    }

    func testLSTMGates() throws {
        for act in Activation.allCases {
            let g = randomTensor([2, 8, 3, 3], "g", low: -2, high: 2), c = randomTensor([2, 2, 3, 3], "c")
            let wi = randomTensor([2, 3, 3], "wi"), wf = randomTensor([2, 3, 3], "wf"), wo = randomTensor([2, 3, 3], "wo")
            try gradCheck([g, c, wi, wf, wo]) {
                let (h, cn) = try Tensor.lstmGates(gates: $0[0], cPrev: $0[1], wci: $0[2], wcf: $0[3], wco: $0[4], activation: act)
                return try Tensor.concat([h, cn], axis: 1)
            }
        }
    }

    func testAttention() throws {
        let q = randomTensor([2, 3, 7], "q"), k = randomTensor([2, 3, 5], "k"), v = randomTensor([2, 4, 5], "v")
        try gradCheck([q, k, v]) { try Tensor.attention(q: $0[0], k: $0[1], v: $0[2]) }
    }

    func testGradientAccumulatesForReusedTensor() throws {
        let x = randomTensor([3], "x")
        try gradCheck([x]) { try $0[0].mul($0[0]).add($0[0].exp()) }
    }
}
