// The 8-lane Swift loops of the Winograd data transforms that Tensor+Winograd.swift
// ran on the AVX2 GEMM path until winograd.c's 8-lane C functions (`kymo_winograd_input8`,
// `…_output8`, `…_grad8`) replaced them, kept verbatim as the reference the C
// functions at both widths must match bit for bit (WinogradTransformTests), with the
// bookkeeping they used (`WinogradTiles.rowLen`, `forEachRun`, the scratch size).
@testable import TensorEngine

extension WinogradTiles {
    var rowLen: Int { 2 * tilesX + 2 + 16 }   // a padded input row plus slack for 16-wide loads
    /// Scratch floats of the transforms of a chunk of n tiles: the 8-lane loops' rows of
    /// `channels` planes, or what `kymo_winograd_input` needs, whichever is more.
    func scratchCount(channels: Int, n: Int) -> Int {
        max((4 * channels + 1) * rowLen, scratchCount(n: n))
    }
    /// Calls body(b, ty, tx0, len, n0) for each maximal run of tiles in [lo, hi) lying in
    /// one tile row; n0 is the run's first column in the chunk.
    @inline(__always) func forEachRun(_ lo: Int, _ hi: Int, _ body: (Int, Int, Int, Int, Int) -> Void) {
        var t = lo
        while t < hi {
            let b = t / perSample, r = t - b * perSample
            let ty = r / tilesX, tx0 = r - ty * tilesX
            let len = min(tilesX - tx0, hi - t)
            body(b, ty, tx0, len, t - lo)
            t += len
        }
    }
}

/// U[ξ][c][t − lo] = (Bᵀ·d·B)[ξ] of the 4×4 input patch of tile t ∈ [lo, hi), channel c, at u[ξ·plane + c·n + t − lo].
/// `rows` is scratch of (4·cin + 1)·rowLen.
func winogradInput(_ x: UnsafePointer<Float>, cin: Int, _ g: WinogradTiles, _ lo: Int, _ hi: Int,
                   u: UnsafeMutablePointer<Float>, plane: Int, rows: UnsafeMutablePointer<Float>) {
    let n = hi - lo, rowLen = g.rowLen
    let zeros = rows + 4 * cin * rowLen
    zeros.initialize(repeating: 0, count: rowLen)
    // one run of tiles within a tile row at a time: Bᵀ·d for every channel first,
    // then ·B (so no load waits on a store still in flight)
    g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
        for c in 0..<cin {
            inputColumns(x + (b * cin + c) * g.h * g.w, h: g.h, w: g.w, ty: ty, tx0: tx0, len: len,
                         t: rows + 4 * c * rowLen, rowLen: rowLen, zeros: zeros)
        }
        for c in 0..<cin {
            inputRows(rows + 4 * c * rowLen, rowLen: rowLen, len: len, u: u + c * n + n0, plane: plane)
        }
    }
}

/// dM[ξ][t] = (A·dy·Aᵀ)[ξ] for the `len` tiles (ty, tx0 + t) of one output-gradient plane,
/// A = [[1,0],[1,1],[1,−1],[0,−1]]; outputs outside the image count as zero.
/// `rows` is scratch of ≥ 2·(2·len + 16).
@inline(never) func gradTransform(_ plane: UnsafePointer<Float>, h: Int, w: Int, ty: Int, tx0: Int, len: Int,
                                  m: UnsafeMutablePointer<Float>, plane stride: Int, rows: UnsafeMutablePointer<Float>) {
    let x0 = 2 * tx0, y0 = 2 * ty
    let inside = x0 + 2 * len <= w && y0 + 1 < h
    var top = plane + y0 * w + x0, bottom = top + w
    if !inside {   // copy the valid part into zero-padded rows
        let width = 2 * len + 16, count = min(2 * len, w - x0)
        let t = rows, bt = rows + width
        t.initialize(repeating: 0, count: 2 * width)
        t.update(from: top, count: count)
        if y0 + 1 < h { bt.update(from: bottom, count: count) }
        top = UnsafePointer(t); bottom = UnsafePointer(bt)
    }
    // dy = [[a0, a1], [b0, b1]]: rows of A·dy are (a, a + b, a − b, −b) per column,
    // then the same combination along each row
    @inline(__always) func emit(_ a0: V8, _ a1: V8, _ b0: V8, _ b1: V8, _ store: (Int, V8) -> Void) {
        @inline(__always) func row(_ i: Int, _ c0: V8, _ c1: V8) {
            store(4 * i, c0); store(4 * i + 1, c0 + c1); store(4 * i + 2, c0 - c1); store(4 * i + 3, -c1)
        }
        row(0, a0, a1); row(1, a0 + b0, a1 + b1); row(2, a0 - b0, a1 - b1); row(3, -b0, -b1)
    }
    var k = 0
    while k + 8 <= len {
        let p = UnsafeRawPointer(top + 2 * k).loadUnaligned(as: SIMD16<Float>.self)
        let q = UnsafeRawPointer(bottom + 2 * k).loadUnaligned(as: SIMD16<Float>.self)
        emit(p.evenHalf, p.oddHalf, q.evenHalf, q.oddHalf) { xi, v in store8(v, m + xi * stride + k) }
        k += 8
    }
    if k < len {
        let rest = len - k
        var a0 = V8(), a1 = V8(), b0 = V8(), b1 = V8()
        for l in 0..<rest {
            a0[l] = top[2 * (k + l)]; a1[l] = top[2 * (k + l) + 1]
            b0[l] = bottom[2 * (k + l)]; b1[l] = bottom[2 * (k + l) + 1]
        }
        emit(a0, a1, b0, b1) { xi, v in for l in 0..<rest { m[xi * stride + k + l] = v[l] } }
    }
}

/// Bᵀ·d for the `len` tiles (ty, tx0 + t) of one channel plane, down the columns:
/// t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3 over the 2·len + 2 padded columns,
/// Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]. `t` receives 4 rows of `rowLen`;
/// `zeros` is a zero row of ≥ rowLen (reads stay within the image or that row).
@inline(__always) func inputColumns(_ plane: UnsafePointer<Float>, h: Int, w: Int, ty: Int, tx0: Int, len: Int,
                                    t: UnsafeMutablePointer<Float>, rowLen: Int, zeros: UnsafeMutablePointer<Float>) {
    let width = 2 * len + 2, col0 = 2 * tx0 - 1     // the padded row covers image columns col0 ..< col0 + width
    let q0 = max(0, -col0), q1 = max(q0, min(width, w - col0))   // columns inside the image
    // the four input rows (a row outside the image reads the zero row); only q0 ..< q1 is read
    @inline(__always) func src(_ i: Int) -> UnsafePointer<Float> {
        let sy = 2 * ty - 1 + i
        return sy < 0 || sy >= h ? UnsafePointer(zeros) : plane + sy * w + col0
    }
    let d0 = src(0), d1 = src(1), d2 = src(2), d3 = src(3)
    let t1 = t + rowLen, t2 = t + 2 * rowLen, t3 = t + 3 * rowLen
    for q in 0..<q0 { t[q] = 0; t1[q] = 0; t2[q] = 0; t3[q] = 0 }
    var q = q0
    while q + 8 <= q1 {
        let a0 = load8(d0 + q), a1 = load8(d1 + q), a2 = load8(d2 + q), a3 = load8(d3 + q)
        store8(a0 - a2, t + q); store8(a1 + a2, t1 + q); store8(a2 - a1, t2 + q); store8(a1 - a3, t3 + q)
        q += 8
    }
    while q < q1 {
        let a0 = d0[q], a1 = d1[q], a2 = d2[q], a3 = d3[q]
        t[q] = a0 - a2; t1[q] = a1 + a2; t2[q] = a2 - a1; t3[q] = a1 - a3
        q += 1
    }
    for q in q1..<width { t[q] = 0; t1[q] = 0; t2[q] = 0; t3[q] = 0 }
}

/// ·B along the 4 rows `t` of `inputColumns`: U[4i + j][k] for tile k, from
/// e0 = r[2k], o0 = r[2k+1], e1 = r[2k+2], o1 = r[2k+3] of row i.
@inline(__always) func inputRows(_ t: UnsafeMutablePointer<Float>, rowLen: Int, len: Int,
                                 u: UnsafeMutablePointer<Float>, plane stride: Int) {
    // ·B along each row: tile k uses e0 = r[2k], o0 = r[2k+1], e1 = r[2k+2], o1 = r[2k+3]
    for i in 0..<4 {
        let r = t + i * rowLen
        let u0 = u + (4 * i) * stride, u1 = u0 + stride, u2 = u1 + stride, u3 = u2 + stride
        var k = 0
        while k + 8 <= len {
            let p = UnsafeRawPointer(r + 2 * k).loadUnaligned(as: SIMD16<Float>.self)
            let p2 = UnsafeRawPointer(r + 2 * k + 2).loadUnaligned(as: SIMD16<Float>.self)
            let e0 = p.evenHalf, o0 = p.oddHalf, e1 = p2.evenHalf, o1 = p2.oddHalf
            store8(e0 - e1, u0 + k)
            store8(o0 + e1, u1 + k)
            store8(e1 - o0, u2 + k)
            store8(o0 - o1, u3 + k)
            k += 8
        }
        while k < len {
            let e0 = r[2 * k], o0 = r[2 * k + 1], e1 = r[2 * k + 2], o1 = r[2 * k + 3]
            u0[k] = e0 - e1; u1[k] = o0 + e1; u2[k] = e1 - o0; u3[k] = o0 - o1
            k += 1
        }
    }
}

/// Writes the 2×2 outputs Aᵀ·m·A + bias of `len` tiles (ty, tx0 + t) into one output plane,
/// Aᵀ = [[1,1,1,0],[0,1,−1,−1]]; m[ξ·plane + t]. `rows` is scratch of ≥ 4·len + 16.
@inline(never) func outputTransform(_ m: UnsafePointer<Float>, plane stride: Int, len: Int, bias: Float,
                                       y: UnsafeMutablePointer<Float>, h: Int, w: Int, ty: Int, tx0: Int,
                                       rows: UnsafeMutablePointer<Float>) {
    let x0 = 2 * tx0, y0 = 2 * ty
    let inside = x0 + 2 * len <= w && y0 + 1 < h          // every output of the run lies in the image
    let top = inside ? y + y0 * w + x0 : rows                // else write to scratch rows and copy the valid part
    let bottom = inside ? top + w : rows + 2 * len + 8
    let vb = V8(repeating: bias)
    var k = 0
    @inline(__always) func tile(_ mm: (Int) -> V8) -> (V8, V8, V8, V8) {
        // along i: s_j = m0j + m1j + m2j, d_j = m1j − m2j − m3j; then the same along j
        let m0 = mm(0), m1 = mm(1), m2 = mm(2), m3 = mm(3)
        let m4 = mm(4), m5 = mm(5), m6 = mm(6), m7 = mm(7)
        let m8 = mm(8), m9 = mm(9), m10 = mm(10), m11 = mm(11)
        let m12 = mm(12), m13 = mm(13), m14 = mm(14), m15 = mm(15)
        let s0 = m0 + m4 + m8, s1 = m1 + m5 + m9, s2 = m2 + m6 + m10, s3 = m3 + m7 + m11
        let d0 = m4 - m8 - m12, d1 = m5 - m9 - m13, d2 = m6 - m10 - m14, d3 = m7 - m11 - m15
        return (s0 + s1 + s2 + vb, s1 - s2 - s3 + vb, d0 + d1 + d2 + vb, d1 - d2 - d3 + vb)
    }
    while k + 8 <= len {
        let (y00, y01, y10, y11) = tile { load8(m + $0 * stride + k) }
        UnsafeMutableRawPointer(top + 2 * k).storeBytes(of: interleave(y00, y01), as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(bottom + 2 * k).storeBytes(of: interleave(y10, y11), as: SIMD16<Float>.self)
        k += 8
    }
    if k < len {
        let rest = len - k
        let (y00, y01, y10, y11) = tile { xi in
            var v = V8()
            for l in 0..<rest { v[l] = m[xi * stride + k + l] }
            return v
        }
        for l in 0..<rest {
            top[2 * (k + l)] = y00[l]; top[2 * (k + l) + 1] = y01[l]
            bottom[2 * (k + l)] = y10[l]; bottom[2 * (k + l) + 1] = y11[l]
        }
    }
    if !inside {
        let count = min(2 * len, w - x0)
        (y + y0 * w + x0).update(from: top, count: count)
        if y0 + 1 < h { (y + (y0 + 1) * w + x0).update(from: bottom, count: count) }
    }
}

/// (a0, b0, a1, b1, …, a7, b7).
@inline(__always) func interleave(_ a: V8, _ b: V8) -> SIMD16<Float> {
    SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}
