// The fused SAM memory gate (`Tensor.samGates`) against the composition it
// replaced — kept here as the reference (`referenceSAMGates`, and
// `referenceSAM`, SAMModule's forward with that composition) — bit for bit:
// the outputs, and every gradient (the gates, M_prev, the input frames and
// every parameter) of unrolled two-layer SAM-ConvLSTM stacks, where M feeds
// the next step's key/value convolutions and gate and H feeds the next layer
// and step, so the order in which the tape sums gradient contributions
// matters. Grids with H·W not a multiple of 8, 1–3 threads.
import XCTest
@testable import TensorEngine
import TestSupport
@testable import Models

/// SAM's gate as SAMModule computed it before the fusion (the reference).
func referenceSAMGates(_ gatesConv: Tensor, _ mPrev: Tensor) throws -> (h: Tensor, m: Tensor) {
    let gates = try gatesConv.chunked(3, axis: 1)
    let i = gates[0].sigmoid(), g = gates[1].tanh(), o = gates[2].sigmoid()
    let m = try i.scaled(by: -1, plus: 1).mul(mPrev).add(try i.mul(g))  // (1 − i)⊙M_prev + i⊙g
    return (try o.mul(m), m)
}

/// SAMModule's forward with the reference gate (the same ops in the same order otherwise).
func referenceSAM(_ s: SAMModule, _ hs: Tensor, memory mPrev: Tensor) throws -> (h: Tensor, m: Tensor) {
    let b = hs.shape[0], hh = hs.shape[2], ww = hs.shape[3], n = hh * ww, c = s.channels, d = s.width
    let q = try s.queryH(hs).reshaped([b, d, n])
    let kh = try s.keyH(hs).reshaped([b, d, n])
    let vh = try s.valueH(hs).reshaped([b, c, n])
    let zh = try s.zH(try Tensor.attention(q: q, k: kh, v: vh).reshaped([b, c, hh, ww]))
    let km = try s.keyM(mPrev).reshaped([b, d, n])
    let vm = try s.valueM(mPrev).reshaped([b, c, n])
    let zm = try s.zM(try Tensor.attention(q: q, k: km, v: vm).reshaped([b, c, hh, ww]))
    let z = try s.wZ(try Tensor.concat([zh, zm], axis: 1))
    return try referenceSAMGates(try s.w(try Tensor.concat([z, hs], axis: 1)), mPrev)
}

final class SAMGatesTests: XCTestCase {
    override func tearDown() { Engine.configure(threads: 2) }

    private func bits(_ t: Tensor) -> [UInt32] { t.toArray().map(\.bitPattern) }

    func testFusedGateMatchesCompositionBitForBit() throws {
        for threads in 1...3 {
            Engine.configure(threads: threads)
            for shape in [[2, 3, 5, 6], [1, 4, 4, 4], [3, 2, 3, 3], [2, 32, 16, 16]] {
                let tag = "\(shape), \(threads) threads"
                let (b, c) = (shape[0], shape[1])
                let gatesShape = [b, 3 * c, shape[2], shape[3]]
                let results = try [false, true].map { fused in
                    let g = randomTensor(gatesShape, "g\(tag)", low: -4, high: 4).requiringGrad()
                    let mp = randomTensor(shape, "m\(tag)", low: -2, high: 2).requiringGrad()
                    let (h, m) = fused ? try Tensor.samGates(gates: g, mPrev: mp) : try referenceSAMGates(g, mp)
                    // M used twice more (as the next step's memory is), H once more
                    let loss = try h.mul(randomTensor(shape, "rh\(tag)")).sum()
                        .add(m.mul(randomTensor(shape, "rm\(tag)")).sum())
                        .add(m.mul(h).sum()).add(m.tanh().sum())
                    try loss.backward()
                    return [h, m, g.grad!, mp.grad!]
                }
                for (i, name) in ["H", "M", "d gates", "d M_prev"].enumerated() {
                    XCTAssertEqual(bits(results[0][i]), bits(results[1][i]), "\(name) \(tag)")
                }
            }
        }
    }

    func testWrongShapesAreRefused() {
        XCTAssertThrowsError(try Tensor.samGates(gates: Tensor(zeros: [1, 8, 3, 3]), mPrev: Tensor(zeros: [1, 3, 3, 3])))
        XCTAssertThrowsError(try Tensor.samGates(gates: Tensor(zeros: [1, 9, 3, 3]), mPrev: Tensor(zeros: [1, 3, 3, 4])))
        XCTAssertThrowsError(try Tensor.samGates(gates: Tensor(zeros: [9, 3, 3]), mPrev: Tensor(zeros: [3, 3, 3])))
    }

    /// Two stacked SAM-ConvLSTM cells unrolled over four steps, with the fused
    /// gate (SAMCell.step) and with the reference: outputs and all gradients.
    func testUnrolledSAMStackMatchesCompositionBitForBit() throws {
        for threads in 1...3 {
            Engine.configure(threads: threads)
            for (b, cin, hidden, hh, ww) in [(2, 2, 4, 5, 6), (1, 3, 3, 4, 4), (3, 1, 2, 3, 3)] {
                let tag = "[\(b), \(cin), \(hidden), \(hh), \(ww)], \(threads) threads"
                let stream = RandomStream(seed: 29, name: "sam-gates \(tag)")
                let l1 = SAMCell(inChannels: cin, hidden: hidden, kernel: 3, height: hh, width: ww, activation: .tanh,
                                 attentionWidth: 3, stream: stream.split("l1"))
                let l2 = SAMCell(inChannels: hidden, hidden: hidden, kernel: 3, height: hh, width: ww, activation: .tanh,
                                 attentionWidth: 3, stream: stream.split("l2"))
                let params = (l1.namedParameters + l2.namedParameters).map(\.tensor)
                for p in params where p.shape.count == 3 {   // peepholes off zero
                    try p.assign(randomTensor(p.shape, "peep\(p.shape)\(tag)", low: -0.5, high: 0.5))
                }
                let xs = (0..<4).map { randomTensor([b, cin, hh, ww], "x\($0)\(tag)") }
                let r = randomTensor([b, 4 * hidden + hidden, hh, ww], "r\(tag)")
                var runs: [[[UInt32]]] = []
                for fused in [false, true] {
                    for p in params { p.grad = nil }
                    for x in xs { x.requiringGrad(); x.grad = nil }
                    func step(_ cell: SAMCell, _ x: Tensor, _ s: CellState) throws -> CellState {
                        if fused { return try cell.step(x, s, probe: nil) }
                        let (h, c) = try cell.convlstm.step(x, h: s.h, c: s.c)
                        let (hOut, m) = try referenceSAM(cell.memory, h, memory: s.m!)
                        return CellState(h: hOut, c: c, m: m)
                    }
                    var s1 = l1.initialState(batch: b), s2 = l2.initialState(batch: b)
                    var outs: [Tensor] = []
                    for x in xs {
                        s1 = try step(l1, x, s1)
                        s2 = try step(l2, s1.h, s2)
                        outs.append(s2.h)
                    }
                    outs.append(s2.m!)   // the last memory in the loss too
                    let loss = try Tensor.concat(outs, axis: 1).mul(r).sum()
                    try loss.backward()
                    runs.append(outs.map(bits) + params.map { bits($0.grad!) } + xs.map { bits($0.grad!) })
                }
                XCTAssertEqual(runs[0].count, runs[1].count)
                for (i, (a, f)) in zip(runs[0], runs[1]).enumerated() {
                    XCTAssertEqual(a, f, "tensor \(i) (outputs, then parameter gradients, then input gradients) \(tag)")
                }
            }
        }
    }
}
