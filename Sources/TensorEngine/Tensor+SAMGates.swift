// The SAM memory gate (docs/models.md, SAMModule) fused: after the 1×1
// convolution `gates` [B, 3C, H, W] (blocks i, g, o along channels),
//
//   i = σ(gates_i)   g = tanh(gates_g)   o = σ(gates_o)
//   M = (i·(−1) + 1)⊙M_prev + i⊙g      H = o⊙M
//
// in one pass instead of chunk + 3 activations + 5 elementwise ops. Same bits
// as that composition, forward and backward: every element goes through the
// same float operations in the same order (the activations are the same
// 8-lane functions, lane by lane), and the graph keeps the composition's
// shape where it decides an order: M and H are two recorded nodes,
// `.samMemory(gates, mPrev)` and `.samOutput(gates, M)`, where the
// composition had its add and its last mul, so every tensor outside them
// (gates, M_prev, M) gets its gradient contributions in the order it got them
// before, and the gates' gradient is still a sum of full-size pieces that are
// zero outside their block (which turns a −0 into +0 as the chunk's slices
// did). `SAMGatesTests` compares both, forward and all gradients, bit for bit,
// on unrolled SAM-ConvLSTM cells. Backward recomputes the gate values. Each
// loop's body is written once, generic over `GateLanes` (Tensor+LSTMGates.swift):
// whole vectors in the main loop, the first lanes of a last partial one after.

/// One vector of the forward at offset k: M and H from the gates' rows and M_prev.
@inline(always) func samGatesVector<L: GateLanes>(_ l: L, _ k: Int, gI: UnsafePointer<Float>, gG: UnsafePointer<Float>, gO: UnsafePointer<Float>,
                                                    mPrev: UnsafePointer<Float>, m mOut: UnsafeMutablePointer<Float>, h hOut: UnsafeMutablePointer<Float>) {
    let i = sigmoid8(l.load(gI + k)), gg = tanh8(l.load(gG + k)), o = sigmoid8(l.load(gO + k))
    let m = (i * -1 + 1) * l.load(mPrev + k) + i * gg
    l.store(m, mOut + k)
    l.store(o * m, hOut + k)
}

/// One vector of `samOutputBackward` at offset k.
@inline(always) func samOutputGradVector<L: GateLanes>(_ l: L, _ k: Int, gO: UnsafePointer<Float>, m: UnsafePointer<Float>, dH: UnsafePointer<Float>,
                                                         dGO: UnsafeMutablePointer<Float>, dM: UnsafeMutablePointer<Float>) {
    let o = sigmoid8(l.load(gO + k)), d = l.load(dH + k)
    l.store(d * l.load(m + k) * o * (1 - o), dGO + k)
    l.store(d * o, dM + k)
}

/// One vector of `samMemoryBackward` at offset k.
@inline(always) func samMemoryGradVector<L: GateLanes>(_ l: L, _ k: Int, gI: UnsafePointer<Float>, gG: UnsafePointer<Float>, mPrev: UnsafePointer<Float>,
                                                         dM: UnsafePointer<Float>, dGI: UnsafeMutablePointer<Float>, dGG: UnsafeMutablePointer<Float>,
                                                         dMPrev: UnsafeMutablePointer<Float>) {
    let i = sigmoid8(l.load(gI + k)), gg = tanh8(l.load(gG + k)), d = l.load(dM + k)
    let di = d * gg + (d * l.load(mPrev + k)) * -1
    l.store(di * i * (1 - i), dGI + k)
    l.store(d * i * (1 - gg * gg), dGG + k)
    l.store(d * (i * -1 + 1), dMPrev + k)
}

extension Tensor {
    /// (H, M) of the SAM memory gate; `gates` [B, 3C, H, W], `mPrev` [B, C, H, W].
    public static func samGates(gates: Tensor, mPrev: Tensor) throws -> (h: Tensor, m: Tensor) {
        guard gates.rank == 4, mPrev.rank == 4, gates.shape[0] == mPrev.shape[0], gates.shape[1] == 3 * mPrev.shape[1],
              gates.shape[2] == mPrev.shape[2], gates.shape[3] == mPrev.shape[3] else {
            throw TensorError.shapeMismatch(op: "sam_gates", shapes: [gates.shape, mPrev.shape],
                                            detail: "need gates [B, 3C, H, W] and the memory [B, C, H, W]")
        }
        let b = mPrev.shape[0], c = mPrev.shape[1], n = mPrev.shape[2] * mPrev.shape[3]
        let g = gates.contiguous(), mp = mPrev.contiguous()
        defer { withExtendedLifetime((g, mp)) {} }   // the copies outlive every pointer taken from them
        let hOut = Tensor(uninitialized: mPrev.shape), mOut = Tensor(uninitialized: mPrev.shape)
        let pg = g.data, pm = mp.data, ph = hOut.data, po = mOut.data
        Parallel.forChunks(count: b * c, grain: max(1, elementwiseGrain / max(n, 1))) { lo, hi, _ in
            for row in lo..<hi {
                let bi = row / c, ch = row % c
                let gI = pg + (bi * 3 * c + ch) * n, gG = gI + c * n, gO = gI + 2 * c * n
                let mpr = pm + row * n, hr = ph + row * n, mr = po + row * n
                var k = 0
                while k + 8 <= n { samGatesVector(WholeLanes(), k, gI: gI, gG: gG, gO: gO, mPrev: mpr, m: mr, h: hr); k += 8 }
                if k < n { samGatesVector(FirstLanes(count: n - k), k, gI: gI, gG: gG, gO: gO, mPrev: mpr, m: mr, h: hr) }
            }
        }
        let m = gates.record(mOut, .samMemory(gates: gates, mPrev: mPrev))
        let h = gates.record(hOut, .samOutput(gates: gates, m: m))
        return (h, m)
    }
}

/// The gates' and the memory's gradients through H = σ(gates_o)⊙M:
/// d gates_o = ((dH⊙M)⊙o)⊙(1 − o) (zero elsewhere), dM = dH⊙o.
func samOutputBackward(grad dH: Tensor, gates: Tensor, m: Tensor) -> [Tensor?] {
    let shape = m.shape, b = shape[0], c = shape[1], n = shape[2] * shape[3]
    let g = gates.contiguous(), mc = m.contiguous(), dh = dH.contiguous()
    defer { withExtendedLifetime((g, mc, dh)) {} }   // the copies outlive every pointer taken from them
    let dG = Tensor(zeros: gates.shape), dM = Tensor(uninitialized: shape)
    let pg = g.data, pm = mc.data, pd = dh.data, pdg = dG.data, pdm = dM.data
    Parallel.forChunks(count: b * c, grain: max(1, elementwiseGrain / max(n, 1))) { lo, hi, _ in
        for row in lo..<hi {
            let bi = row / c, ch = row % c
            let off = (bi * 3 * c + 2 * c + ch) * n
            let gO = pg + off, dGO = pdg + off
            let mr = pm + row * n, dhr = pd + row * n, dmr = pdm + row * n
            var k = 0
            while k + 8 <= n { samOutputGradVector(WholeLanes(), k, gO: gO, m: mr, dH: dhr, dGO: dGO, dM: dmr); k += 8 }
            if k < n { samOutputGradVector(FirstLanes(count: n - k), k, gO: gO, m: mr, dH: dhr, dGO: dGO, dM: dmr) }
        }
    }
    return [gates.requiresGrad ? dG : nil, m.requiresGrad ? dM : nil]
}

/// The gates' and M_prev's gradients through M = (i·(−1) + 1)⊙M_prev + i⊙g:
/// di = dM⊙g + (dM⊙M_prev)·(−1), d gates_i = (di⊙i)⊙(1 − i),
/// d gates_g = (dM⊙i)⊙(1 − g⊙g) (zero in the o block), dM_prev = dM⊙(i·(−1) + 1).
func samMemoryBackward(grad dM: Tensor, gates: Tensor, mPrev: Tensor) -> [Tensor?] {
    let shape = mPrev.shape, b = shape[0], c = shape[1], n = shape[2] * shape[3]
    let g = gates.contiguous(), mp = mPrev.contiguous(), dm = dM.contiguous()
    defer { withExtendedLifetime((g, mp, dm)) {} }   // the copies outlive every pointer taken from them
    let dG = Tensor(zeros: gates.shape), dMp = Tensor(uninitialized: shape)
    let pg = g.data, pm = mp.data, pd = dm.data, pdg = dG.data, pdp = dMp.data
    Parallel.forChunks(count: b * c, grain: max(1, elementwiseGrain / max(n, 1))) { lo, hi, _ in
        for row in lo..<hi {
            let bi = row / c, ch = row % c
            let off = (bi * 3 * c + ch) * n
            let gI = pg + off, gG = gI + c * n, dGI = pdg + off, dGG = dGI + c * n
            let mpr = pm + row * n, dmr = pd + row * n, dpr = pdp + row * n
            var k = 0
            while k + 8 <= n { samMemoryGradVector(WholeLanes(), k, gI: gI, gG: gG, mPrev: mpr, dM: dmr, dGI: dGI, dGG: dGG, dMPrev: dpr); k += 8 }
            if k < n { samMemoryGradVector(FirstLanes(count: n - k), k, gI: gI, gG: gG, mPrev: mpr, dM: dmr, dGI: dGI, dGG: dGG, dMPrev: dpr) }
        }
    }
    return [gates.requiresGrad ? dG : nil, mPrev.requiresGrad ? dMp : nil]
}
