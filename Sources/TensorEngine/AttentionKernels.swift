// The attention's own products over its narrow width d (q and k are [d × N]
// and [d × M] with d = 8 in the SA/SAM modules): the scores S = q_blkᵀ·k with
// each row's max taken in the same pass (which the softmax rows then skip),
// two rows per pass so that each load of k feeds eight FMA chains,
// backward's recompute of the softmaxed block from the forward's row max and
// 1/Σ (each score exp'd while still in a register), and dq_blk = k·dS_blkᵀ, eight rows
// at a time over 8 lanes of d, reading dS where it lies (kymo_sgemm packed a
// transposed copy of it). dk += q_blk·dS_blk stays kymo_sgemm's: it reads dS
// in place at near peak, and a kernel walking dS's columns was 2.6× slower.
// Measured in docs/engine.md, "Speed".
//
// Every element is the chain kymo_sgemm computes for it — one FMA chain over
// the inner index in increasing order, from +0 (or from the element's old
// value when accumulating), see kymo_gemm.h — so the bits are sgemm's
// (`AttentionKernelTests`: against the sgemm-based attention, bit for bit).
// 8-lane Swift (the targets are built for AVX2): the same code on every GEMM path.
import CKymoGEMM

/// dst[c·ldDst + r] = src[r·ld + c] for r < rows, c < cols, and +0 in the
/// padding r = rows..<ldDst: q [d × N] → qT [N × d], k [d × M] → kT [M × dp],
/// v [C × M] → vT [M × C] (CKymoGEMM's register transposes).
@inline(__always) func attentionTranspose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                                          _ dst: UnsafeMutablePointer<Float>, ldDst: Int) {
    kymo_transpose(src, ld, rows, cols, dst, ldDst, ldDst)
}

/// s[r·ld + j] = Σ_t qT[r·d + t]·k[t·m + j] (one FMA chain over t from +0) for
/// r < rows, j < m, and maxima[r] = the row's max as `rowMax` gives it (NaNs
/// never win, a ±0 maximum taken from a scan in order). Two rows per pass
/// (each load of k feeds both rows' chains: eight independent FMA chains
/// where one row has four; an odd last row is both rows of its pass, its
/// 32-column part written twice with the same values); each row's max in
/// one compare-and-blend accumulator per row (the max of a set, whatever
/// the order of the compares, but for a ±0 maximum, which the scan decides).
func attentionScoreRows(_ qT: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                        ld: Int, d: Int, m: Int, rows: Int, maxima: UnsafeMutablePointer<Float>) {
    var r = 0
    while r < rows {
        // rows r and r + 1, or an odd last row as both
        let pair = r + 1 < rows
        let q0 = qT + r * d, q1 = pair ? q0 + d : q0, s0 = s + r * ld, s1 = pair ? s0 + ld : s0
        var mx0 = V8(repeating: -.infinity), mx1 = mx0
        var j = 0
        while j + 32 <= m {
            let (a0, a1, a2, a3, b0, b1, b2, b3) = scoreTile(q0, q1, k + j, d: d, m: m)
            store8(a0, s0 + j); store8(a1, s0 + j + 8); store8(a2, s0 + j + 16); store8(a3, s0 + j + 24)
            store8(b0, s1 + j); store8(b1, s1 + j + 8); store8(b2, s1 + j + 16); store8(b3, s1 + j + 24)
            mx0.replace(with: a0, where: a0 .> mx0); mx0.replace(with: a1, where: a1 .> mx0)
            mx0.replace(with: a2, where: a2 .> mx0); mx0.replace(with: a3, where: a3 .> mx0)
            mx1.replace(with: b0, where: b0 .> mx1); mx1.replace(with: b1, where: b1 .> mx1)
            mx1.replace(with: b2, where: b2 .> mx1); mx1.replace(with: b3, where: b3 .> mx1)
            j += 32
        }
        maxima[r] = attentionScoreTail(q0, k, s0, d: d, m: m, from: j, max: mx0)
        if pair { maxima[r + 1] = attentionScoreTail(q1, k, s1, d: d, m: m, from: j, max: mx1) }
        r += 2
    }
}

/// The scores of two rows at 32 columns: (a0…a3) of qT row q0, (b0…b3) of q1, columns
/// kj..<kj + 32 of k ([d × m]), each one FMA chain over t from +0; each load of k feeds
/// both rows' chains (eight independent chains).
@inline(__always) func scoreTile(_ q0: UnsafePointer<Float>, _ q1: UnsafePointer<Float>, _ kj: UnsafePointer<Float>,
                                 d: Int, m: Int) -> (V8, V8, V8, V8, V8, V8, V8, V8) {
    var a0 = V8(repeating: 0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0
    var kt = kj
    for t in 0..<d {
        let k0 = load8(kt), k1 = load8(kt + 8), k2 = load8(kt + 16), k3 = load8(kt + 24)
        let u = V8(repeating: q0[t]), w = V8(repeating: q1[t])
        a0 = fma8(a0, u, k0); a1 = fma8(a1, u, k1); a2 = fma8(a2, u, k2); a3 = fma8(a3, u, k3)
        b0 = fma8(b0, w, k0); b1 = fma8(b1, w, k1); b2 = fma8(b2, w, k2); b3 = fma8(b3, w, k3)
        kt += m
    }
    return (a0, a1, a2, a3, b0, b1, b2, b3)
}

/// One row's scores at columns j..<j + 8: each one FMA chain over t from +0.
@inline(__always) func scoreVector(_ qr: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ j: Int, d: Int, m: Int) -> V8 {
    var a = V8(repeating: 0)
    for t in 0..<d { a = fma8(a, V8(repeating: qr[t]), load8(k + t * m + j)) }
    return a
}

/// One row's score at column j: the same chain as a lane of `scoreVector`.
@inline(__always) func scoreScalar(_ qr: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ j: Int, d: Int, m: Int) -> Float {
    var a: Float = 0
    for t in 0..<d { a = a.addingProduct(qr[t], k[t * m + j]) }
    return a
}

/// One score row's columns j..<m after its 32-column steps (whole vectors,
/// then one by one, the same chains) and its max: `mx` holds the max so far
/// in 8 lanes; returns the row's max as `rowMax` gives it.
@inline(__always) func attentionScoreTail(_ qr: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ sr: UnsafeMutablePointer<Float>,
                                          d: Int, m: Int, from j0: Int, max mx0: V8) -> Float {
    var mx0 = mx0, j = j0
    while j + 8 <= m {
        let a = scoreVector(qr, k, j, d: d, m: m)
        store8(a, sr + j)
        mx0.replace(with: a, where: a .> mx0)
        j += 8
    }
    var mx = -Float.infinity
    for l in 0..<8 where mx0[l] > mx { mx = mx0[l] }
    while j < m {
        let a = scoreScalar(qr, k, j, d: d, m: m)
        sr[j] = a
        if a > mx { mx = a }
        j += 1
    }
    return scannedZeroMax(mx, sr, m)   // ±0: the scan's own answer, as in `rowMax`
}

/// a[r·ld + j] = exp(s[r, j] − max_r)·(1/Σ_r), the softmaxed scores the forward
/// computed, in one pass: each score from `attentionScoreRows`' chain (the
/// same tiles: two rows × 32 columns, then 8, then one by one), and while it
/// is still in a register `softmaxRow`'s own operations on it (its softmaxExp8 of
/// s − max, lane by lane, and its product by 1/Σ) with the row's max and 1/Σ
/// the forward kept (`stats[2r]`, `stats[2r + 1]`): the same values from the
/// same operations, without storing the scores and reading them back, and
/// without the passes that found the max, the sum and 1/Σ.
func attentionProbRows(_ qT: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, ld: Int,
                       d: Int, m: Int, rows: Int, stats: UnsafePointer<Float>) {
    let ek = ExpConstants.shared.pointee
    var r = 0
    while r < rows {
        // rows r and r + 1, or an odd last row as both (its 32-column part written twice, the same values)
        let pair = r + 1 < rows, r1 = pair ? r + 1 : r
        let q0 = qT + r * d, q1 = qT + r1 * d, s0 = a + r * ld, s1 = a + r1 * ld
        let mx0 = V8(repeating: stats[2 * r]), inv0 = V8(repeating: stats[2 * r + 1])
        let mx1 = V8(repeating: stats[2 * r1]), inv1 = V8(repeating: stats[2 * r1 + 1])
        var j = 0
        while j + 32 <= m {
            let (a0, a1, a2, a3, b0, b1, b2, b3) = scoreTile(q0, q1, k + j, d: d, m: m)
            store8(softmaxExp8(a0 - mx0, ek) * inv0, s0 + j); store8(softmaxExp8(a1 - mx0, ek) * inv0, s0 + j + 8)
            store8(softmaxExp8(a2 - mx0, ek) * inv0, s0 + j + 16); store8(softmaxExp8(a3 - mx0, ek) * inv0, s0 + j + 24)
            store8(softmaxExp8(b0 - mx1, ek) * inv1, s1 + j); store8(softmaxExp8(b1 - mx1, ek) * inv1, s1 + j + 8)
            store8(softmaxExp8(b2 - mx1, ek) * inv1, s1 + j + 16); store8(softmaxExp8(b3 - mx1, ek) * inv1, s1 + j + 24)
            j += 32
        }
        attentionProbTail(q0, k, s0, d: d, m: m, from: j, max: stats[2 * r], inv: stats[2 * r + 1], ek)
        if pair { attentionProbTail(q1, k, s1, d: d, m: m, from: j, max: stats[2 * r1], inv: stats[2 * r1 + 1], ek) }
        r += 2
    }
}

/// One row's columns j..<m of `attentionProbRows` after its 32-column steps: whole
/// vectors, then the last < 8 columns' scores (scalar chains, as `attentionScoreTail`)
/// as lanes of one vector, 0 beyond, through softmaxExp8 (lane by lane), each times 1/Σ.
@inline(__always) func attentionProbTail(_ qr: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ sr: UnsafeMutablePointer<Float>,
                                         d: Int, m: Int, from j0: Int, max mx: Float, inv: Float, _ ek: ExpConstants) {
    let mv = V8(repeating: mx), iv = V8(repeating: inv)
    var j = j0
    while j + 8 <= m {
        store8(softmaxExp8(scoreVector(qr, k, j, d: d, m: m) - mv, ek) * iv, sr + j)
        j += 8
    }
    if j < m {
        var v = V8(repeating: 0)
        for l in 0..<(m - j) { v[l] = scoreScalar(qr, k, j + l, d: d, m: m) - mx }
        let e = softmaxExp8(v, ek)
        for l in 0..<(m - j) { sr[j + l] = e[l] * inv }
    }
}

/// dq[t·ldq + r] = Σ_j kT[j·dp + t]·ds[r·ld + j] (one FMA chain over j from +0)
/// for t < d, r < rows; kT is k transposed, [M × dp] with dp = d rounded up
/// to 8 (padding lanes are computed and dropped).
func attentionDq(_ kT: UnsafePointer<Float>, _ ds: UnsafePointer<Float>, ld: Int, _ dq: UnsafeMutablePointer<Float>,
                 d: Int, dp: Int, m: Int, rows: Int, ldq: Int) {
    var g = 0
    while g < d {
        let kg = kT + g, lanes = min(8, d - g)
        var r = 0
        while r + 8 <= rows {
            let p0 = ds + r * ld, p1 = p0 + ld, p2 = p1 + ld, p3 = p2 + ld, p4 = p3 + ld, p5 = p4 + ld, p6 = p5 + ld, p7 = p6 + ld
            var a0 = V8(repeating: 0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
            for j in 0..<m {
                let kv = load8(kg + j * dp)
                a0 = fma8(a0, kv, V8(repeating: p0[j])); a1 = fma8(a1, kv, V8(repeating: p1[j]))
                a2 = fma8(a2, kv, V8(repeating: p2[j])); a3 = fma8(a3, kv, V8(repeating: p3[j]))
                a4 = fma8(a4, kv, V8(repeating: p4[j])); a5 = fma8(a5, kv, V8(repeating: p5[j]))
                a6 = fma8(a6, kv, V8(repeating: p6[j])); a7 = fma8(a7, kv, V8(repeating: p7[j]))
            }
            for l in 0..<lanes {
                let o = dq + (g + l) * ldq + r
                o[0] = a0[l]; o[1] = a1[l]; o[2] = a2[l]; o[3] = a3[l]
                o[4] = a4[l]; o[5] = a5[l]; o[6] = a6[l]; o[7] = a7[l]
            }
            r += 8
        }
        while r < rows {
            let p = ds + r * ld
            var a = V8(repeating: 0)
            for j in 0..<m { a = fma8(a, load8(kg + j * dp), V8(repeating: p[j])) }
            for l in 0..<lanes { dq[(g + l) * ldq + r] = a[l] }
            r += 1
        }
        g += 8
    }
}
