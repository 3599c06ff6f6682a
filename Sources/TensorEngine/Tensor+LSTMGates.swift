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
// peephole gradients (Σ over batch) are deterministic. Whole vectors go through
// a main loop of `load8`/`store8` with the activations inlined; only a last
// partial vector goes through `loadPart`/`storePart` (in the main loop those
// split every vector into 128-bit halves: FastMath.swift's header). Each lane
// is the same operations either way (`LSTMGatesBitsTests`).

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
                let gI = gb + ch * n, gF = gb + (c + ch) * n, gG = gb + (2 * c + ch) * n, gO = gb + (3 * c + ch) * n
                let cpr = cp.data + (bi * c + ch) * n
                let hOut = out.data + (bi * c + ch) * n, cOut = out.data + ((b + bi) * c + ch) * n
                let wI = pi.data + ch * n, wF = pf.data + ch * n, wO = po.data + ch * n
                var k = 0
                while k + 8 <= n {
                    let cprev = load8(cpr + k)
                    let i = sigmoid8(load8(gI + k) + load8(wI + k) * cprev)
                    let f = sigmoid8(load8(gF + k) + load8(wF + k) * cprev)
                    let gg = act8(activation, load8(gG + k))
                    let cNew = f * cprev + i * gg
                    let o = sigmoid8(load8(gO + k) + load8(wO + k) * cNew)
                    store8(o * act8(activation, cNew), hOut + k)
                    store8(cNew, cOut + k)
                    k += 8
                }
                while k < n {   // a last partial vector: lanes past n read as zeros and are dropped
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
            let cpr = cp.data + (bi * c + ch) * n
            let cNewP = yc.data + ((b + bi) * c + ch) * n
            let dH = go.data + (bi * c + ch) * n, dCn = go.data + ((b + bi) * c + ch) * n
            let wI = pi.data + ch * n, wF = pf.data + ch * n, wO = po.data + ch * n
            let gwI = dWi.data + ch * n, gwF = dWf.data + ch * n, gwO = dWo.data + ch * n
            let dcp = dC.data + (bi * c + ch) * n
            var k = 0
            while k + 8 <= n {
                let cprev = load8(cpr + k)
                let wi = load8(wI + k), wf = load8(wF + k), wo = load8(wO + k)
                let i = sigmoid8(load8(gb + ch * n + k) + wi * cprev)
                let f = sigmoid8(load8(gb + (c + ch) * n + k) + wf * cprev)
                let graw = load8(gb + (2 * c + ch) * n + k)
                let gg = act8(activation, graw)
                let cNew = load8(cNewP + k)
                let o = sigmoid8(load8(gb + (3 * c + ch) * n + k) + wo * cNew)
                let ac = act8(activation, cNew)
                let dh = load8(dH + k)
                let dpo = dh * ac * o * (1 - o)
                let dc = load8(dCn + k) + dh * o * actGrad8(activation, cNew, ac) + dpo * wo
                let dpf = dc * cprev * f * (1 - f)
                let dpi = dc * gg * i * (1 - i)
                let dpg = dc * i * actGrad8(activation, graw, gg)
                store8(dpi, db + ch * n + k)
                store8(dpf, db + (c + ch) * n + k)
                store8(dpg, db + (2 * c + ch) * n + k)
                store8(dpo, db + (3 * c + ch) * n + k)
                store8(dc * f + dpi * wi + dpf * wf, dcp + k)
                store8(load8(gwI + k) + dpi * cprev, gwI + k)
                store8(load8(gwF + k) + dpf * cprev, gwF + k)
                store8(load8(gwO + k) + dpo * cNew, gwO + k)
                k += 8
            }
            while k < n {   // a last partial vector: lanes past n read as zeros and are dropped
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
    return [gates.requiresGrad ? dGates : nil, cPrev.requiresGrad ? dC : nil,
            wci.requiresGrad ? dWi : nil, wcf.requiresGrad ? dWf : nil, wco.requiresGrad ? dWo : nil]
}
