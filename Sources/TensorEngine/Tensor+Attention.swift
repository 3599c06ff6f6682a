// Fused softmax attention without an N×N tensor in memory (the self-attention
// module of docs/models.md: no 1/√d scaling, softmax over keys).
//
//   q [B, d, N]   k [B, d, M]   v [B, C, M]   →   z [B, C, N]
//   A = softmax_rows(qᵀ k) [N × M];  z = v · Aᵀ
//
// Queries are processed in blocks of `AttentionBlocking.rows` (256) rows: S = q_blkᵀ·k is
// formed in per-worker scratch, softmaxed, used, and dropped. The products
// S = q_blkᵀk (with each row's max) and dq = k·dSᵀ are AttentionKernels.swift's,
// the others (z, dv, dA, dk) kymo_sgemm's, but for values of C ≤ 4 channels, whose z is
// kymo_rows_dot's and whose dv, dA and softmax gradient are AttentionNarrowGrad.swift's one
// pass; each element is the same FMA chain either way. Backward
// recomputes each block (flash-attention style), so training at 64×64
// (N = M = 4096) keeps no 64 MB map per sample and step. A small map
// (N·M ≤ `AttentionMapKeeping.limit` floats per sample: the 16×16 grid's
// 256 KB) is instead written by the forward into a tensor the op keeps
// (`Op.attention`'s `map`, only when the op is recorded), and backward reads
// it instead of recomputing S = qᵀk and its exps: the recompute is the same
// deterministic code on the same inputs, so the bits are the same either
// way (`AttentionKeptMapTests`). A larger map is recomputed in one pass
// (`attentionProbRows`: scores exp'd in registers) from each row's max and 1/Σ, which the recorded
// forward keeps instead (`Op.attention`'s `rows`, 2 floats per row). Work is cut per sample; blocks of a sample
// run in order, so dk and dv sums are fixed.

import CKymoGEMM
import Synchronization

/// Query rows per block of the attention, forward and backward: 256 (a block
/// of scores at M = 1024 is 1 MB, twice the Zen 3's L2, but smaller blocks
/// measured no faster there, and 32 or fewer rows slower: docs/engine.md,
/// "Speed"). Process-wide; tests set it to compare block sizes (speed only,
/// never the bits: z's columns are independent per block, and dv and dk
/// continue one FMA chain per element across blocks, since kymo_sgemm's
/// accumulate starts each chain from C's old value).
enum AttentionBlocking {
    static let defaultRows = 256
    static let rows = Atomic<Int>(defaultRows)
    /// The block's rows for N query rows.
    static func rows(n: Int) -> Int { max(1, min(n, rows.load(ordering: .relaxed))) }
}

/// The largest score map (N·M floats per sample) the attention forward keeps
/// for backward; larger ones are recomputed. 65,536 floats = 256 KB: the
/// 16×16 grid (N = M = 256) is kept, the 32×32 one (N = 1024) recomputed.
/// Process-wide; tests set it to compare both ways (speed and memory only,
/// never the bits).
enum AttentionMapKeeping {
    static let defaultLimit = 65_536
    static let limit = Atomic<Int>(defaultLimit)
}

extension Tensor {
    public static func attention(q: Tensor, k: Tensor, v: Tensor) throws -> Tensor {
        guard q.rank == 3, k.rank == 3, v.rank == 3, q.shape[0] == k.shape[0], k.shape[0] == v.shape[0],
              q.shape[1] == k.shape[1], k.shape[2] == v.shape[2] else {
            throw TensorError.shapeMismatch(op: "attention", shapes: [q.shape, k.shape, v.shape],
                                            detail: "need q [B, d, N], k [B, d, M], v [B, C, M]")
        }
        let b = q.shape[0], d = q.shape[1], n = q.shape[2], m = k.shape[2], c = v.shape[1]
        let qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous()
        defer { withExtendedLifetime((qc, kc, vc)) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: [b, c, n])
        // A [B, N, M], kept for backward when the op is recorded and the map is small
        let recorded = GradMode.isEnabled && (q.requiresGrad || k.requiresGrad || v.requiresGrad)
        let map = recorded && n * m <= AttentionMapKeeping.limit.load(ordering: .relaxed) ? Tensor(uninitialized: [b, n, m]) : nil
        // else each row's max and 1/Σ [B, N, 2], for backward's one-pass recompute
        let stats = recorded && map == nil ? Tensor(uninitialized: [b, n, 2]) : nil
        let block = AttentionBlocking.rows(n: n)
        let ld = map == nil ? attentionRowStride(m) : m   // the score rows' stride: padded in scratch, M in the kept map
        Parallel.forEach(b) { bi, worker in
            Scratch.with(worker: worker, slot: 3, count: block * ld, instead: map.map { $0.data + bi * n * m }) { a in
            Scratch.with(worker: worker, slot: attentionScratchSlot, count: n * d + block) { qt in
            Scratch.with(worker: worker, slot: attentionScratchSlot + 2, count: m * c + block * c) { vt in
            let qb = qc.data + bi * d * n, kb = kc.data + bi * d * m, vb = vc.data + bi * c * m
            let zb = out.data + bi * c * n, zt = vt + m * c
            let narrow = c <= attentionNarrowChannels   // z by kymo_rows_dot, from v in place
            attentionTranspose(qb, rows: d, cols: n, ld: n, qt, ldDst: d)   // qT [N × d]; then a block's row maxima
            if !narrow { attentionTranspose(vb, rows: c, cols: m, ld: m, vt, ldDst: c) }   // vT [M × C]
            var r0 = 0
            while r0 < n {
                let rows = min(block, n - r0)
                let s = map == nil ? a : a + r0 * m   // this block's rows: scratch, or their place in the kept map
                attentionScores(qt + r0 * d, kb, s, ld: ld, maxima: qt + n * d, d: d, m: m, rows: rows,
                                stats: stats.map { $0.data + (bi * n + r0) * 2 })
                if narrow {
                    // z[:, r0..] = v · A_blkᵀ, eight rows of A_blk in each chain's lanes
                    _ = kymo_rows_dot(s, ld, rows, m, vb, m, Int32(c), zb + r0, n)
                } else {
                    // z[:, r0..]ᵀ = A_blk [rows × M] · vT [M × C]: A_blk's rows are read in place, no
                    // transposing copy of the block (the same chain per element as v · A_blkᵀ)
                    sgemm(MatView(ptr: s, ld: ld, trans: false, batchStride: 0), MatView(ptr: vt, ld: c, trans: false, batchStride: 0),
                          zt, ldc: c, m: rows, n: c, k: m)
                    kymo_transpose(zt, c, rows, c, zb + r0, n, rows)   // z[ci, r0 + r] = zt[r, ci]
                }
                r0 += rows
            }
            } } }
        }
        return q.record(out, .attention(q: q, k: k, v: v, map: map, rows: stats))
    }

    /// Rows `queries` of A = softmax_rows(qᵀk) for sample `sample`: [queries.count, M].
    /// For attention maps; computes only the rows asked for.
    public static func attentionRows(q: Tensor, k: Tensor, sample: Int, queries: [Int]) throws -> Tensor {
        let d = q.shape[1], n = q.shape[2], m = k.shape[2]
        guard q.rank == 3, k.rank == 3, sample >= 0, sample < q.shape[0], k.shape[1] == d else {
            throw TensorError.shapeMismatch(op: "attention_rows", shapes: [q.shape, k.shape], detail: "need q [B, d, N], k [B, d, M] and a sample in range")
        }
        if let bad = queries.first(where: { $0 < 0 || $0 >= n }) {
            throw TensorError.invalidArgument(op: "attention_rows", detail: "query index \(bad) outside 0..<\(n)")
        }
        let qc = q.contiguous(), kc = k.contiguous()
        defer { withExtendedLifetime((qc, kc)) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: [queries.count, m])
        let pq = qc.data, pk = kc.data, po = out.data   // once, outside the loops
        for (r, qi) in queries.enumerated() {
            let row = po + r * m
            for j in 0..<m {
                var s: Float = 0
                for t in 0..<d { s += pq[(sample * d + t) * n + qi] * pk[(sample * d + t) * m + j] }
                row[j] = s
            }
            softmaxRow(row, row, m)
        }
        return out
    }
}

/// The row stride (floats) of the attention's per-block scratch, the scores
/// A_blk and beside them dA: M rounded up to whole 64-byte lines, and then to
/// an odd number of lines. Rows M = 1024 floats apart (4 KB: the 32×32 grid)
/// all fall in one L1 set and 16 of L2's, so a panel of 256 such rows left
/// the caches between row tiles; 1,040 apart they spread over every set
/// (Zen 3, scripts/gemm-products.c: dk += q·dS 8×1024×256 72–74 → 55–57 µs,
/// dv += dZ·A 32×1024×256 232 → 186–188 µs, B then read in place). Only
/// where the values are stored: no value changes.
func attentionRowStride(_ m: Int) -> Int { ((m + 15) / 16 | 1) * 16 }

/// The first scratch slot of the attention's transposed operands (qT and
/// the row maxima; kT in backward at the next one).
let attentionScratchSlot = 11

/// s[r·ld + j] = softmax_j(Σ_t qT[r, t] · k[t, j]) for r in 0..<rows (`maxima`: rows floats of scratch);
/// `stats`, if given, receives each row's max and 1/Σ (2 floats per row).
@inline(__always) func attentionScores(_ qT: UnsafePointer<Float>, _ kb: UnsafePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                                       ld: Int, maxima: UnsafeMutablePointer<Float>, d: Int, m: Int, rows: Int,
                                       stats: UnsafeMutablePointer<Float>? = nil) {
    attentionScoreRows(qT, kb, s, ld: ld, d: d, m: m, rows: rows, maxima: maxima)   // S = q_blkᵀ·k and each row's max
    for r in 0..<rows {
        let inv = softmaxRow(s + r * ld, s + r * ld, m, max: maxima[r])
        if let stats { stats[2 * r] = maxima[r]; stats[2 * r + 1] = inv }
    }
}

/// The gradients (dq, dk, dv); `map` is the forward's A [B, N, M] when it kept
/// one (the same values the recompute gives), else each block is recomputed:
/// in one pass from the forward's `rows` (each row's max and 1/Σ,
/// [B, N, 2]) when given, else as the forward computed it.
func attentionBackward(grad gz: Tensor, q: Tensor, k: Tensor, v: Tensor, map: Tensor? = nil, rows rowStats: Tensor? = nil) -> [Tensor?] {
    let b = q.shape[0], d = q.shape[1], n = q.shape[2], m = k.shape[2], c = v.shape[1]
    let qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous(), gc = gz.contiguous()
    defer { withExtendedLifetime((qc, kc, vc, gc, map, rowStats)) {} }   // the copies outlive every pointer taken from them
    precondition(map.map { $0.shape == [b, n, m] } ?? true, "attention: kept map of the wrong shape")
    precondition(rowStats.map { $0.shape == [b, n, 2] && $0.isContiguous } ?? true, "attention: kept row statistics of the wrong shape")
    let dq = Tensor(uninitialized: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
    let dp = (d + 7) / 8 * 8   // kT's row: d padded to whole vectors
    let block = AttentionBlocking.rows(n: n)
    let ld = map == nil ? attentionRowStride(m) : m   // the rows' stride of A_blk and of dA beside it
    Parallel.forEach(b) { bi, worker in
        Scratch.with(worker: worker, slot: 3, count: block * ld, instead: map.map { $0.data + bi * n * m }) { a in
        Scratch.with(worker: worker, slot: 4, count: block * ld) { da in
        Scratch.with(worker: worker, slot: attentionScratchSlot, count: n * d + block) { qt in
        Scratch.with(worker: worker, slot: attentionScratchSlot + 1, count: m * dp) { kt in
        let qb = qc.data + bi * d * n, kb = kc.data + bi * d * m, vb = vc.data + bi * c * m
        let gb = gc.data + bi * c * n
        let dqb = dq.data + bi * d * n, dkb = dk.data + bi * d * m, dvb = dv.data + bi * c * m
        attentionTranspose(qb, rows: d, cols: n, ld: n, qt, ldDst: d)    // qT [N × d]
        attentionTranspose(kb, rows: d, cols: m, ld: m, kt, ldDst: dp)   // kT [M × dp]
        var r0 = 0
        while r0 < n {
            let rows = min(block, n - r0)
            let s: UnsafeMutablePointer<Float>   // A_blk [rows × M]
            if map == nil {
                s = a
                if let rowStats {
                    attentionProbRows(qt + r0 * d, kb, s, ld: ld, d: d, m: m, rows: rows, stats: rowStats.data + (bi * n + r0) * 2)
                } else {
                    attentionScores(qt + r0 * d, kb, s, ld: ld, maxima: qt + n * d, d: d, m: m, rows: rows)
                }
            } else {
                s = a + r0 * m
            }
            if c <= attentionNarrowChannels {
                // the three below in one pass over A_blk's rows (AttentionNarrowGrad.swift)
                attentionNarrowGradRows(s, da, ld: ld, g: gb + r0, ldg: n, v: vb, dv: dvb, c: c, m: m, rows: rows)
            } else {
                let gBlk = MatView(ptr: gb + r0, ld: n, trans: false, batchStride: 0)        // dZ_blk [C × rows]
                // dv += dZ_blk · A_blk      [C × M]
                sgemm(gBlk, MatView(ptr: s, ld: ld, trans: false, batchStride: 0), dvb, ldc: m, m: c, n: m, k: rows, accumulate: true)
                // dA = dZ_blkᵀ · v           [rows × M]
                sgemm(MatView(ptr: gb + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: vb, ld: m, trans: false, batchStride: 0),
                      da, ldc: ld, m: rows, n: m, k: c)
                // dS = A ⊙ (dA − Σ_j dA⊙A)
                softmaxGradRows(s, da, da, rows: rows, m, stride: ld)
            }
            // dq[:, r0..] = k · dSᵀ      [d × rows]
            attentionDq(kt, da, ld: ld, dqb + r0, d: d, dp: dp, m: m, rows: rows, ldq: n)
            // dk += q[:, r0..] · dS      [d × M]
            sgemm(MatView(ptr: qb + r0, ld: n, trans: false, batchStride: 0), MatView(ptr: da, ld: ld, trans: false, batchStride: 0),
                  dkb, ldc: m, m: d, n: m, k: rows, accumulate: true)
            r0 += rows
        }
        } } } }
    }
    return [q.requiresGrad ? dq : nil, k.requiresGrad ? dk : nil, v.requiresGrad ? dv : nil]
}
