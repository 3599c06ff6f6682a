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
// The transforms (U, y, dM and Gᵀ·dV·G) are CKymoGEMM's winograd.c: 16-lane C on the
// AVX-512 GEMM path, 8-lane C on AVX2 (they replaced 8-lane Swift loops, which
// WinogradTransformTests keeps); every element is the same adds and subtracts in the
// same order, so all give the same floats (WinogradTransformTests, bit for bit).
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
    /// The stride between the 16 planes of a transform with `count` floats per plane (U: cin·n,
    /// dM: cout·n, dV: cout·cin): padded by 64 bytes, since at these sizes an unpadded plane is
    /// a multiple of 4 KB and a tile's 16 values would all fall in one L1 cache set.
    static func plane(_ count: Int) -> Int { count + 16 }
    /// Scratch floats of the input transform of a chunk of n tiles (`kymo_winograd_input`, `…_input8`).
    func scratchCount(n: Int) -> Int { kymo_winograd_input_scratch(n, w) }
    init(batch: Int, h: Int, w: Int) {
        self.h = h; self.w = w
        tilesX = (w + 1) / 2
        perSample = (h + 1) / 2 * tilesX
        total = batch * perSample
    }
}

/// y[B, cout, H, W] = same-padded 3×3 correlation of x[B, cin, H, W] with the
/// kernels whose transforms are `kernels` [16, cout, cin], plus `bias` [cout] if given.
func winogradConv3x3(_ x: UnsafePointer<Float>, batch: Int, cin: Int, h: Int, w: Int,
                     kernels: WinogradKernels, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
    precondition(kernels.cols == cin, "winogradConv3x3: kernels for \(kernels.cols) input channels, input has \(cin)")
    let g = WinogradTiles(batch: batch, h: h, w: w), cout = kernels.rows
    let packed = kernels.packed.pointer, stride = kernels.stride, path = kernels.path
    let wide = path == Int32(KYMO_GEMM_AVX512)   // the transforms at 16 lanes, else at 8 (winograd.c), same bits
    withExtendedLifetime(kernels) {
    Parallel.forChunks(count: g.total, grain: winogradTileGroup) { lo, hi, worker in
        let n = hi - lo, uPlane = WinogradTiles.plane(cin * n)
        Scratch.with(worker: worker, slot: 5, count: 16 * uPlane) { u in
        Scratch.with(worker: worker, slot: 6, count: 16 * cout * n) { m in
        Scratch.with(worker: worker, slot: 7, count: g.scratchCount(n: n)) { rows in
        // 1. input transform
        if wide {
            kymo_winograd_input(x, cin, h, w, lo, hi, u, uPlane, rows)
        } else {
            kymo_winograd_input8(x, cin, h, w, lo, hi, u, uPlane, rows)
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
            kymo_winograd_output8(m, cout, h, w, lo, hi, bias, y)
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
    let wide = kymo_gemm_path() == Int32(KYMO_GEMM_AVX512)   // the transforms at 16 lanes, else at 8 (winograd.c), same bits
    /// dV [16, cout, cin] of group grp (planes dvPlane apart): its chunks in order.
    func reduce(group grp: Int, worker: Int, into dv: UnsafeMutablePointer<Float>) {
        let first = grp * chunks / groups, last = (grp + 1) * chunks / groups
        for chunk in first..<last {
            let lo = chunk * winogradTileGroup, hi = min(g.total, lo + winogradTileGroup), n = hi - lo
            let uPlane = WinogradTiles.plane(cin * n), mPlane = WinogradTiles.plane(cout * n)
            Scratch.with(worker: worker, slot: 5, count: 16 * uPlane) { u in
            Scratch.with(worker: worker, slot: 6, count: 16 * mPlane) { m in
            Scratch.with(worker: worker, slot: 7, count: g.scratchCount(n: n)) { rows in
            if wide {
                kymo_winograd_input(x, cin, h, w, lo, hi, u, uPlane, rows)
                kymo_winograd_grad(gy, cout, h, w, lo, hi, m, mPlane)
            } else {
                kymo_winograd_input8(x, cin, h, w, lo, hi, u, uPlane, rows)
                kymo_winograd_grad8(gy, cout, h, w, lo, hi, m, mPlane)
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
