// Matrix products through Kymo's own SGEMM (CKymoGEMM): 2-D and batched
// [.., M, K]·[.., K, N], with a 2-D operand shared across the batch. Transposed
// views are passed to the GEMM as transposes (no copy). Work is cut into batch
// items, or into fixed tiles of one large product; the GEMM runs
// single-threaded inside each chunk. Every output element is one FMA chain over
// k in increasing order (see CKymoGEMM/gemm.c), so neither the tiling, the
// thread count nor the CPU changes a bit.
import CKymoGEMM

/// A matrix operand as the GEMM sees it: pointer, leading dimension, transpose
/// flag, and the distance between batch items. Only valid while the memory it
/// points into is alive: for tensors, get one from `withMatrix`, never store it.
struct MatView {
    let ptr: UnsafeMutablePointer<Float>
    let ld: Int
    let trans: Bool
    let batchStride: Int

    /// The same operand transposed (no copy).
    var transposed: MatView { MatView(ptr: ptr, ld: ld, trans: !trans, batchStride: batchStride) }
}

extension Tensor {
    /// Calls `body` with the last two axes of `self` (rows × cols) as a GEMM
    /// operand. A strided view is passed as it is when it is row- or
    /// column-major; otherwise a contiguous copy is made, and kept alive until
    /// `body` returns. The view must not escape `body`. Batch axes must
    /// collapse to one stride (else the copy is used).
    func withMatrix<R>(rows: Int, cols: Int, _ body: (MatView) throws -> R) rethrows -> R {
        let t = self, r = t.rank
        let s0 = t.strides[r - 2], s1 = t.strides[r - 1]
        // Batch axes must collapse to one stride: inner non-unit axis sets it,
        // each outer non-unit axis must continue it.
        var batchStride = 0, span = 0, uniformBatch = true
        for i in stride(from: r - 3, through: 0, by: -1) where t.shape[i] != 1 {
            if span == 0 { batchStride = t.strides[i]; span = t.shape[i] } else {
                if t.strides[i] != batchStride * span { uniformBatch = false }
                span *= t.shape[i]
            }
        }
        if uniformBatch && (span <= 1 || batchStride >= rows * cols) {
            let base = t.storage.pointer + t.offset
            if (s1 == 1 || cols == 1) && s0 >= max(cols, 1) {
                return try withExtendedLifetime(t) {
                    try body(MatView(ptr: base, ld: max(s0, 1), trans: false, batchStride: batchStride))
                }
            }
            if (s0 == 1 || rows == 1) && s1 >= max(rows, 1) {
                return try withExtendedLifetime(t) {
                    try body(MatView(ptr: base, ld: max(s1, 1), trans: true, batchStride: batchStride))
                }
            }
        }
        let c = t.detached()
        return try withExtendedLifetime(c) {
            try body(MatView(ptr: c.data, ld: max(cols, 1), trans: false, batchStride: rows * cols))
        }
    }
}

/// C[M×N] = A[M×K]·B[K×N] (+ C when `accumulate`), row-major, single-threaded.
@inline(__always) func sgemm(_ a: MatView, _ b: MatView, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                             m: Int, n: Int, k: Int, accumulate: Bool = false, aOffset: Int = 0, bOffset: Int = 0) {
    kymo_sgemm(a.trans ? 1 : 0, b.trans ? 1 : 0, m, n, k, a.ptr + aOffset, a.ld, b.ptr + bOffset, b.ld,
               c, ldc, accumulate ? 1 : 0)
}

/// Column tiles of one large product: fixed by N alone.
let gemmColumnBlock = 512
/// Row tiles of one large product with fewer columns: fixed by M alone
/// (a multiple of both micro-kernels' row counts).
let gemmRowBlock = 144

/// out[batch][M×N] = a[batch][M×K] · b[batch][K×N], batch strides 0 for shared operands.
/// Bits do not depend on how this cuts the work (each element is one fixed FMA
/// chain); the tiles are fixed anyway, so the schedule is the same for any thread count.
func batchedGemm(_ a: MatView, _ b: MatView, out: UnsafeMutablePointer<Float>, batch: Int, m: Int, n: Int, k: Int,
                 aShared: Bool, bShared: Bool) {
    if batch > 1 {
        Parallel.forEach(batch) { i, _ in
            sgemm(a, b, out + i * m * n, ldc: n, m: m, n: n, k: k,
                  aOffset: aShared ? 0 : i * a.batchStride, bOffset: bShared ? 0 : i * b.batchStride)
        }
    } else if n >= 2 * gemmColumnBlock {
        let blocks = (n + gemmColumnBlock - 1) / gemmColumnBlock
        Parallel.forEach(blocks) { j, _ in
            let c0 = j * gemmColumnBlock, w = min(gemmColumnBlock, n - c0)
            let bOff = b.trans ? c0 * b.ld : c0
            sgemm(a, b, out + c0, ldc: n, m: m, n: w, k: k, bOffset: bOff)
        }
    } else if m > gemmRowBlock && m * n * k >= 1 << 24 {
        let blocks = (m + gemmRowBlock - 1) / gemmRowBlock
        Parallel.forEach(blocks) { i, _ in
            let r0 = i * gemmRowBlock, h = min(gemmRowBlock, m - r0)
            let aOff = a.trans ? r0 : r0 * a.ld
            sgemm(a, b, out + r0 * n, ldc: n, m: h, n: n, k: k, aOffset: aOff)
        }
    } else {
        sgemm(a, b, out, ldc: n, m: m, n: n, k: k)
    }
}

extension Tensor {
    /// Matrix product over the last two axes; batch axes must match, or one
    /// operand is 2-D and shared by every batch item.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        guard a.rank >= 2, b.rank >= 2 else {
            throw TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], detail: "both operands need at least 2 axes")
        }
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        guard k == k2 else {
            throw TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], detail: "inner dimensions \(k) and \(k2) differ")
        }
        let ba = Array(a.shape[..<(a.rank - 2)]), bb = Array(b.shape[..<(b.rank - 2)])
        guard ba == bb || ba.isEmpty || bb.isEmpty else {
            throw TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], detail: "batch dimensions differ")
        }
        let batchShape = ba.isEmpty ? bb : ba
        let batch = batchShape.reduce(1, *)
        let out = Tensor(uninitialized: batchShape + [m, n])
        a.withMatrix(rows: m, cols: k) { va in
            b.withMatrix(rows: k, cols: n) { vb in
                batchedGemm(va, vb, out: out.data, batch: batch, m: m, n: n, k: k, aShared: ba.isEmpty, bShared: bb.isEmpty)
            }
        }
        return record(out, .matmul(a, b))
    }
}

func matmulBackward(grad g: Tensor, a: Tensor, b: Tensor) -> [Tensor?] {
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
    let gc = g.contiguous()
    defer { withExtendedLifetime(gc) {} }   // the copies outlive every pointer taken from them
    let batch = Array(g.shape[..<(g.rank - 2)]).reduce(1, *)
    let aShared = a.rank == 2 && batch > 1 || a.rank == 2 && g.rank > 2
    let bShared = b.rank == 2 && batch > 1 || b.rank == 2 && g.rank > 2
    var ga: Tensor? = nil, gb: Tensor? = nil
    gc.withMatrix(rows: batch * m, cols: n) { vgFlat in
        let vg = MatView(ptr: vgFlat.ptr, ld: n, trans: false, batchStride: m * n)   // gc is contiguous
        if a.requiresGrad {
            // dA = dC · Bᵀ
            ga = b.withMatrix(rows: k, cols: n) { vb -> Tensor in
                let vbt = vb.transposed
                if aShared {
                    // Σ over batch of dC_i · B_iᵀ, accumulated in batch order.
                    let out = Tensor(zeros: [m, k])
                    for i in 0..<batch {
                        sgemm(MatView(ptr: vg.ptr, ld: n, trans: false, batchStride: 0), vbt, out.data, ldc: k, m: m, n: k, k: n,
                              accumulate: true, aOffset: i * m * n, bOffset: bShared ? 0 : i * vb.batchStride)
                    }
                    return out
                }
                let out = Tensor(uninitialized: a.shape)
                batchedGemm(vg, vbt, out: out.data, batch: batch, m: m, n: k, k: n, aShared: false, bShared: bShared)
                return out
            }
        }
        if b.requiresGrad {
            // dB = Aᵀ · dC
            gb = a.withMatrix(rows: m, cols: k) { va -> Tensor in
                let vat = va.transposed
                if bShared {
                    let out = Tensor(uninitialized: [k, n])
                    if !aShared && !va.trans && va.ld == k && va.batchStride == m * k {
                        // A stacked as [batch·M, K] contiguous: one product over batch·M.
                        let flat = MatView(ptr: va.ptr, ld: k, trans: true, batchStride: 0)
                        batchedGemm(flat, vg, out: out.data, batch: 1, m: k, n: n, k: batch * m, aShared: true, bShared: true)
                    } else {
                        out.buffer.initialize(repeating: 0)
                        for i in 0..<batch {
                            sgemm(vat, MatView(ptr: vg.ptr, ld: n, trans: false, batchStride: 0), out.data, ldc: n, m: k, n: n, k: m,
                                  accumulate: true, aOffset: aShared ? 0 : i * va.batchStride, bOffset: i * m * n)
                        }
                    }
                    return out
                }
                let out = Tensor(uninitialized: b.shape)
                batchedGemm(vat, vg, out: out.data, batch: batch, m: k, n: n, k: m, aShared: aShared, bShared: false)
                return out
            }
        }
    }
    return [ga, gb]
}
