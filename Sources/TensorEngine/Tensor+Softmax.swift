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
/// Four 8-lane accumulators over 32-float steps, then one over the last whole
/// vectors (a single chain would wait on each compare-and-blend).
@inline(always) func rowMax(_ src: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = V8(repeating: -.infinity), acc1 = acc, acc2 = acc, acc3 = acc
    var i = 0
    while i + 32 <= n {
        let v0 = load8(src + i), v1 = load8(src + i + 8), v2 = load8(src + i + 16), v3 = load8(src + i + 24)
        acc.replace(with: v0, where: v0 .> acc)
        acc1.replace(with: v1, where: v1 .> acc1)
        acc2.replace(with: v2, where: v2 .> acc2)
        acc3.replace(with: v3, where: v3 .> acc3)
        i += 32
    }
    acc.replace(with: acc1, where: acc1 .> acc)
    acc.replace(with: acc2, where: acc2 .> acc)
    acc.replace(with: acc3, where: acc3 .> acc)
    while i + 8 <= n {
        let v = load8(src + i)
        acc.replace(with: v, where: v .> acc)
        i += 8
    }
    var m = -Float.infinity
    for j in 0..<8 where acc[j] > m { m = acc[j] }
    while i < n { if src[i] > m { m = src[i] }; i += 1 }
    return scannedZeroMax(m, src, n)
}

/// A row max found out of order (lanes, accumulators) as the scan in order
/// gives it: unchanged unless it is ±0, whose sign only the scan decides
/// (+0 and −0 compare equal, so the scan keeps the first) — then the scan (rare).
@inline(__always) func scannedZeroMax(_ m: Float, _ src: UnsafePointer<Float>, _ n: Int) -> Float {
    guard m == 0 else { return m }
    var s = -Float.infinity
    for j in 0..<n where src[j] > s { s = src[j] }
    return s
}

/// Softmax of one contiguous row in place-safe form (src may equal dst).
@inline(__always) func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    softmaxRow(src, dst, n, max: rowMax(src, n))
}

/// `softmaxRow` given the row's max `m` (the value `rowMax` gives: the
/// attention's score pass takes it while it writes the row); returns the
/// 1/Σ it scaled by (the attention keeps it with m for backward).
@discardableResult
@inline(__always) func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, max m: Float) -> Float {
    let mv = V8(repeating: m), k = ExpConstants.shared.pointee
    // exp and Σ in `sumRun`'s order: 8 partial sums over whole vectors, their
    // fixed tree, then the tail added one by one.
    var acc = V8(repeating: 0)
    var i = 0
    while i + 8 <= n {
        let e = softmaxExp8(load8(src + i) - mv, k)
        store8(e, dst + i)
        acc += e
        i += 8
    }
    var s = laneSum(acc)
    if i < n {
        let r = n - i
        var v = V8(repeating: 0)
        for j in 0..<r { v[j] = src[i + j] - m }
        let e = softmaxExp8(v, k)   // lane by lane: each lane is exp8 of its own value (softmaxExp8 gives exp8's bits)
        for j in 0..<r { dst[i + j] = e[j]; s += e[j] }
    }
    let inv = V8(repeating: 1 / s)
    i = 0
    while i + 8 <= n { store8(load8(dst + i) * inv, dst + i); i += 8 }
    while i < n { dst[i] *= inv[0]; i += 1 }
    return inv[0]
}

/// out[i] = y[i] · (g[i] − Σ_j g[j]·y[j]) over one row (the softmax backward;
/// the Σ is `dotRun(g, y, n)`). out may equal g.
@inline(__always) func softmaxGradRow(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    gradPass(y, g, out, n, dot: dotRun(g, y, n))
}

/// out[i] = y[i] · (g[i] − dot) over one row.
@inline(__always) func gradPass(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, dot: Float) {
    let dv = V8(repeating: dot)
    var i = 0
    while i + 8 <= n { store8(load8(y + i) * (load8(g + i) - dv), out + i); i += 8 }
    while i < n { out[i] = y[i] * (g[i] - dot); i += 1 }
}

/// `softmaxGradRow` over `rows` rows of n floats, `stride` apart (out may equal
/// g), four rows at a time: their four `dotRun`s run side by side — four
/// independent FMA chains instead of one waiting on itself, each in `dotRun`'s
/// own order (8 lanes, its tree, its tail) — so every row gets the bits of
/// `softmaxGradRow` (`SoftmaxFusedTests`).
func softmaxGradRows(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                     rows: Int, _ n: Int, stride: Int) {
    var r = 0
    while r + 4 <= rows {
        let y0 = y + r * stride, y1 = y0 + stride, y2 = y1 + stride, y3 = y2 + stride
        let g0 = g + r * stride, g1 = g0 + stride, g2 = g1 + stride, g3 = g2 + stride
        var a0 = V8(repeating: 0), a1 = a0, a2 = a0, a3 = a0
        var i = 0
        while i + 8 <= n {
            a0 = fma8(a0, load8(g0 + i), load8(y0 + i))
            a1 = fma8(a1, load8(g1 + i), load8(y1 + i))
            a2 = fma8(a2, load8(g2 + i), load8(y2 + i))
            a3 = fma8(a3, load8(g3 + i), load8(y3 + i))
            i += 8
        }
        let d0 = dotFinish(a0, g0, y0, from: i, n), d1 = dotFinish(a1, g1, y1, from: i, n)
        let d2 = dotFinish(a2, g2, y2, from: i, n), d3 = dotFinish(a3, g3, y3, from: i, n)
        let o0 = out + r * stride
        gradPass(y0, g0, o0, n, dot: d0)
        gradPass(y1, g1, o0 + stride, n, dot: d1)
        gradPass(y2, g2, o0 + 2 * stride, n, dot: d2)
        gradPass(y3, g3, o0 + 3 * stride, n, dot: d3)
        r += 4
    }
    while r < rows { softmaxGradRow(y + r * stride, g + r * stride, out + r * stride, n); r += 1 }
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
        softmaxGradRows(py + lo * n, pg + lo * n, po + lo * n, rows: hi - lo, n, stride: n)
    }
    return out
}
