// Reductions: sum and mean over axes. Summation order is fixed by the shape
// alone (8 interleaved partial sums over a contiguous run, combined in a fixed
// tree), so a reduction gives the same bits for any thread count.

/// Sum of a contiguous run with 8 fixed partial sums.
@inline(__always) func sumRun(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = V8(repeating: 0)
    var i = 0
    while i + 8 <= n { acc += load8(p + i); i += 8 }
    var s = laneSum(acc)
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Σ a[i]·b[i] with the same fixed 8-way pattern as `sumRun`.
@inline(__always) func dotRun(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = V8(repeating: 0)
    var i = 0
    while i + 8 <= n { acc = fma8(acc, load8(a + i), load8(b + i)); i += 8 }
    return dotFinish(acc, a, b, from: i, n)
}

/// The fixed tree that ends every 8-lane sum (`sumRun`, `dotRun`, the softmax's Σ).
@inline(__always) func laneSum(_ acc: V8) -> Float {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// `dotRun`'s end: the tree of its 8 partial sums, then the tail from `from`
/// (also ends the four side-by-side chains of `softmaxGradRows`).
@inline(__always) func dotFinish(_ acc: V8, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, from: Int, _ n: Int) -> Float {
    var s = laneSum(acc)
    var j = from
    while j < n { s += a[j] * b[j]; j += 1 }
    return s
}

/// Sums `t` over `axes`, keeping them as size-1 dimensions.
func sumKernel(_ t: Tensor, axes: [Int]) -> Tensor {
    let r = t.rank
    let reduce = Set(axes)
    var outShape = t.shape
    for a in reduce { outShape[a] = 1 }
    if reduce.isEmpty { return t.contiguous().detached() }
    let keep = (0..<r).filter { !reduce.contains($0) }
    let red = (0..<r).filter { reduce.contains($0) }
    let out = Tensor(uninitialized: outShape)
    let po = out.data
    // Leading reduced axes over contiguous data: out[j] = Σ_i in[i, j].
    if t.isContiguous, red == Array(0..<red.count) {
        let rows = red.map { t.shape[$0] }.reduce(1, *)
        let cols = out.count
        let pi = t.data
        Parallel.forChunks(count: cols, grain: 4096) { lo, hi, _ in
            for j in lo..<hi { po[j] = 0 }
            for i in 0..<rows {
                let row = pi + i * cols
                for j in lo..<hi { po[j] += row[j] }
            }
        }
        return out
    }
    // General: move reduced axes last, then sum contiguous runs.
    let p = t.permutedView(keep + red).contiguous()
    defer { withExtendedLifetime(p) {} }   // the copies outlive every pointer taken from them
    let run = red.map { t.shape[$0] }.reduce(1, *)
    let pi = p.data
    Parallel.forChunks(count: out.count, grain: max(1, 65536 / max(run, 1))) { lo, hi, _ in
        for j in lo..<hi { po[j] = sumRun(pi + j * run, run) }
    }
    return out
}

extension Tensor {
    /// Sum over `axes` (all axes when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let ax = try (axes ?? Array(0..<rank)).map { try normalizeAxis($0, op: "sum") }
        guard Set(ax).count == ax.count else {
            throw TensorError.invalidArgument(op: "sum", detail: "repeated axis in \(axes ?? [])")
        }
        let k = sumKernel(self, axes: ax)
        let shape = keepDims ? k.shape : k.shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        return record(k.reshapedView(shape), .sum(self, axes: ax))
    }

    /// Sum of all elements (a scalar tensor).
    public func sum() -> Tensor { try! sum(axes: nil) }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let ax = try (axes ?? Array(0..<rank)).map { try normalizeAxis($0, op: "mean") }
        let n = ax.map { shape[$0] }.reduce(1, *)
        return try sum(axes: ax, keepDims: keepDims).scaled(by: 1 / Float(max(n, 1)))
    }

    public func mean() -> Tensor { try! mean(axes: nil) }
}

func sumBackward(grad g: Tensor, inputShape: [Int], axes: [Int]) -> Tensor {
    var kept = inputShape
    for a in axes { kept[a] = 1 }
    let gk = g.contiguous().reshapedView(kept)
    defer { withExtendedLifetime(gk) {} }   // the copies outlive every pointer taken from them
    return binaryKernel(.add, Tensor(zeros: inputShape), gk, shape: inputShape)
}
