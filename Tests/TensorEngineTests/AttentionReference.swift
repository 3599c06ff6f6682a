// The attention as it was computed before its own kernels (AttentionKernels.swift):
// every product through kymo_sgemm (S = q_blkᵀk, z = v·Aᵀ, dv, dA, dq = k·dSᵀ,
// dk += q·dS) and each score row through `softmaxRow`, blocks of 256 query rows,
// backward recomputing each block or reading the map the forward kept (which
// `AttentionKeptMapTests` shows gives the recompute's bits; the reference's
// forward keeps none). Kept here verbatim as the reference the
// current attention must match bit for bit (`AttentionKernelTests`). Also
// the score kernel as main had it before it took two rows per pass
// (`scoreRowsOneAtATime`), for the kernel's own test.
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

    /// `attentionScoreRows` as main had it (one row per pass, four 8-column
    /// chains and four max accumulators), kept verbatim for
    /// `AttentionKernelTests.testScoreRowsAgainstTheOneRowKernel`.
    static func scoreRowsOneAtATime(_ qT: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                            d: Int, m: Int, rows: Int, maxima: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let qr = qT + r * d, sr = s + r * m
            var mx0 = V8(repeating: -.infinity), mx1 = mx0, mx2 = mx0, mx3 = mx0
            var j = 0
            while j + 32 <= m {
                var a0 = V8(repeating: 0), a1 = a0, a2 = a0, a3 = a0
                var kt = k + j
                for t in 0..<d {
                    let qv = V8(repeating: qr[t])
                    a0 = fma8(a0, qv, load8(kt)); a1 = fma8(a1, qv, load8(kt + 8))
                    a2 = fma8(a2, qv, load8(kt + 16)); a3 = fma8(a3, qv, load8(kt + 24))
                    kt += m
                }
                store8(a0, sr + j); store8(a1, sr + j + 8); store8(a2, sr + j + 16); store8(a3, sr + j + 24)
                mx0.replace(with: a0, where: a0 .> mx0); mx1.replace(with: a1, where: a1 .> mx1)
                mx2.replace(with: a2, where: a2 .> mx2); mx3.replace(with: a3, where: a3 .> mx3)
                j += 32
            }
            mx0.replace(with: mx1, where: mx1 .> mx0)
            mx0.replace(with: mx2, where: mx2 .> mx0)
            mx0.replace(with: mx3, where: mx3 .> mx0)
            while j + 8 <= m {
                var a = V8(repeating: 0)
                for t in 0..<d { a = fma8(a, V8(repeating: qr[t]), load8(k + t * m + j)) }
                store8(a, sr + j)
                mx0.replace(with: a, where: a .> mx0)
                j += 8
            }
            var mx = -Float.infinity
            for l in 0..<8 where mx0[l] > mx { mx = mx0[l] }
            while j < m {
                var a: Float = 0
                for t in 0..<d { a = a.addingProduct(qr[t], k[t * m + j]) }
                sr[j] = a
                if a > mx { mx = a }
                j += 1
            }
            maxima[r] = scannedZeroMax(mx, sr, m)   // ±0: the scan's own answer, as in `rowMax`
        }
    }
}
