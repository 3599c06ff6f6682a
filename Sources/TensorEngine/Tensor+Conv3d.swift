// 3-D convolution (stride 1, equal zero padding on every side, optional
// bias), used by the reference seq2seq head (3×3×3, padding 1, to 1 channel).
//
//   x [B, C, T, H, W]   w [Cout, C, kt, kh, kw]   y [B, Cout, To, Ho, Wo]
//   col [C·kt·kh·kw, To·Ho·Wo] per sample (scratch)
//
// Same scheme as conv2d: per-sample im2col + GEMM, weight gradient summed
// over samples in sample order.

struct Conv3dGeometry {
    let c, t, h, w, kt, kh, kw, p, to, ho, wo: Int
    var rows: Int { c * kt * kh * kw }
    var voxels: Int { to * ho * wo }
    var plane: Int { h * w }
}

func im2col3d(_ x: UnsafePointer<Float>, _ g: Conv3dGeometry, _ col: UnsafeMutablePointer<Float>, scatter dx: UnsafeMutablePointer<Float>? = nil) {
    // With `scatter` set, runs the adjoint: dx[...] += col[...] (col2im).
    if let dx { dx.initialize(repeating: 0, count: g.c * g.t * g.plane) }
    for c in 0..<g.c {
        for dt in 0..<g.kt {
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    let row = col + (((c * g.kt + dt) * g.kh + i) * g.kw + j) * g.voxels
                    let x0 = max(0, g.p - j), x1 = min(g.wo, g.w + g.p - j)
                    for t in 0..<g.to {
                        let st = t + dt - g.p
                        for y in 0..<g.ho {
                            let sy = y + i - g.p
                            let dst = row + (t * g.ho + y) * g.wo
                            let valid = st >= 0 && st < g.t && sy >= 0 && sy < g.h && x1 > x0
                            let srcOff = ((c * g.t + st) * g.h + sy) * g.w + (x0 + j - g.p)
                            if let dx {
                                if valid { for q in 0..<(x1 - x0) { dx[srcOff + q] += dst[x0 + q] } }
                                continue
                            }
                            if !valid { dst.initialize(repeating: 0, count: g.wo); continue }
                            if x0 > 0 { dst.initialize(repeating: 0, count: x0) }
                            (dst + x0).update(from: x + srcOff, count: x1 - x0)
                            if x1 < g.wo { (dst + x1).initialize(repeating: 0, count: g.wo - x1) }
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    public func conv3d(weight w: Tensor, bias: Tensor? = nil, padding: Int = 1) throws -> Tensor {
        let x = self
        guard x.rank == 5, w.rank == 5, x.shape[1] == w.shape[1] else {
            throw TensorError.shapeMismatch(op: "conv3d", shapes: [x.shape, w.shape], detail: "input must be [B, C, T, H, W] and weight [Cout, C, kt, kh, kw] with matching C")
        }
        if let bias, bias.shape != [w.shape[0]] {
            throw TensorError.shapeMismatch(op: "conv3d", shapes: [w.shape, bias.shape], detail: "bias must be [\(w.shape[0])]")
        }
        let g = Conv3dGeometry(c: x.shape[1], t: x.shape[2], h: x.shape[3], w: x.shape[4], kt: w.shape[2], kh: w.shape[3], kw: w.shape[4],
                               p: padding, to: x.shape[2] + 2 * padding - w.shape[2] + 1,
                               ho: x.shape[3] + 2 * padding - w.shape[3] + 1, wo: x.shape[4] + 2 * padding - w.shape[4] + 1)
        guard padding >= 0, g.to > 0, g.ho > 0, g.wo > 0 else {
            throw TensorError.shapeMismatch(op: "conv3d", shapes: [x.shape, w.shape], detail: "kernel larger than the padded input")
        }
        let batch = x.shape[0], cout = w.shape[0]
        let xc = x.contiguous(), wc = w.contiguous(), bc = bias?.contiguous()
        defer { withExtendedLifetime((xc, wc, bc)) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: [batch, cout, g.to, g.ho, g.wo])
        let wv = MatView(ptr: wc.data, ld: g.rows, trans: false, batchStride: 0)
        withExtendedLifetime(wc) { Parallel.forEach(batch) { b, worker in   // wv points into wc
            Scratch.with(worker: worker, slot: 2, count: g.rows * g.voxels) { col in
            im2col3d(xc.data + b * g.c * g.t * g.plane, g, col)
            let yb = out.data + b * cout * g.voxels
            sgemm(wv, MatView(ptr: col, ld: g.voxels, trans: false, batchStride: 0), yb, ldc: g.voxels, m: cout, n: g.voxels, k: g.rows)
            if let bc { for o in 0..<cout { let v = bc.data[o]; for q in 0..<g.voxels { yb[o * g.voxels + q] += v } } }
            }
        } }
        return record(out, .conv3d(x, w, bias, padding: padding))
    }
}

func conv3dBackward(grad gy: Tensor, x: Tensor, w: Tensor, hasBias: Bool, padding p: Int) -> [Tensor?] {
    let g = Conv3dGeometry(c: x.shape[1], t: x.shape[2], h: x.shape[3], w: x.shape[4], kt: w.shape[2], kh: w.shape[3], kw: w.shape[4],
                           p: p, to: gy.shape[2], ho: gy.shape[3], wo: gy.shape[4])
    let batch = x.shape[0], cout = w.shape[0]
    let xc = x.contiguous(), wc = w.contiguous(), gc = gy.contiguous()
    defer { withExtendedLifetime((xc, wc, gc)) {} }   // the copies outlive every pointer taken from them
    let dx = x.requiresGrad ? Tensor(uninitialized: x.shape) : nil
    let partial = w.requiresGrad ? Tensor(uninitialized: [batch, cout * g.rows]) : nil
    let wt = MatView(ptr: wc.data, ld: g.rows, trans: true, batchStride: 0)
    withExtendedLifetime(wc) { Parallel.forEach(batch) { b, worker in   // wt points into wc
        let gv = MatView(ptr: gc.data + b * cout * g.voxels, ld: g.voxels, trans: false, batchStride: 0)
        Scratch.with(worker: worker, slot: 2, count: g.rows * g.voxels) { col in
        if let partial {
            im2col3d(xc.data + b * g.c * g.t * g.plane, g, col)
            sgemm(gv, MatView(ptr: col, ld: g.voxels, trans: true, batchStride: 0), partial.data + b * cout * g.rows,
                  ldc: g.rows, m: cout, n: g.rows, k: g.voxels)
        }
        if let dx {
            sgemm(wt, gv, col, ldc: g.voxels, m: g.rows, n: g.voxels, k: cout)
            im2col3d(col, g, col, scatter: dx.data + b * g.c * g.t * g.plane)
        }
        }
    } }
    var dw: Tensor? = nil
    if let partial {
        let out = Tensor(uninitialized: w.shape)
        let n = cout * g.rows
        let po = out.data, pp = partial.data   // once, outside the loops (partial is used below: alive)
        for i in 0..<n { po[i] = pp[i] }
        for b in 1..<max(batch, 1) { for i in 0..<n { po[i] += pp[b * n + i] } }
        withExtendedLifetime(partial) {}
        dw = out
    }
    let db = hasBias ? biasGrad(gc, batch: batch, channels: cout, pixels: g.voxels) : nil
    return hasBias ? [dx, dw, db] : [dx, dw]
}
