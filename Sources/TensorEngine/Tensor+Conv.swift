// 2-D convolution (cross-correlation, stride 1, zero padding, optional bias)
// through im2col + Kymo's GEMM, forward and backward together.
//
//   x   [B, Cin, H, W]          w [Cout, Cin, kh, kw]     b [Cout]
//   col [Cin·kh·kw, Ho·Wo]      one sample's patches (per-worker scratch)
//   y   [B, Cout, Ho, Wo]       Ho = H + 2·ph − kh + 1
//
// Work is cut per sample. The weight gradient is computed per sample into its
// own slice and then summed over samples in sample order, so the result does
// not depend on the thread count. A 1×1 kernel without padding skips im2col.
// Columns are recomputed in backward rather than kept (memory over time).
// 3×3 kernels with padding (1, 1) go to Winograd F(2×2, 3×3) instead
// (Tensor+Winograd.swift), forward and both gradients.

struct ConvGeometry {
    let cin, h, w, kh, kw, ph, pw, ho, wo: Int
    var rows: Int { cin * kh * kw }
    var pixels: Int { ho * wo }
    var isPointwise: Bool { kh == 1 && kw == 1 && ph == 0 && pw == 0 }
}

/// Fills col[(c,i,j), (y,x)] = x[c, y+i−ph, x+j−pw] (0 outside).
func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>) {
    for c in 0..<g.cin {
        let plane = x + c * g.h * g.w
        for i in 0..<g.kh {
            for j in 0..<g.kw {
                let row = col + ((c * g.kh + i) * g.kw + j) * g.pixels
                let x0 = max(0, g.pw - j), x1 = min(g.wo, g.w + g.pw - j)   // valid output x range
                for y in 0..<g.ho {
                    let dst = row + y * g.wo
                    let sy = y + i - g.ph
                    if sy < 0 || sy >= g.h || x1 <= x0 {
                        dst.initialize(repeating: 0, count: g.wo)
                        continue
                    }
                    if x0 > 0 { dst.initialize(repeating: 0, count: x0) }
                    (dst + x0).update(from: plane + sy * g.w + (x0 + j - g.pw), count: x1 - x0)
                    if x1 < g.wo { (dst + x1).initialize(repeating: 0, count: g.wo - x1) }
                }
            }
        }
    }
}

/// dx[c, y+i−ph, x+j−pw] += col[(c,i,j), (y,x)], in a fixed order.
func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>) {
    dx.initialize(repeating: 0, count: g.cin * g.h * g.w)
    for c in 0..<g.cin {
        let plane = dx + c * g.h * g.w
        for i in 0..<g.kh {
            for j in 0..<g.kw {
                let row = col + ((c * g.kh + i) * g.kw + j) * g.pixels
                let x0 = max(0, g.pw - j), x1 = min(g.wo, g.w + g.pw - j)
                if x1 <= x0 { continue }
                for y in 0..<g.ho {
                    let sy = y + i - g.ph
                    if sy < 0 || sy >= g.h { continue }
                    let src = row + y * g.wo + x0
                    let dst = plane + sy * g.w + (x0 + j - g.pw)
                    for t in 0..<(x1 - x0) { dst[t] += src[t] }
                }
            }
        }
    }
}

extension Tensor {
    /// Convolution with "same"-style explicit padding (ph, pw). `padding: nil`
    /// means "same" for odd kernels.
    public func conv2d(weight w: Tensor, bias: Tensor? = nil, padding: (Int, Int)? = nil) throws -> Tensor {
        let x = self
        guard x.rank == 4, w.rank == 4 else {
            throw TensorError.shapeMismatch(op: "conv2d", shapes: [x.shape, w.shape], detail: "input must be [B, C, H, W] and weight [Cout, Cin, kh, kw]")
        }
        guard x.shape[1] == w.shape[1] else {
            throw TensorError.shapeMismatch(op: "conv2d", shapes: [x.shape, w.shape], detail: "input has \(x.shape[1]) channels, weight expects \(w.shape[1])")
        }
        if let bias, bias.shape != [w.shape[0]] {
            throw TensorError.shapeMismatch(op: "conv2d", shapes: [w.shape, bias.shape], detail: "bias must be [\(w.shape[0])]")
        }
        let kh = w.shape[2], kw = w.shape[3]
        let (ph, pw) = padding ?? (kh / 2, kw / 2)
        guard ph >= 0, pw >= 0 else { throw TensorError.invalidArgument(op: "conv2d", detail: "negative padding (\(ph), \(pw))") }
        let g = ConvGeometry(cin: x.shape[1], h: x.shape[2], w: x.shape[3], kh: kh, kw: kw, ph: ph, pw: pw,
                             ho: x.shape[2] + 2 * ph - kh + 1, wo: x.shape[3] + 2 * pw - kw + 1)
        guard g.ho > 0, g.wo > 0 else {
            throw TensorError.shapeMismatch(op: "conv2d", shapes: [x.shape, w.shape], detail: "kernel larger than the padded input")
        }
        let batch = x.shape[0], cout = w.shape[0]
        let xc = x.contiguous(), wc = w.contiguous(), bc = bias?.contiguous()
        defer { withExtendedLifetime((xc, wc, bc)) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: [batch, cout, g.ho, g.wo])
        let wv = MatView(ptr: wc.data, ld: g.rows, trans: false, batchStride: 0)
        let px = xc.data, po = out.data
        if winogradApplies(kh: kh, kw: kw, ph: ph, pw: pw) {   // 3×3, padding 1: Tensor+Winograd.swift
            let v = WinogradWeightMemo.weights(wc.data, cout: cout, cin: g.cin, flipped: false)
            withExtendedLifetime((xc, bc)) {
                winogradConv3x3(px, batch: batch, cin: g.cin, h: g.h, w: g.w, kernels: v, bias: bc?.data, po)
            }
            return record(out, .conv2d(x, w, bias, padding: (ph, pw)))
        }
        // wv and px point into wc and xc, which the closure does not capture: keep them alive.
        withExtendedLifetime((xc, wc)) { Parallel.forEach(batch) { b, worker in
            let xb = px + b * g.cin * g.h * g.w
            Scratch.with(worker: worker, slot: 0, count: g.rows * g.pixels, instead: g.isPointwise ? xb : nil) { col in
            if !g.isPointwise { im2col(xb, g, col) }
            let yb = po + b * cout * g.pixels
            sgemm(wv, MatView(ptr: col, ld: g.pixels, trans: false, batchStride: 0), yb, ldc: g.pixels, m: cout, n: g.pixels, k: g.rows)
            if let bc {
                for o in 0..<cout {
                    let v = bc.data[o], row = yb + o * g.pixels
                    for p in 0..<g.pixels { row[p] += v }
                }
            }
            }
        } }
        return record(out, .conv2d(x, w, bias, padding: (ph, pw)))
    }
}

func conv2dBackward(grad gy: Tensor, x: Tensor, w: Tensor, hasBias: Bool, padding: (Int, Int)) -> [Tensor?] {
    let kh = w.shape[2], kw = w.shape[3]
    let g = ConvGeometry(cin: x.shape[1], h: x.shape[2], w: x.shape[3], kh: kh, kw: kw, ph: padding.0, pw: padding.1,
                         ho: gy.shape[2], wo: gy.shape[3])
    let batch = x.shape[0], cout = w.shape[0]
    let xc = x.contiguous(), wc = w.contiguous(), gc = gy.contiguous()
    defer { withExtendedLifetime((xc, wc, gc)) {} }   // the copies outlive every pointer taken from them
    let needX = x.requiresGrad, needW = w.requiresGrad
    let dx = needX ? Tensor(uninitialized: x.shape) : nil
    let winograd = winogradApplies(kh: kh, kw: kw, ph: g.ph, pw: g.pw)
    let partial = needW && !winograd ? Tensor(uninitialized: [batch, cout, g.rows]) : nil
    let wt = MatView(ptr: wc.data, ld: g.rows, trans: true, batchStride: 0)       // Wᵀ [rows × Cout]
    if let dx, winograd {   // dX = dY ⋆ rot180(W)ᵀ, again a 3×3 padding-1 convolution
        let v = WinogradWeightMemo.weights(wc.data, cout: cout, cin: g.cin, flipped: true)
        withExtendedLifetime(gc) {
            winogradConv3x3(gc.data, batch: batch, cin: cout, h: g.h, w: g.w, kernels: v, bias: nil, dx.data)
        }
    }
    withExtendedLifetime(wc) { Parallel.forEach(batch) { b, worker in   // wt points into wc
        let gyb = gc.data + b * cout * g.pixels
        let gv = MatView(ptr: gyb, ld: g.pixels, trans: false, batchStride: 0)
        if let partial {
            let xb = xc.data + b * g.cin * g.h * g.w
            Scratch.with(worker: worker, slot: 0, count: g.rows * g.pixels, instead: g.isPointwise ? xb : nil) { col in
            if !g.isPointwise { im2col(xb, g, col) }
            // dW_b = dY_b · colᵀ   [Cout × rows]
            sgemm(gv, MatView(ptr: col, ld: g.pixels, trans: true, batchStride: 0), partial.data + b * cout * g.rows,
                  ldc: g.rows, m: cout, n: g.rows, k: g.pixels)
            }
        }
        if let dx, !winograd {
            let dxb = dx.data + b * g.cin * g.h * g.w
            if g.isPointwise {
                sgemm(wt, gv, dxb, ldc: g.pixels, m: g.rows, n: g.pixels, k: cout)
            } else {
                Scratch.with(worker: worker, slot: 1, count: g.rows * g.pixels) { dcol in
                    sgemm(wt, gv, dcol, ldc: g.pixels, m: g.rows, n: g.pixels, k: cout)
                    col2im(dcol, g, dxb)
                }
            }
        }
    } }
    var dw: Tensor? = nil
    if needW && winograd {
        let out = Tensor(uninitialized: w.shape)
        withExtendedLifetime((xc, gc)) {
            winogradWeightGrad(xc.data, gc.data, batch: batch, cin: g.cin, cout: cout, h: g.h, w: g.w, out.data)
        }
        dw = out
    }
    if let partial {
        // Σ_b in sample order (fixed), parallel over weight elements.
        let out = Tensor(uninitialized: w.shape)
        let n = cout * g.rows
        let pp = partial.data, po = out.data
        Parallel.forChunks(count: n, grain: 16384) { lo, hi, _ in
            for i in lo..<hi { po[i] = pp[i] }
            for b in 1..<max(batch, 1) {
                let src = pp + b * n
                for i in lo..<hi { po[i] += src[i] }
            }
        }
        dw = out
    }
    var db: Tensor? = nil
    if hasBias {
        db = biasGrad(gc, batch: batch, channels: cout, pixels: g.pixels)
    }
    return hasBias ? [dx, dw, db] : [dx, dw]
}

/// Σ over batch and pixels of dY[b, c, p], per channel, in a fixed order.
func biasGrad(_ gy: Tensor, batch: Int, channels: Int, pixels: Int) -> Tensor {
    let out = Tensor(uninitialized: [channels])
    let pg = gy.data, po = out.data
    withExtendedLifetime(gy) {
        Parallel.forEach(channels) { c, _ in
            var s: Float = 0
            for b in 0..<batch { s += sumRun(pg + (b * channels + c) * pixels, pixels) }
            po[c] = s
        }
    }
    return out
}
