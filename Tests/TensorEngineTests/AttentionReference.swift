// The attention as it was computed before its own kernels (AttentionKernels.swift):
// every product through kymo_sgemm (S = q_blkᵀk, z = v·Aᵀ, dv, dA, dq = k·dSᵀ,
// dk += q·dS) and each score row through `softmaxRow`, blocks of 256 query rows,
// backward recomputing each block or reading the map the forward kept (which
// `AttentionKeptMapTests` shows gives the recompute's bits; the reference's
// forward keeps none). Kept here verbatim as the reference the
// current attention must match bit for bit (`AttentionKernelTests`).
@testable import TensorEngine

enum AttentionReference {
    private static let block = 256

    private static func scores(_ qb: UnsafeMutablePointer<Float>, _ kb: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                               d: Int, n: Int, m: Int, r0: Int, rows: Int) {
        sgemm(MatView(ptr: qb + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: kb, ld: m, trans: false, batchStride: 0),
              s, ldc: m, m: rows, n: m, k: d)
        for r in 0..<rows { softmaxRow(s + r * m, s + r * m, m) }
    }

    /// z [B, C, N] for q [B, d, N], k [B, d, M], v [B, C, M].
    static func forward(q: Tensor, k: Tensor, v: Tensor) -> Tensor {
        let b = q.shape[0], d = q.shape[1], n = q.shape[2], m = k.shape[2], c = v.shape[1]
        let qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous()
        defer { withExtendedLifetime((qc, kc, vc)) {} }
        let out = Tensor(uninitialized: [b, c, n])
        let a = UnsafeMutablePointer<Float>.allocate(capacity: max(1, block * m))
        defer { a.deallocate() }
        for bi in 0..<b {
            let qb = qc.data + bi * d * n, kb = kc.data + bi * d * m, vb = vc.data + bi * c * m
            let zb = out.data + bi * c * n
            var r0 = 0
            while r0 < n {
                let rows = min(block, n - r0)
                scores(qb, kb, a, d: d, n: n, m: m, r0: r0, rows: rows)
                sgemm(MatView(ptr: vb, ld: m, trans: false, batchStride: 0), MatView(ptr: a, ld: m, trans: true, batchStride: 0),
                      zb + r0, ldc: n, m: c, n: rows, k: m)
                r0 += rows
            }
        }
        return out
    }

    /// (dq, dk, dv) for the gradient gz [B, C, N] of z; `map`: the forward's
    /// softmaxed scores [B, N, M] to read instead of recomputing them.
    static func backward(grad gz: Tensor, q: Tensor, k: Tensor, v: Tensor, map: Tensor? = nil) -> (dq: Tensor, dk: Tensor, dv: Tensor) {
        let b = q.shape[0], d = q.shape[1], n = q.shape[2], m = k.shape[2], c = v.shape[1]
        let qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous(), gc = gz.contiguous()
        defer { withExtendedLifetime((qc, kc, vc, gc, map)) {} }
        let dq = Tensor(uninitialized: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: max(1, block * m))
        let da = UnsafeMutablePointer<Float>.allocate(capacity: max(1, block * m))
        defer { a.deallocate(); da.deallocate() }
        for bi in 0..<b {
            let qb = qc.data + bi * d * n, kb = kc.data + bi * d * m, vb = vc.data + bi * c * m
            let gb = gc.data + bi * c * n
            let dqb = dq.data + bi * d * n, dkb = dk.data + bi * d * m, dvb = dv.data + bi * c * m
            var r0 = 0
            while r0 < n {
                let rows = min(block, n - r0)
                let s: UnsafeMutablePointer<Float>
                if let map {
                    s = map.data + (bi * n + r0) * m
                } else {
                    s = a
                    scores(qb, kb, s, d: d, n: n, m: m, r0: r0, rows: rows)
                }
                let gBlk = MatView(ptr: gb + r0, ld: n, trans: false, batchStride: 0)
                sgemm(gBlk, MatView(ptr: s, ld: m, trans: false, batchStride: 0), dvb, ldc: m, m: c, n: m, k: rows, accumulate: true)
                sgemm(MatView(ptr: gb + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: vb, ld: m, trans: false, batchStride: 0),
                      da, ldc: m, m: rows, n: m, k: c)
                softmaxGradRows(s, da, da, rows: rows, m, stride: m)
                sgemm(MatView(ptr: kb, ld: m, trans: false, batchStride: 0), MatView(ptr: da, ld: m, trans: true, batchStride: 0),
                      dqb + r0, ldc: n, m: d, n: rows, k: m)
                sgemm(MatView(ptr: qb + r0, ld: n, trans: false, batchStride: 0), MatView(ptr: da, ld: m, trans: false, batchStride: 0),
                      dkb, ldc: m, m: d, n: m, k: rows, accumulate: true)
                r0 += rows
            }
        }
        return (dq, dk, dv)
    }
}
