// Softmax over an axis (rows along the last axis; other axes are moved last
// and back). y = exp(x − max) / Σ exp(x − max), backward dx = y ⊙ (g − Σ g ⊙ y).
//
// A row is three passes: the max (8 lanes, see `rowMax`), exp fused with the
// sum (the 8 partial sums, their tree and the tail of `sumRun`, in its order),
// and the scale by 1/Σ. The bits are those of the plain composition
// max loop → exp → `sumRun` → scale (`SoftmaxFusedTests` keeps that
// composition and compares them bit for bit).

/// max over a row exactly as a scalar scan `for x where x > m { m = x }` from
/// −inf gives it: NaNs never win a `>`, and the value is order-free — except
/// the sign of a zero maximum (+0 and −0 compare equal, so the scan keeps the
/// first), which is then taken from the scan itself.
@inline(always) func rowMax(_ src: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = V8(repeating: -.infinity)
    var i = 0
    while i + 8 <= n {
        let v = load8(src + i)
        acc.replace(with: v, where: v .> acc)
        i += 8
    }
    var m = -Float.infinity
    for j in 0..<8 where acc[j] > m { m = acc[j] }
    while i < n { if src[i] > m { m = src[i] }; i += 1 }
    if m == 0 {   // ±0: the scan's own answer (rare)
        m = -.infinity
        for j in 0..<n where src[j] > m { m = src[j] }
    }
    return m
}

/// Softmax of one contiguous row in place-safe form (src may equal dst).
@inline(__always) func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = rowMax(src, n)
    let mv = V8(repeating: m)
    // exp and Σ in `sumRun`'s order: 8 partial sums over whole vectors, their
    // fixed tree, then the tail added one by one.
    var acc = V8(repeating: 0)
    var i = 0
    while i + 8 <= n {
        let e = exp8(load8(src + i) - mv)
        store8(e, dst + i)
        acc += e
        i += 8
    }
    var s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
    if i < n {
        let r = n - i
        var v = V8(repeating: 0)
        for j in 0..<r { v[j] = src[i + j] - m }
        let e = exp8(v)   // lane by lane: each lane is exp8 of its own value
        for j in 0..<r { dst[i + j] = e[j]; s += e[j] }
    }
    let inv = V8(repeating: 1 / s)
    i = 0
    while i + 8 <= n { store8(load8(dst + i) * inv, dst + i); i += 8 }
    while i < n { dst[i] *= inv[0]; i += 1 }
}

/// out[i] = y[i] · (g[i] − Σ_j g[j]·y[j]) over one row (the softmax backward;
/// the Σ is `dotRun(g, y, n)`). out may equal g.
@inline(__always) func softmaxGradRow(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    let dot = dotRun(g, y, n)
    let dv = V8(repeating: dot)
    var i = 0
    while i + 8 <= n { store8(load8(y + i) * (load8(g + i) - dv), out + i); i += 8 }
    while i < n { out[i] = y[i] * (g[i] - dot); i += 1 }
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
            softmaxGradRow(py + r * n, pg + r * n, po + r * n, n)
        }
    }
    return out
}
