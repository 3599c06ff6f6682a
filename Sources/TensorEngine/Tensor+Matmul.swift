// Matrix products through OpenBLAS: 2-D and batched [.., M, K]·[.., K, N], with
// a 2-D operand shared across the batch. Transposed views are passed to BLAS as
// transposes (no copy). Work is cut into batch items, or into fixed blocks of
// columns for one large product; BLAS runs single-threaded inside each chunk.
import COpenBLAS

/// A matrix operand as BLAS sees it: pointer, leading dimension, transpose flag.
struct MatView {
    let ptr: UnsafeMutablePointer<Float>
    let ld: Int
    let trans: Bool
    let batchStride: Int
}

/// Describes the last two axes of `t` for BLAS (rows × cols), copying only when
/// neither row- nor column-major; batch axes must collapse to one stride.
func matView(_ t: Tensor, rows: Int, cols: Int) -> (MatView, Tensor) {
    let r = t.rank
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
    let base = t.storage.pointer + t.offset
    if uniformBatch && (span <= 1 || batchStride >= rows * cols) {
        if (s1 == 1 || cols == 1) && s0 >= max(cols, 1) {
            return (MatView(ptr: base, ld: max(s0, 1), trans: false, batchStride: batchStride), t)
        }
        if (s0 == 1 || rows == 1) && s1 >= max(rows, 1) {
            return (MatView(ptr: base, ld: max(s1, 1), trans: true, batchStride: batchStride), t)
        }
    }
    let c = t.detached()
    return (MatView(ptr: c.data, ld: max(cols, 1), trans: false, batchStride: rows * cols), c)
}

/// C[M×N] = A[M×K]·B[K×N] (+ beta·C), row-major, single-threaded BLAS.
@inline(__always) func sgemm(_ a: MatView, _ b: MatView, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                             m: Int, n: Int, k: Int, beta: Float = 0, aOffset: Int = 0, bOffset: Int = 0) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
        return
    }
    cblas_sgemm(CblasRowMajor, a.trans ? CblasTrans : CblasNoTrans, b.trans ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a.ptr + aOffset, Int32(a.ld), b.ptr + bOffset, Int32(b.ld),
                beta, c, Int32(ldc))
}

/// Column blocks for one large product: fixed by N alone.
let gemmColumnBlock = 512

/// out[batch][M×N] = a[batch][M×K] · b[batch][K×N], batch strides 0 for shared operands.
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
        let (va, ka) = matView(a, rows: m, cols: k)
        let (vb, kb) = matView(b, rows: k, cols: n)
        withExtendedLifetime((ka, kb)) {
            batchedGemm(va, vb, out: out.data, batch: batch, m: m, n: n, k: k, aShared: ba.isEmpty, bShared: bb.isEmpty)
        }
        return record(out, .matmul(a, b))
    }
}

func matmulBackward(grad g: Tensor, a: Tensor, b: Tensor) -> [Tensor?] {
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
    let gc = g.contiguous()
    let batch = Array(g.shape[..<(g.rank - 2)]).reduce(1, *)
    let aShared = a.rank == 2 && batch > 1 || a.rank == 2 && g.rank > 2
    let bShared = b.rank == 2 && batch > 1 || b.rank == 2 && g.rank > 2
    let vg = MatView(ptr: gc.data, ld: n, trans: false, batchStride: m * n)
    var ga: Tensor? = nil, gb: Tensor? = nil
    if a.requiresGrad {
        // dA = dC · Bᵀ
        let (vb, kb) = matView(b, rows: k, cols: n)
        let vbt = MatView(ptr: vb.ptr, ld: vb.ld, trans: !vb.trans, batchStride: vb.batchStride)
        if aShared {
            // Σ over batch of dC_i · B_iᵀ: one product over the stacked rows
            // when B is shared too; otherwise accumulate in batch order.
            let out = Tensor(zeros: [m, k])
            for i in 0..<batch {
                sgemm(MatView(ptr: gc.data, ld: n, trans: false, batchStride: 0), vbt, out.data, ldc: k, m: m, n: k, k: n,
                      beta: 1, aOffset: i * m * n, bOffset: bShared ? 0 : i * vb.batchStride)
            }
            ga = out
        } else {
            let out = Tensor(uninitialized: a.shape)
            withExtendedLifetime(kb) {
                batchedGemm(vg, vbt, out: out.data, batch: batch, m: m, n: k, k: n, aShared: false, bShared: bShared)
            }
            ga = out
        }
    }
    if b.requiresGrad {
        // dB = Aᵀ · dC
        let (va, ka) = matView(a, rows: m, cols: k)
        let vat = MatView(ptr: va.ptr, ld: va.ld, trans: !va.trans, batchStride: va.batchStride)
        if bShared {
            let out = Tensor(uninitialized: [k, n])
            if !aShared && !va.trans && va.ld == k && va.batchStride == m * k {
                // A stacked as [batch·M, K] contiguous: one product, K-reduction in BLAS order.
                let flat = MatView(ptr: va.ptr, ld: k, trans: true, batchStride: 0)
                withExtendedLifetime(ka) { batchedGemm(flat, vg, out: out.data, batch: 1, m: k, n: n, k: batch * m, aShared: true, bShared: true) }
            } else {
                out.buffer.initialize(repeating: 0)
                for i in 0..<batch {
                    sgemm(vat, MatView(ptr: gc.data, ld: n, trans: false, batchStride: 0), out.data, ldc: n, m: k, n: n, k: m,
                          beta: 1, aOffset: aShared ? 0 : i * va.batchStride, bOffset: i * m * n)
                }
            }
            gb = out
        } else {
            let out = Tensor(uninitialized: b.shape)
            withExtendedLifetime(ka) {
                batchedGemm(vat, vg, out: out.data, batch: batch, m: k, n: n, k: m, aShared: aShared, bShared: false)
            }
            gb = out
        }
    }
    return [ga, gb]
}
