// Softmax over an axis (rows along the last axis; other axes are moved last
// and back). y = exp(x − max) / Σ exp(x − max), backward dx = y ⊙ (g − Σ g ⊙ y).

/// Softmax of one contiguous row in place-safe form (src may equal dst).
@inline(__always) func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    var m = -Float.infinity
    for i in 0..<n where src[i] > m { m = src[i] }
    var i = 0
    let mv = V8(repeating: m)
    while i + 8 <= n { store8(exp8(load8(src + i) - mv), dst + i); i += 8 }
    while i < n { dst[i] = exp8(V8(repeating: src[i] - m))[0]; i += 1 }
    let s = sumRun(dst, n)
    let inv = 1 / s
    for j in 0..<n { dst[j] *= inv }
}

extension Tensor {
    public func softmax(axis: Int = -1) throws -> Tensor {
        let a = try normalizeAxis(axis, op: "softmax")
        if a != rank - 1 {
            return try transposed(a, rank - 1).softmax(axis: -1).transposed(a, rank - 1)
        }
        let x = contiguous()
        defer { withExtendedLifetime(x) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: shape)
        let n = shape.last ?? 1
        let rows = count / max(n, 1)
        let px = x.data, po = out.data
        Parallel.forChunks(count: rows, grain: max(1, 16384 / max(n, 1))) { lo, hi, _ in
            for r in lo..<hi { softmaxRow(px + r * n, po + r * n, n) }
        }
        return record(out, .softmax(self))
    }
}

func softmaxBackward(grad g: Tensor, output y: Tensor) -> Tensor {
    let gc = g.contiguous(), yc = y.contiguous()
    defer { withExtendedLifetime((gc, yc)) {} }   // the copies outlive every pointer taken from them
    let n = y.shape.last ?? 1
    let rows = y.count / max(n, 1)
    let out = Tensor(uninitialized: y.shape)
    let pg = gc.data, py = yc.data, po = out.data
    Parallel.forChunks(count: rows, grain: max(1, 16384 / max(n, 1))) { lo, hi, _ in
        for r in lo..<hi {
            let gr = pg + r * n, yr = py + r * n, orow = po + r * n
            let dot = dotRun(gr, yr, n)
            for i in 0..<n { orow[i] = yr[i] * (gr[i] - dot) }
        }
    }
    return out
}
