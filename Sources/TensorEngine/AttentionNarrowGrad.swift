// The attention's backward for narrow values (v of C ≤ `attentionNarrowChannels`
// channels: the SA module's attention over a one-channel input frame, or an
// RGB one). There dv += dZ_blk·A_blk is a matrix-vector product per channel
// and dA = dZ_blkᵀ·v an outer product with K = C: as kymo_sgemm calls they
// read the block of A once for dv, write dA in full (a megabyte per block at
// M = 1024) and read it back for the softmax gradient, and each costs more
// than its arithmetic. Here one pass over each row of A, four rows at a time,
// updates dv, forms the rows' dA in the dS buffer while they are in L1, and
// the softmax gradient follows on them there.
//
// Every element is the chain the separate calls compute (kymo_gemm.h: one FMA
// chain over the inner index in increasing order, from +0 or from the
// element's old value; `softmaxGradRows`' dot and pass), so the bits are
// theirs (`AttentionKernelTests`: against the sgemm-based attention).

/// The widest v (channels) whose attention backward takes `attentionNarrowGradRows`.
let attentionNarrowChannels = 4

/// For r < rows, j < m: dv[ci·m + j] += Σ_r g[ci·ldg + r]·a[r·ld + j] (each
/// element's chain continued over r in order: `sgemm(dZ_blk, A_blk, dv,
/// accumulate: true)`), dA[r, j] = Σ_ci g[ci·ldg + r]·v[ci·m + j] (a chain
/// over ci from +0: `sgemm(dZ_blkᵀ, v)`), and ds[r·ld + j] = a·(dA − Σ_j
/// dA·a) (`softmaxGradRows(a, dA, ds)`); ds holds dA on the way.
func attentionNarrowGradRows(_ a: UnsafePointer<Float>, _ ds: UnsafeMutablePointer<Float>, ld: Int,
                             g: UnsafePointer<Float>, ldg: Int, v: UnsafePointer<Float>, dv: UnsafeMutablePointer<Float>,
                             c: Int, m: Int, rows: Int) {
    var r = 0
    while r + 4 <= rows {
        let a0 = a + r * ld, a1 = a0 + ld, a2 = a1 + ld, a3 = a2 + ld
        let d0 = ds + r * ld, d1 = d0 + ld, d2 = d1 + ld, d3 = d2 + ld
        var s0 = V8(repeating: 0), s1 = s0, s2 = s0, s3 = s0
        var j = 0
        while j + 8 <= m {
            let y0 = load8(a0 + j), y1 = load8(a1 + j), y2 = load8(a2 + j), y3 = load8(a3 + j)
            var x0 = V8(repeating: 0), x1 = x0, x2 = x0, x3 = x0
            for ci in 0..<c {
                let gc = g + ci * ldg + r, vc = load8(v + ci * m + j)
                let g0 = V8(repeating: gc[0]), g1 = V8(repeating: gc[1]), g2 = V8(repeating: gc[2]), g3 = V8(repeating: gc[3])
                x0 = fma8(x0, g0, vc); x1 = fma8(x1, g1, vc); x2 = fma8(x2, g2, vc); x3 = fma8(x3, g3, vc)
                let w = dv + ci * m + j
                store8(fma8(fma8(fma8(fma8(load8(w), g0, y0), g1, y1), g2, y2), g3, y3), w)
            }
            store8(x0, d0 + j); store8(x1, d1 + j); store8(x2, d2 + j); store8(x3, d3 + j)
            s0 = fma8(s0, x0, y0); s1 = fma8(s1, x1, y1); s2 = fma8(s2, x2, y2); s3 = fma8(s3, x3, y3)
            j += 8
        }
        narrowGradTail(a0, d0, ld: ld, g: g, ldg: ldg, r: r, count: 4, v: v, dv: dv, c: c, m: m, from: j)
        let t0 = dotFinish(s0, d0, a0, from: j, m), t1 = dotFinish(s1, d1, a1, from: j, m)
        let t2 = dotFinish(s2, d2, a2, from: j, m), t3 = dotFinish(s3, d3, a3, from: j, m)
        gradPass(a0, d0, d0, m, dot: t0); gradPass(a1, d1, d1, m, dot: t1)
        gradPass(a2, d2, d2, m, dot: t2); gradPass(a3, d3, d3, m, dot: t3)
        r += 4
    }
    while r < rows {
        let a0 = a + r * ld, d0 = ds + r * ld
        var s0 = V8(repeating: 0)
        var j = 0
        while j + 8 <= m {
            let y0 = load8(a0 + j)
            var x0 = V8(repeating: 0)
            for ci in 0..<c {
                let g0 = V8(repeating: g[ci * ldg + r]), w = dv + ci * m + j
                x0 = fma8(x0, g0, load8(v + ci * m + j))
                store8(fma8(load8(w), g0, y0), w)
            }
            store8(x0, d0 + j)
            s0 = fma8(s0, x0, y0)
            j += 8
        }
        narrowGradTail(a0, d0, ld: ld, g: g, ldg: ldg, r: r, count: 1, v: v, dv: dv, c: c, m: m, from: j)
        gradPass(a0, d0, d0, m, dot: dotFinish(s0, d0, a0, from: j, m))
        r += 1
    }
}

/// Columns j0..<m of rows r..<r + count (their A rows from `a0`, their dS rows
/// from `d0`, ld apart), one element at a time: dA into dS, and dv's chains
/// continued over those rows in order — the chains of the vector steps.
@inline(__always) func narrowGradTail(_ a0: UnsafePointer<Float>, _ d0: UnsafeMutablePointer<Float>, ld: Int,
                                      g: UnsafePointer<Float>, ldg: Int, r: Int, count: Int,
                                      v: UnsafePointer<Float>, dv: UnsafeMutablePointer<Float>, c: Int, m: Int, from j0: Int) {
    for j in j0..<max(j0, m) {
        for i in 0..<count {
            var x: Float = 0
            for ci in 0..<c { x = x.addingProduct(g[ci * ldg + r + i], v[ci * m + j]) }
            d0[i * ld + j] = x
        }
        for ci in 0..<c {
            var w = dv[ci * m + j]
            for i in 0..<count { w = w.addingProduct(g[ci * ldg + r + i], a0[i * ld + j]) }
            dv[ci * m + j] = w
        }
    }
}
