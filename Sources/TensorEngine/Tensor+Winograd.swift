// Winograd F(2×2, 3×3) convolution (Lavin & Gray 2016) for conv2d with a 3×3
// kernel, stride 1 and padding (1, 1): the forward, the input gradient (a
// same-padded 3×3 convolution of dY with the 180°-rotated, channel-transposed
// kernel) and the weight gradient (F(3×3, 2×2) in the same transform domain).
// Tensor+Conv.swift dispatches here; other convolutions use im2col there.
//
//   x  [B, Cin, H, W]     w [Cout, Cin, 3, 3]     y, dY [B, Cout, H, W]
//   tiles  2×2 output blocks, ⌈H/2⌉·⌈W/2⌉ per sample, ordered (b, ty, tx); for odd
//          H or W the last tile row/column reads zeros and drops its extra outputs
//   V  [16, Cout, Cin]    G·g·Gᵀ of every kernel (once per call)
//   U  [16, Cin, n]       Bᵀ·d·B of the 4×4 input patch of each of a chunk's n tiles
//   M  [Cout, 16, n]      M[ξ] = V[ξ]·U[ξ] (16 GEMMs through `sgemm`, Kymo's own); y tile = Aᵀ·m·A + bias
//   dM [16, Cout, n]      A·dy·Aᵀ of each tile's 2×2 output gradient
//   dV [16, Cout, Cin]    Σ_tiles dM[ξ]·U[ξ]ᵀ (16 GEMMs); dW = Gᵀ·dV·G
//   U's, dM's and dV's 16 planes lie `WinogradTiles.plane` apart (64 bytes of padding,
//   so that a tile's 16 values do not share one L1 cache set).
//
// Two implementations of the transforms (U, y, dM and Gᵀ·dV·G), one result: on the
// AVX-512 GEMM path the 16-lane C loops of CKymoGEMM's winograd.c, elsewhere the
// 8-lane Swift loops below; every element is the same adds and subtracts in the same
// order, so the two give the same floats (WinogradTransformTests, bit for bit).
//
// Accuracy: transform coefficients are ±1 and ±½ only. Against a Float64 direct
// convolution (WinogradTests), the max error over y, dX and dW is ≤ 5e-7 of the
// tensor's largest magnitude, the same order as im2col + GEMM (≤ 1e-6).
//
// Determinism: the tiles of all samples are cut into fixed chunks of
// `winogradTileGroup` (boundaries depend only on the problem size); a chunk is
// transformed, multiplied (Kymo SGEMM, single-threaded) and written back by one worker,
// and every output element belongs to one chunk. The weight gradient sums chunks
// in fixed consecutive groups (`winogradGradGroups`), in chunk order inside a
// group and in group order across groups. So results are bitwise identical for
// any thread count.
// Deliberately not: F(4×4, 3×3) (larger transform constants, more rounding),
// other kernel sizes, strides or paddings.

import CKymoGEMM

/// Tiles per work chunk (fixed, so chunk boundaries never depend on threads).
let winogradTileGroup = 128

/// True when `conv2d` and both its gradients use the Winograd path.
func winogradApplies(kh: Int, kw: Int, ph: Int, pw: Int) -> Bool {
    kh == 3 && kw == 3 && ph == 1 && pw == 1
}

/// Transformed weights V[ξ][o][c] = (G·g·Gᵀ)[ξ] with g = w[o, c] (forward, rows = Cout),
/// or, with `flipped`, g = rot180(w[c, o]) and rows = Cin of w (the input-gradient kernel).
func winogradWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, flipped: Bool) -> Storage {
    let rows = flipped ? cin : cout, cols = flipped ? cout : cin
    let v = Storage(uninitialized: 16 * rows * cols)
    let pv = v.pointer, plane = rows * cols
    // Eight kernels (r, k ..< k + 8) at a time; a ragged last block computes zero lanes it never stores.
    let blocks = (cols + 7) / 8
    Parallel.forChunks(count: rows * blocks, grain: 64) { lo, hi, _ in
        for item in lo..<hi {
            let r = item / blocks, k0 = (item - r * blocks) * 8, lanes = min(8, cols - k0)
            var g = (V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8())
            withUnsafeMutableBytes(of: &g) { raw in
                let gp = raw.baseAddress!.assumingMemoryBound(to: Float.self)   // gp[t·8 + lane]
                for l in 0..<lanes {
                    let k = k0 + l
                    let src = flipped ? w + (k * cin + r) * 9 : w + (r * cin + k) * 9
                    for t in 0..<9 { gp[t * 8 + l] = flipped ? src[8 - t] : src[t] }
                }
            }
            // G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]; a = G·g (4×3), then a·Gᵀ.
            let half = V8(repeating: 0.5)
            let dst = pv + r * cols + k0
            @inline(__always) func put(_ i: Int, _ a0: V8, _ a1: V8, _ a2: V8) {
                let row = (a0, half * (a0 + a1 + a2), half * (a0 - a1 + a2), a2)
                let out = dst + 4 * i * plane
                if lanes == 8 {
                    store8(row.0, out); store8(row.1, out + plane); store8(row.2, out + 2 * plane); store8(row.3, out + 3 * plane)
                } else {
                    for l in 0..<lanes {
                        out[l] = row.0[l]; out[plane + l] = row.1[l]; out[2 * plane + l] = row.2[l]; out[3 * plane + l] = row.3[l]
                    }
                }
            }
            put(0, g.0, g.1, g.2)
            put(1, half * (g.0 + g.3 + g.6), half * (g.1 + g.4 + g.7), half * (g.2 + g.5 + g.8))
            put(2, half * (g.0 - g.3 + g.6), half * (g.1 - g.4 + g.7), half * (g.2 - g.5 + g.8))
            put(3, g.6, g.7, g.8)
        }
    }
    return v
}

/// Transformed weights V [16, rows, cols] and each V[ξ] packed once as the GEMM's
/// left operand for GEMM path `path` (`kymo_sgemm_pack_a`): every time step of
/// every sample multiplies by the same V[ξ], and packing it again for each
/// product cost about a fifth of these small GEMMs. `kymo_sgemm_packed` gives the
/// bits `sgemm` gives on the same operands (the kernel reads the same values).
final class WinogradKernels {   // immutable after init
    let v: Storage, packed: Storage
    let rows: Int, cols: Int, path: Int32
    var stride: Int { kymo_sgemm_packed_a_count(rows, cols) }

    init(v: Storage, rows: Int, cols: Int) {
        self.v = v; self.rows = rows; self.cols = cols
        let stride = kymo_sgemm_packed_a_count(rows, cols)
        let packed = Storage(uninitialized: max(16 * stride, 1))
        var path: Int32 = 0
        withExtendedLifetime((v, packed)) {
            for xi in 0..<16 {
                path = kymo_sgemm_pack_a(0, rows, cols, v.pointer + xi * rows * cols, cols, packed.pointer + xi * stride)
            }
        }
        self.packed = packed
        self.path = path
    }
}

/// Tile bookkeeping of one plane size: tiles ordered (b, ty, tx).
struct WinogradTiles {
    let h, w, tilesX, perSample, total: Int
    var rowLen: Int { 2 * tilesX + 2 + 16 }   // a padded input row plus slack for 16-wide loads
    /// The stride between the 16 planes of a transform with `count` floats per plane (U: cin·n,
    /// dM: cout·n, dV: cout·cin): padded by 64 bytes, since at these sizes an unpadded plane is
    /// a multiple of 4 KB and a tile's 16 values would all fall in one L1 cache set.
    static func plane(_ count: Int) -> Int { count + 16 }
    /// Scratch floats of the transforms of a chunk of n tiles: the 8-lane loops' rows of
    /// `channels` planes, or what `kymo_winograd_input` needs, whichever is more.
    func scratchCount(channels: Int, n: Int) -> Int {
        max((4 * channels + 1) * rowLen, kymo_winograd_input_scratch(n, w))
    }
    init(batch: Int, h: Int, w: Int) {
        self.h = h; self.w = w
        tilesX = (w + 1) / 2
        perSample = (h + 1) / 2 * tilesX
        total = batch * perSample
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

/// y[B, cout, H, W] = same-padded 3×3 correlation of x[B, cin, H, W] with the
/// kernels whose transforms are `kernels` [16, cout, cin], plus `bias` [cout] if given.
func winogradConv3x3(_ x: UnsafePointer<Float>, batch: Int, cin: Int, h: Int, w: Int,
                     kernels: WinogradKernels, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
    precondition(kernels.cols == cin, "winogradConv3x3: kernels for \(kernels.cols) input channels, input has \(cin)")
    let g = WinogradTiles(batch: batch, h: h, w: w), cout = kernels.rows
    let packed = kernels.packed.pointer, stride = kernels.stride, path = kernels.path
    let wide = path == Int32(KYMO_GEMM_AVX512)   // the transforms at 16 lanes (winograd.c), same bits
    withExtendedLifetime(kernels) {
    Parallel.forChunks(count: g.total, grain: winogradTileGroup) { lo, hi, worker in
        let n = hi - lo, uPlane = WinogradTiles.plane(cin * n)
        Scratch.with(worker: worker, slot: 5, count: 16 * uPlane) { u in
        Scratch.with(worker: worker, slot: 6, count: 16 * cout * n) { m in
        Scratch.with(worker: worker, slot: 7, count: g.scratchCount(channels: max(cin, cout), n: n)) { rows in
        // 1. input transform
        if wide {
            kymo_winograd_input(x, cin, h, w, lo, hi, u, uPlane, rows)
        } else {
            winogradInput(x, cin: cin, g, lo, hi, u: u, plane: uPlane, rows: rows)
        }
        // 2. sixteen products M[o][ξ] = V[ξ] · U[ξ] (M's rows interleaved so one channel's 16 are adjacent),
        //    V[ξ] packed once (WinogradKernels)
        for xi in 0..<16 {
            kymo_sgemm_packed(path, packed + xi * stride, 0, cout, n, cin, u + xi * uPlane, n, m + xi * n, 16 * n, 0)
        }
        // 3. output transform (+ bias)
        if wide {
            kymo_winograd_output(m, cout, h, w, lo, hi, bias, y)
        } else {
            g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
                for o in 0..<cout {
                    outputTransform(m + 16 * o * n + n0, plane: n, len: len, bias: bias?[o] ?? 0,
                                    y: y + (b * cout + o) * h * w, h: h, w: w, ty: ty, tx0: tx0, rows: rows)
                }
            }
        }
        } } }
    }
    }
}

/// Weight-gradient reduction groups: the chunks of tiles are split into at most this
/// many consecutive groups (fixed by the problem size); each group accumulates its
/// chunks in order into its own partial, and partials are summed in group order.
let winogradGradGroups = 6

/// dW [cout, cin, 3, 3] of the same-padded 3×3 correlation y = x ⋆ w, from x [B, cin, H, W]
/// and dY [B, cout, H, W]: dV[ξ] = Σ_tiles (A·dy·Aᵀ)[ξ] ⊗ (Bᵀ·d·B)[ξ], then dW = Gᵀ·dV·G.
func winogradWeightGrad(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, batch: Int, cin: Int, cout: Int,
                        h: Int, w: Int, _ dw: UnsafeMutablePointer<Float>) {
    let g = WinogradTiles(batch: batch, h: h, w: w)
    let chunks = (g.total + winogradTileGroup - 1) / winogradTileGroup
    let groups = min(chunks, winogradGradGroups)
    let dvPlane = WinogradTiles.plane(cout * cin), size = 16 * dvPlane
    let wide = kymo_gemm_path() == Int32(KYMO_GEMM_AVX512)   // the transforms at 16 lanes (winograd.c), same bits
    /// dV [16, cout, cin] of group grp (planes dvPlane apart): its chunks in order.
    func reduce(group grp: Int, worker: Int, into dv: UnsafeMutablePointer<Float>) {
        let first = grp * chunks / groups, last = (grp + 1) * chunks / groups
        for chunk in first..<last {
            let lo = chunk * winogradTileGroup, hi = min(g.total, lo + winogradTileGroup), n = hi - lo
            let uPlane = WinogradTiles.plane(cin * n), mPlane = WinogradTiles.plane(cout * n)
            Scratch.with(worker: worker, slot: 5, count: 16 * uPlane) { u in
            Scratch.with(worker: worker, slot: 6, count: 16 * mPlane) { m in
            Scratch.with(worker: worker, slot: 7, count: g.scratchCount(channels: max(cin, cout), n: n)) { rows in
            if wide {
                kymo_winograd_input(x, cin, h, w, lo, hi, u, uPlane, rows)
                kymo_winograd_grad(gy, cout, h, w, lo, hi, m, mPlane)
            } else {
                winogradInput(x, cin: cin, g, lo, hi, u: u, plane: uPlane, rows: rows)
                g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
                    for o in 0..<cout {
                        gradTransform(gy + (b * cout + o) * h * w, h: h, w: w, ty: ty, tx0: tx0, len: len,
                                      m: m + o * n + n0, plane: mPlane, rows: rows)
                    }
                }
            }
            // dV[ξ] (+)= dM[ξ] · U[ξ]ᵀ   [cout × n]·[n × cin]
            for xi in 0..<16 {
                sgemm(MatView(ptr: m + xi * mPlane, ld: n, trans: false, batchStride: 0),
                      MatView(ptr: u + xi * uPlane, ld: n, trans: true, batchStride: 0),
                      dv + xi * dvPlane, ldc: cin, m: cout, n: cin, k: n, accumulate: chunk != first)
            }
            } } }
        }
    }
    /// Σ over the groups' partials in order, then dW[o, c] = Gᵀ·dV·G for o ∈ [o0, o1).
    func finish(_ pp: UnsafeMutablePointer<Float>, _ o0: Int, _ o1: Int) {
        if wide {
            kymo_winograd_weight_finish(pp, groups, dvPlane, cin, o0, o1, dw)   // sixteen input channels at a time
        } else {
            kymo_winograd_weight_finish8(pp, groups, dvPlane, cin, o0, o1, dw)  // eight
        }
    }
    if groups == 1 {
        // one group (a per-sample convolution in a lane, or a small one): its partial in
        // per-worker scratch rather than a fresh allocation per call, finished on the same thread
        Parallel.forEach(1) { _, worker in
            Scratch.with(worker: worker, slot: 8, count: size) { dv in
                reduce(group: 0, worker: worker, into: dv)
                finish(dv, 0, cout)
            }
        }
        return
    }
    let partial = Storage(uninitialized: groups * size)
    let pp = partial.pointer
    withExtendedLifetime(partial) {
        Parallel.forEach(groups) { grp, worker in reduce(group: grp, worker: worker, into: pp + grp * size) }
        Parallel.forChunks(count: cout, grain: 4) { lo, hi, _ in finish(pp, lo, hi) }
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
