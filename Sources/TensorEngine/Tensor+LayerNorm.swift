// Layer normalization over the trailing `normalized` axes, with optional
// affine weight and bias of exactly those axes' shape (PyTorch's LayerNorm).
//   x [R, D] viewed as rows; mean, rstd [R] (saved for backward, Double sums)
//   y = (x − mean)·rstd ⊙ w + b

extension Tensor {
    public func layerNorm(normalizedRank n: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) throws -> Tensor {
        guard n >= 1, n <= rank else {
            throw TensorError.invalidArgument(op: "layer_norm", detail: "cannot normalize the last \(n) axes of \(describeShape(shape))")
        }
        let tail = Array(shape[(rank - n)...])
        for p in [weight, bias].compactMap({ $0 }) where p.shape != tail {
            throw TensorError.shapeMismatch(op: "layer_norm", shapes: [shape, p.shape], detail: "affine parameters must have the normalized shape \(describeShape(tail))")
        }
        let d = tail.reduce(1, *), rows = count / max(d, 1)
        let x = contiguous(), wc = weight?.contiguous(), bc = bias?.contiguous()
        defer { withExtendedLifetime((x, wc, bc)) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: shape)
        let mean = Tensor(uninitialized: [rows]), rstd = Tensor(uninitialized: [rows])
        let px = x.data, po = out.data, pm = mean.data, pr = rstd.data, pw = wc?.data, pb = bc?.data   // once, outside the loops
        Parallel.forEach(rows) { r, _ in
            let xr = px + r * d, yr = po + r * d
            var s = 0.0
            for i in 0..<d { s += Double(xr[i]) }
            let mu = s / Double(d)
            var v = 0.0
            for i in 0..<d { let t = Double(xr[i]) - mu; v += t * t }
            let rs = Float(1 / (v / Double(d) + Double(eps)).squareRoot())
            let m = Float(mu)
            pm[r] = m; pr[r] = rs
            for i in 0..<d {
                var y = (xr[i] - m) * rs
                if let pw { y *= pw[i] }
                if let pb { y += pb[i] }
                yr[i] = y
            }
        }
        withExtendedLifetime((out, mean, rstd)) {}
        return record(out, .layerNorm(self, weight, bias, normalized: n, eps: eps, mean: mean, rstd: rstd))
    }
}

func layerNormBackward(grad g: Tensor, x: Tensor, weight: Tensor?, hasBias: Bool, normalized n: Int, mean: Tensor, rstd: Tensor) -> [Tensor?] {
    let d = x.shape[(x.rank - n)...].reduce(1, *), rows = x.count / max(d, 1)
    let xc = x.contiguous(), gc = g.contiguous(), wc = weight?.contiguous()
    defer { withExtendedLifetime((xc, gc, wc)) {} }   // the copies outlive every pointer taken from them
    let dx = Tensor(uninitialized: x.shape)
    defer { withExtendedLifetime((dx, mean, rstd)) {} }
    let px = xc.data, pg = gc.data, pdx = dx.data, pm = mean.data, pr = rstd.data, pw = wc?.data   // once, outside the loops
    Parallel.forEach(rows) { r, _ in
        let xr = px + r * d, gr = pg + r * d, dr = pdx + r * d
        let m = pm[r], rs = pr[r]
        var s1 = 0.0, s2 = 0.0
        for i in 0..<d {
            let dxh = gr[i] * (pw?[i] ?? 1)
            let xh = (xr[i] - m) * rs
            s1 += Double(dxh); s2 += Double(dxh * xh)
        }
        let a = Float(s1 / Double(d)), b = Float(s2 / Double(d))
        for i in 0..<d {
            let dxh = gr[i] * (pw?[i] ?? 1)
            let xh = (xr[i] - m) * rs
            dr[i] = rs * (dxh - a - xh * b)
        }
    }
    var dw: Tensor? = nil, db: Tensor? = nil
    if let weight, weight.requiresGrad {
        let out = Tensor(zeros: weight.shape)
        let po = out.data
        Parallel.forChunks(count: d, grain: 4096) { lo, hi, _ in
            for r in 0..<rows {
                let xr = px + r * d, gr = pg + r * d
                let m = pm[r], rs = pr[r]
                for i in lo..<hi { po[i] += gr[i] * (xr[i] - m) * rs }
            }
        }
        dw = out
    }
    if hasBias {
        let out = Tensor(zeros: Array(x.shape[(x.rank - n)...]))
        let po = out.data
        Parallel.forChunks(count: d, grain: 4096) { lo, hi, _ in
            for r in 0..<rows { let gr = pg + r * d; for i in lo..<hi { po[i] += gr[i] } }
        }
        db = out
    }
    var result: [Tensor?] = [dx]
    if weight != nil { result.append(dw) }
    if hasBias { result.append(db) }
    return result
}
