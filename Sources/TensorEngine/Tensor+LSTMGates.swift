// The fused ConvLSTM gate update with peepholes (docs/models.md), forward and
// backward. One pass over memory instead of ~15 elementwise ops.
//
//   gates [B, 4C, H, W]  conv output, blocks i, f, g, o along channels
//   cPrev [B, C, H, W]   wci, wcf, wco [C, H, W]
//   out   [2, B, C, H, W]  (h, c) stacked; h = out[0] and c = out[1] are
//                        contiguous views (no copy)
//
//   i = σ(g_i + wci⊙c_prev)   f = σ(g_f + wcf⊙c_prev)
//   c = f⊙c_prev + i⊙act(g_g)  o = σ(g_o + wco⊙c)   h = o⊙act(c)
//
// Backward recomputes the gate values from the inputs (nothing extra kept).
// Work is cut per channel; each channel loops over the batch in order, so the
// peephole gradients (Σ over batch) are deterministic. Each loop's body is
// written once, generic over `GateLanes`, and specialized twice: whole vectors
// (`load8`/`store8`, the activations inlined) for the main loop, and the first
// lanes of a last partial vector (`loadPart`/`storePart`; in the main loop
// those split every vector into 128-bit halves: FastMath.swift's header).
// Each lane is the same operations either way (`LSTMGatesBitsTests`).

@inline(always) func act8(_ a: Activation, _ x: V8) -> V8 {
    switch a {
    case .tanh: return tanh8(x)
    case .sigmoid: return sigmoid8(x)
    case .relu: var y = x; y.replace(with: V8(repeating: 0), where: x .< 0); return y
    case .leakyRelu: var y = x; y.replace(with: x * 0.01, where: x .< 0); return y
    }
}

/// act'(x) given x and y = act(x).
@inline(__always) func actGrad8(_ a: Activation, _ x: V8, _ y: V8) -> V8 {
    switch a {
    case .tanh: return 1 - y * y
    case .sigmoid: return y * (1 - y)
    case .relu: var d = V8(repeating: 1); d.replace(with: V8(repeating: 0), where: x .<= 0); return d
    case .leakyRelu: var d = V8(repeating: 1); d.replace(with: V8(repeating: 0.01), where: x .<= 0); return d
    }
}

/// Loads 8 floats, or the first `n` of them with zeros after.
@inline(__always) func loadPart(_ p: UnsafePointer<Float>, _ n: Int) -> V8 {
    if n >= 8 { return load8(p) }
    var v = V8(repeating: 0)
    for j in 0..<n { v[j] = p[j] }
    return v
}

@inline(__always) func storePart(_ v: V8, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n >= 8 { store8(v, p); return }
    for j in 0..<n { p[j] = v[j] }
}

/// How a gate loop's body reads and writes the 8 lanes at a pointer: a whole
/// vector, or the first `count` lanes of the last partial one (zeros read past
/// them, nothing written past them). The bodies (`lstmGatesVector`, …) are
/// generic over it, so each is written once and specialized for both.
protocol GateLanes {
    func load(_ p: UnsafePointer<Float>) -> V8
    func store(_ v: V8, _ p: UnsafeMutablePointer<Float>)
}

struct WholeLanes: GateLanes {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V8 { load8(p) }
    @inline(__always) func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) { store8(v, p) }
}

struct FirstLanes: GateLanes {
    let count: Int
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V8 { loadPart(p, count) }
    @inline(__always) func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) { storePart(v, p, count) }
}

/// The rows of one (sample, channel) the forward reads and writes.
struct LSTMGateRows {
    let gI, gF, gG, gO, cPrev, wI, wF, wO: UnsafePointer<Float>
    let h, c: UnsafeMutablePointer<Float>
}

/// One vector of the forward at offset k.
@inline(always) func lstmGatesVector<L: GateLanes>(_ l: L, _ k: Int, _ r: LSTMGateRows, _ activation: Activation) {
    let cprev = l.load(r.cPrev + k)
    let i = sigmoid8(l.load(r.gI + k) + l.load(r.wI + k) * cprev)
    let f = sigmoid8(l.load(r.gF + k) + l.load(r.wF + k) * cprev)
    let gg = act8(activation, l.load(r.gG + k))
    let cNew = f * cprev + i * gg
    let o = sigmoid8(l.load(r.gO + k) + l.load(r.wO + k) * cNew)
    l.store(o * act8(activation, cNew), r.h + k)
    l.store(cNew, r.c + k)
}

/// The rows of one (sample, channel) the backward reads and writes (the
/// peephole gradients `gwI`, `gwF`, `gwO` accumulate over the batch).
struct LSTMGateGradRows {
    let gI, gF, gG, gO, cPrev, cNew, dH, dCNext, wI, wF, wO: UnsafePointer<Float>
    let dI, dF, dG, dO, dCPrev, gwI, gwF, gwO: UnsafeMutablePointer<Float>
}

/// One vector of the backward at offset k.
@inline(always) func lstmGatesGradVector<L: GateLanes>(_ l: L, _ k: Int, _ r: LSTMGateGradRows, _ activation: Activation) {
    let cprev = l.load(r.cPrev + k)
    let wi = l.load(r.wI + k), wf = l.load(r.wF + k), wo = l.load(r.wO + k)
    let i = sigmoid8(l.load(r.gI + k) + wi * cprev)
    let f = sigmoid8(l.load(r.gF + k) + wf * cprev)
    let graw = l.load(r.gG + k)
    let gg = act8(activation, graw)
    let cNew = l.load(r.cNew + k)
    let o = sigmoid8(l.load(r.gO + k) + wo * cNew)
    let ac = act8(activation, cNew)
    let dh = l.load(r.dH + k)
    let dpo = dh * ac * o * (1 - o)
    let dc = l.load(r.dCNext + k) + dh * o * actGrad8(activation, cNew, ac) + dpo * wo
    let dpf = dc * cprev * f * (1 - f)
    let dpi = dc * gg * i * (1 - i)
    let dpg = dc * i * actGrad8(activation, graw, gg)
    l.store(dpi, r.dI + k)
    l.store(dpf, r.dF + k)
    l.store(dpg, r.dG + k)
    l.store(dpo, r.dO + k)
    l.store(dc * f + dpi * wi + dpf * wf, r.dCPrev + k)
    l.store(l.load(r.gwI + k) + dpi * cprev, r.gwI + k)
    l.store(l.load(r.gwF + k) + dpf * cprev, r.gwF + k)
    l.store(l.load(r.gwO + k) + dpo * cNew, r.gwO + k)
}

extension Tensor {
    /// The fused gate update; returns (h, c), each [B, C, H, W].
    public static func lstmGates(gates: Tensor, cPrev: Tensor, wci: Tensor, wcf: Tensor, wco: Tensor,
                                 activation: Activation) throws -> (h: Tensor, c: Tensor) {
        guard cPrev.rank == 4, gates.rank == 4 else {
            throw TensorError.shapeMismatch(op: "lstm_gates", shapes: [gates.shape, cPrev.shape], detail: "gates must be [B, 4C, H, W] and the cell [B, C, H, W]")
        }
        let b = cPrev.shape[0], c = cPrev.shape[1], h = cPrev.shape[2], w = cPrev.shape[3]
        guard gates.shape == [b, 4 * c, h, w] else {
            throw TensorError.shapeMismatch(op: "lstm_gates", shapes: [gates.shape, cPrev.shape], detail: "gates must have 4× the cell's channels")
        }
        for p in [wci, wcf, wco] where p.shape != [c, h, w] {
            throw TensorError.shapeMismatch(op: "lstm_gates", shapes: [p.shape, cPrev.shape], detail: "peephole weights must be [C, H, W] = \(describeShape([c, h, w]))")
        }
        let g = gates.contiguous(), cp = cPrev.contiguous()
        defer { withExtendedLifetime((g, cp)) {} }   // the copies outlive every pointer taken from them
        let pi = wci.contiguous(), pf = wcf.contiguous(), po = wco.contiguous()
        defer { withExtendedLifetime((pi, pf, po)) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: [2, b, c, h, w])
        let n = h * w
        Parallel.forEach(c) { ch, _ in
            for bi in 0..<b {
                let gb = g.data + (bi * 4 * c) * n
                let rows = LSTMGateRows(gI: gb + ch * n, gF: gb + (c + ch) * n, gG: gb + (2 * c + ch) * n, gO: gb + (3 * c + ch) * n,
                                        cPrev: cp.data + (bi * c + ch) * n, wI: pi.data + ch * n, wF: pf.data + ch * n, wO: po.data + ch * n,
                                        h: out.data + (bi * c + ch) * n, c: out.data + ((b + bi) * c + ch) * n)
                var k = 0
                while k + 8 <= n { lstmGatesVector(WholeLanes(), k, rows, activation); k += 8 }
                if k < n { lstmGatesVector(FirstLanes(count: n - k), k, rows, activation) }
            }
        }
        let rec = gates.record(out, .lstmGates(gates: gates, cPrev: cPrev, wci: wci, wcf: wcf, wco: wco, activation: activation))
        return (try rec.select(axis: 0, index: 0), try rec.select(axis: 0, index: 1))
    }
}

func lstmGatesBackward(grad gOut: Tensor, output y: Tensor, gates: Tensor, cPrev: Tensor, wci: Tensor, wcf: Tensor, wco: Tensor,
                       activation: Activation) -> [Tensor?] {
    let b = cPrev.shape[0], c = cPrev.shape[1], n = cPrev.shape[2] * cPrev.shape[3]
    let g = gates.contiguous(), cp = cPrev.contiguous(), yc = y.contiguous(), go = gOut.contiguous()
    defer { withExtendedLifetime((g, cp, yc, go)) {} }   // the copies outlive every pointer taken from them
    let pi = wci.contiguous(), pf = wcf.contiguous(), po = wco.contiguous()
    defer { withExtendedLifetime((pi, pf, po)) {} }   // the copies outlive every pointer taken from them
    let dGates = Tensor(uninitialized: gates.shape)
    let dC = Tensor(uninitialized: cPrev.shape)
    let dWi = Tensor(zeros: wci.shape), dWf = Tensor(zeros: wcf.shape), dWo = Tensor(zeros: wco.shape)
    Parallel.forEach(c) { ch, _ in
        for bi in 0..<b {
            let gb = g.data + (bi * 4 * c) * n, db = dGates.data + (bi * 4 * c) * n
            let rows = LSTMGateGradRows(
                gI: gb + ch * n, gF: gb + (c + ch) * n, gG: gb + (2 * c + ch) * n, gO: gb + (3 * c + ch) * n,
                cPrev: cp.data + (bi * c + ch) * n, cNew: yc.data + ((b + bi) * c + ch) * n,
                dH: go.data + (bi * c + ch) * n, dCNext: go.data + ((b + bi) * c + ch) * n,
                wI: pi.data + ch * n, wF: pf.data + ch * n, wO: po.data + ch * n,
                dI: db + ch * n, dF: db + (c + ch) * n, dG: db + (2 * c + ch) * n, dO: db + (3 * c + ch) * n,
                dCPrev: dC.data + (bi * c + ch) * n, gwI: dWi.data + ch * n, gwF: dWf.data + ch * n, gwO: dWo.data + ch * n)
            var k = 0
            while k + 8 <= n { lstmGatesGradVector(WholeLanes(), k, rows, activation); k += 8 }
            if k < n { lstmGatesGradVector(FirstLanes(count: n - k), k, rows, activation) }
        }
    }
    return [gates.requiresGrad ? dGates : nil, cPrev.requiresGrad ? dC : nil,
            wci.requiresGrad ? dWi : nil, wcf.requiresGrad ? dWf : nil, wco.requiresGrad ? dWo : nil]
}
