// The fused ConvLSTM gate update (Tensor+LSTMGates.swift) against its loops as
// they were before their whole-vector main loops (kept verbatim below, over raw
// pointers, one thread): forward (h, c) and every gradient (gates, c_prev and the
// three peepholes) bit for bit, for all four activations, planes of 1, 9, 35 and
// 256 elements (tails of 1–7 lanes and none), several samples and channels, inputs
// with ±0, saturating magnitudes and NaN, on 1–3 threads.
import XCTest
@testable import TensorEngine
import TestSupport

final class LSTMGatesBitsTests: XCTestCase {
    override func tearDown() { Engine.configure(threads: 2) }

    func values(_ count: Int, _ seed: UInt32, scale: Float) -> [Float] {
        var s = seed &* 2654435761 &+ 1
        return (0..<count).map { i in
            s = s &* 1103515245 &+ 12345
            let r = Float(Int32(bitPattern: s >> 1) - (1 << 30)) / Float(1 << 30)
            switch i % 13 {
            case 3: return 0
            case 7: return -0.0
            case 5: return r * 200
            case 11 where i % 1000 == 11: return .nan
            default: return r * scale
            }
        }
    }

    func testSameBitsAsTheLoopsBefore() throws {
        for activation in Activation.allCases {
            for (b, c, h, w) in [(1, 32, 16, 16), (3, 5, 5, 7), (2, 3, 3, 3), (2, 2, 1, 1), (1, 4, 4, 6)] {
                let n = h * w
                let g = values(b * 4 * c * n, UInt32(b * 7 + c + n), scale: 4), cp = values(b * c * n, UInt32(n + 1), scale: 2)
                let wi = values(c * n, 3, scale: 0.5), wf = values(c * n, 4, scale: 0.5), wo = values(c * n, 5, scale: 0.5)
                let gOut = values(2 * b * c * n, 6, scale: 1)
                // the loops before
                var out = [Float](repeating: .nan, count: 2 * b * c * n)
                var dGates = [Float](repeating: .nan, count: b * 4 * c * n), dC = [Float](repeating: .nan, count: b * c * n)
                var dWi = [Float](repeating: 0, count: c * n), dWf = dWi, dWo = dWi
                var gv = g, cv = cp, iv = wi, fv = wf, ov = wo, gov = gOut
                gatesForwardBefore(g: &gv, cp: &cv, pi: &iv, pf: &fv, po: &ov, out: &out, b: b, c: c, n: n, activation: activation)
                var yv = out
                gatesBackwardBefore(g: &gv, cp: &cv, yc: &yv, go: &gov, pi: &iv, pf: &fv, po: &ov, dGates: &dGates, dC: &dC,
                                    dWi: &dWi, dWf: &dWf, dWo: &dWo, b: b, c: c, n: n, activation: activation)
                for threads in 1...3 {
                    Engine.configure(threads: threads)
                    let tag = "\(activation) [\(b),\(4 * c),\(h),\(w)], \(threads) threads"
                    let gt = try Tensor(g, shape: [b, 4 * c, h, w]).requiringGrad(), ct = try Tensor(cp, shape: [b, c, h, w]).requiringGrad()
                    let it = try Tensor(wi, shape: [c, h, w]).requiringGrad(), ft = try Tensor(wf, shape: [c, h, w]).requiringGrad()
                    let ot = try Tensor(wo, shape: [c, h, w]).requiringGrad()
                    let (hh, cc) = try Tensor.lstmGates(gates: gt, cPrev: ct, wci: it, wcf: ft, wco: ot, activation: activation)
                    XCTAssertEqual((hh.toArray() + cc.toArray()).map(\.bitPattern), out.map(\.bitPattern), "forward, " + tag)
                    let y = try Tensor(out, shape: [2, b, c, h, w])
                    let grads = lstmGatesBackward(grad: try Tensor(gOut, shape: [2, b, c, h, w]), output: y, gates: gt, cPrev: ct,
                                                  wci: it, wcf: ft, wco: ot, activation: activation)
                    for (got, want, what) in [(grads[0], dGates, "gates"), (grads[1], dC, "c_prev"), (grads[2], dWi, "wci"),
                                              (grads[3], dWf, "wcf"), (grads[4], dWo, "wco")] {
                        XCTAssertEqual(try XCTUnwrap(got).toArray().map(\.bitPattern), want.map(\.bitPattern), "d\(what), " + tag)
                    }
                }
            }
        }
    }
}

/// The forward loop of `Tensor.lstmGates` before its whole-vector main loop, verbatim but for
/// raw arrays for the tensors' data and one thread for Parallel.forEach (channels in order).
func gatesForwardBefore(g: inout [Float], cp: inout [Float], pi: inout [Float], pf: inout [Float], po: inout [Float], out: inout [Float],
                        b: Int, c: Int, n: Int, activation: Activation) {
    g.withUnsafeMutableBufferPointer { g in cp.withUnsafeMutableBufferPointer { cp in pi.withUnsafeMutableBufferPointer { pi in
    pf.withUnsafeMutableBufferPointer { pf in po.withUnsafeMutableBufferPointer { po in out.withUnsafeMutableBufferPointer { out in
        let g = g.baseAddress!, cp = cp.baseAddress!, pi = pi.baseAddress!, pf = pf.baseAddress!, po = po.baseAddress!, out = out.baseAddress!
        for ch in 0..<c {
            for bi in 0..<b {
                let gb = g + (bi * 4 * c) * n
                let gI = gb + ch * n, gF = gb + (c + ch) * n, gG = gb + (2 * c + ch) * n, gO = gb + (3 * c + ch) * n
                let cpr = cp + (bi * c + ch) * n
                let hOut = out + (bi * c + ch) * n, cOut = out + ((b + bi) * c + ch) * n
                let wI = pi + ch * n, wF = pf + ch * n, wO = po + ch * n
                var k = 0
                while k < n {
                    let m = min(8, n - k)
                    let cprev = loadPart(cpr + k, m)
                    let i = sigmoid8(loadPart(gI + k, m) + loadPart(wI + k, m) * cprev)
                    let f = sigmoid8(loadPart(gF + k, m) + loadPart(wF + k, m) * cprev)
                    let gg = act8(activation, loadPart(gG + k, m))
                    let cNew = f * cprev + i * gg
                    let o = sigmoid8(loadPart(gO + k, m) + loadPart(wO + k, m) * cNew)
                    storePart(o * act8(activation, cNew), hOut + k, m)
                    storePart(cNew, cOut + k, m)
                    k += 8
                }
            }
        }
    } } } } } }
}

/// The backward loop of `lstmGatesBackward` before its whole-vector main loop, the same way
/// (dWi, dWf, dWo start at zero, as the op's).
func gatesBackwardBefore(g: inout [Float], cp: inout [Float], yc: inout [Float], go: inout [Float], pi: inout [Float], pf: inout [Float],
                         po: inout [Float], dGates: inout [Float], dC: inout [Float], dWi: inout [Float], dWf: inout [Float], dWo: inout [Float],
                         b: Int, c: Int, n: Int, activation: Activation) {
    g.withUnsafeMutableBufferPointer { g in cp.withUnsafeMutableBufferPointer { cp in yc.withUnsafeMutableBufferPointer { yc in
    go.withUnsafeMutableBufferPointer { go in pi.withUnsafeMutableBufferPointer { pi in pf.withUnsafeMutableBufferPointer { pf in
    po.withUnsafeMutableBufferPointer { po in dGates.withUnsafeMutableBufferPointer { dGates in dC.withUnsafeMutableBufferPointer { dC in
    dWi.withUnsafeMutableBufferPointer { dWi in dWf.withUnsafeMutableBufferPointer { dWf in dWo.withUnsafeMutableBufferPointer { dWo in
        let g = g.baseAddress!, cp = cp.baseAddress!, yc = yc.baseAddress!, go = go.baseAddress!, pi = pi.baseAddress!
        let pf = pf.baseAddress!, po = po.baseAddress!, dGates = dGates.baseAddress!, dC = dC.baseAddress!
        let dWi = dWi.baseAddress!, dWf = dWf.baseAddress!, dWo = dWo.baseAddress!
    for ch in 0..<c {
        for bi in 0..<b {
            let gb = g + (bi * 4 * c) * n, db = dGates + (bi * 4 * c) * n
            let cpr = cp + (bi * c + ch) * n
            let cNewP = yc + ((b + bi) * c + ch) * n
            let dH = go + (bi * c + ch) * n, dCn = go + ((b + bi) * c + ch) * n
            let wI = pi + ch * n, wF = pf + ch * n, wO = po + ch * n
            let gwI = dWi + ch * n, gwF = dWf + ch * n, gwO = dWo + ch * n
            let dcp = dC + (bi * c + ch) * n
            var k = 0
            while k < n {
                let m = min(8, n - k)
                let cprev = loadPart(cpr + k, m)
                let wi = loadPart(wI + k, m), wf = loadPart(wF + k, m), wo = loadPart(wO + k, m)
                let i = sigmoid8(loadPart(gb + ch * n + k, m) + wi * cprev)
                let f = sigmoid8(loadPart(gb + (c + ch) * n + k, m) + wf * cprev)
                let graw = loadPart(gb + (2 * c + ch) * n + k, m)
                let gg = act8(activation, graw)
                let cNew = loadPart(cNewP + k, m)
                let o = sigmoid8(loadPart(gb + (3 * c + ch) * n + k, m) + wo * cNew)
                let ac = act8(activation, cNew)
                let dh = loadPart(dH + k, m)
                let dpo = dh * ac * o * (1 - o)
                let dc = loadPart(dCn + k, m) + dh * o * actGrad8(activation, cNew, ac) + dpo * wo
                let dpf = dc * cprev * f * (1 - f)
                let dpi = dc * gg * i * (1 - i)
                let dpg = dc * i * actGrad8(activation, graw, gg)
                storePart(dpi, db + ch * n + k, m)
                storePart(dpf, db + (c + ch) * n + k, m)
                storePart(dpg, db + (2 * c + ch) * n + k, m)
                storePart(dpo, db + (3 * c + ch) * n + k, m)
                storePart(dc * f + dpi * wi + dpf * wf, dcp + k, m)
                storePart(loadPart(gwI + k, m) + dpi * cprev, gwI + k, m)
                storePart(loadPart(gwF + k, m) + dpf * cprev, gwF + k, m)
                storePart(loadPart(gwO + k, m) + dpo * cNew, gwO + k, m)
                k += 8
            }
        }
    }
    } } } } } } } } } } } }
}
