// Elementwise ops: add/sub/mul/div with NumPy broadcasting, scale, neg, and
// the unary functions exp, log, sigmoid, tanh, relu, leaky_relu — forward and
// backward together. Contiguous same-shape operands take a flat vectorized
// loop; broadcast operands iterate rows with per-operand strides (0 for a
// broadcast axis). Gradients of broadcast operands are summed back to their
// shape (`reduceGrad`).
import Foundation

enum BinaryKind { case add, sub, mul, div }

enum UnaryKind { case exp, log, sigmoid, tanh, relu, leakyRelu(Float) }

/// The broadcast shape of two shapes, or nil when they do not broadcast.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let da = i < r - a.count ? 1 : a[i - (r - a.count)]
        let db = i < r - b.count ? 1 : b[i - (r - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Strides that read `t` as if it had shape `target` (0 on broadcast axes).
func broadcastStrides(_ t: Tensor, to target: [Int]) -> [Int] {
    let r = target.count, off = r - t.rank
    return (0..<r).map { i in i < off || t.shape[i - off] == 1 ? 0 : t.strides[i - off] }
}

@inline(__always) func binaryRow(_ kind: BinaryKind, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                                 _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    switch (kind, sa, sb) {
    case (.add, 1, 1): for i in 0..<n { o[i] = a[i] + b[i] }
    case (.sub, 1, 1): for i in 0..<n { o[i] = a[i] - b[i] }
    case (.mul, 1, 1): for i in 0..<n { o[i] = a[i] * b[i] }
    case (.div, 1, 1): for i in 0..<n { o[i] = a[i] / b[i] }
    case (.add, 1, 0): let v = b[0]; for i in 0..<n { o[i] = a[i] + v }
    case (.sub, 1, 0): let v = b[0]; for i in 0..<n { o[i] = a[i] - v }
    case (.mul, 1, 0): let v = b[0]; for i in 0..<n { o[i] = a[i] * v }
    case (.div, 1, 0): let v = b[0]; for i in 0..<n { o[i] = a[i] / v }
    case (.add, 0, 1): let v = a[0]; for i in 0..<n { o[i] = v + b[i] }
    case (.sub, 0, 1): let v = a[0]; for i in 0..<n { o[i] = v - b[i] }
    case (.mul, 0, 1): let v = a[0]; for i in 0..<n { o[i] = v * b[i] }
    case (.div, 0, 1): let v = a[0]; for i in 0..<n { o[i] = v / b[i] }
    default:
        for i in 0..<n {
            let x = a[i * sa], y = b[i * sb]
            switch kind {
            case .add: o[i] = x + y
            case .sub: o[i] = x - y
            case .mul: o[i] = x * y
            case .div: o[i] = x / y
            }
        }
    }
}

/// out = a ∘ b with broadcasting, into a fresh contiguous tensor.
func binaryKernel(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    let out = Tensor(uninitialized: shape)
    let n = out.count
    if n == 0 { return out }
    let pa = a.storage.pointer + a.offset, pb = b.storage.pointer + b.offset, po = out.data
    if a.shape == shape && b.shape == shape && a.isContiguous && b.isContiguous {
        Parallel.forChunks(count: n, grain: elementwiseGrain) { lo, hi, _ in
            binaryRow(kind, pa + lo, 1, pb + lo, 1, po + lo, hi - lo)
        }
        return out
    }
    let r = shape.count
    let sa = broadcastStrides(a, to: shape), sb = broadcastStrides(b, to: shape)
    let inner = r == 0 ? 1 : shape[r - 1]
    let ia = r == 0 ? 0 : sa[r - 1], ib = r == 0 ? 0 : sb[r - 1]
    let rows = n / max(inner, 1)
    let grain = max(1, (1 << 15) / max(inner, 1))
    Parallel.forChunks(count: rows, grain: grain) { lo, hi, _ in
        for row in lo..<hi {
            // offsets of this row in a and b
            var rem = row, oa = 0, ob = 0
            var axis = r - 2
            while axis >= 0 {
                let idx = rem % shape[axis]
                rem /= shape[axis]
                oa += idx * sa[axis]; ob += idx * sb[axis]
                axis -= 1
            }
            binaryRow(kind, pa + oa, ia, pb + ob, ib, po + row * inner, inner)
        }
    }
    return out
}

extension Tensor {
    func binary(_ kind: BinaryKind, _ other: Tensor, name: String) throws -> Tensor {
        guard let s = broadcastShape(shape, other.shape) else {
            throw TensorError.shapeMismatch(op: name, shapes: [shape, other.shape], detail: "they do not broadcast")
        }
        let out = binaryKernel(kind, self, other, shape: s)
        switch kind {
        case .add: return record(out, .add(self, other))
        case .sub: return record(out, .sub(self, other))
        case .mul: return record(out, .mul(self, other))
        case .div: return record(out, .div(self, other))
        }
    }

    public func add(_ other: Tensor) throws -> Tensor { try binary(.add, other, name: "add") }
    public func sub(_ other: Tensor) throws -> Tensor { try binary(.sub, other, name: "sub") }
    public func mul(_ other: Tensor) throws -> Tensor { try binary(.mul, other, name: "mul") }
    public func div(_ other: Tensor) throws -> Tensor { try binary(.div, other, name: "div") }

    /// x · s + shift (the shift has no gradient; use it for `1 - x` as scaled(by: -1, plus: 1)).
    public func scaled(by s: Float, plus shift: Float = 0) -> Tensor {
        let x = contiguous()
        defer { withExtendedLifetime(x) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: shape)
        let px = x.data, po = out.data
        Parallel.forChunks(count: count, grain: elementwiseGrain) { lo, hi, _ in
            for i in lo..<hi { po[i] = px[i] * s + shift }
        }
        return record(out, .scale(self, s))
    }

    public func negated() -> Tensor { scaled(by: -1) }

    func unary(_ kind: UnaryKind) -> Tensor {
        let x = contiguous()
        defer { withExtendedLifetime(x) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(uninitialized: shape)
        let px = x.data, po = out.data
        Parallel.forChunks(count: count, grain: elementwiseGrain) { lo, hi, _ in
            let n = hi - lo, s = px + lo, d = po + lo
            switch kind {
            case .exp: FastMath.exp(s, d, count: n)
            case .sigmoid: FastMath.sigmoid(s, d, count: n)
            case .tanh: FastMath.tanh(s, d, count: n)
            case .log: FastMath.log(s, d, count: n)
            case .relu: for i in 0..<n { d[i] = s[i] > 0 ? s[i] : 0 }
            case let .leakyRelu(a): for i in 0..<n { d[i] = s[i] > 0 ? s[i] : a * s[i] }
            }
        }
        switch kind {
        case .exp: return record(out, .exp(self))
        case .log: return record(out, .log(self))
        case .sigmoid: return record(out, .sigmoid(self))
        case .tanh: return record(out, .tanh(self))
        case .relu: return record(out, .relu(self))
        case let .leakyRelu(a): return record(out, .leakyRelu(self, slope: a))
        }
    }

    public func exp() -> Tensor { unary(.exp) }
    public func log() -> Tensor { unary(.log) }
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    public func tanh() -> Tensor { unary(.tanh) }
    public func relu() -> Tensor { unary(.relu) }
    public func leakyRelu(slope: Float = 0.01) -> Tensor { unary(.leakyRelu(slope)) }

    /// The activation named by `a`.
    public func activated(_ a: Activation) -> Tensor {
        switch a {
        case .tanh: return tanh()
        case .relu: return relu()
        case .leakyRelu: return leakyRelu()
        case .sigmoid: return sigmoid()
        }
    }
}


// MARK: backward

/// g · s (a fresh tensor, not recorded).
func scaled(_ g: Tensor, _ s: Float) -> Tensor {
    let gc = g.contiguous()
    defer { withExtendedLifetime(gc) {} }   // the copies outlive every pointer taken from them
    let out = Tensor(uninitialized: g.shape)
    let pg = gc.data, po = out.data
    Parallel.forChunks(count: g.count, grain: elementwiseGrain) { lo, hi, _ in
        for i in lo..<hi { po[i] = pg[i] * s }
    }
    return out
}

/// Sums a broadcast gradient back to the shape of `x` (nil when x needs none).
func reduceGrad(_ g: Tensor, to x: Tensor) -> Tensor? {
    guard x.requiresGrad else { return nil }
    return sumTo(g, shape: x.shape)
}

func sumTo(_ g: Tensor, shape: [Int]) -> Tensor {
    if g.shape == shape { return g }
    let off = g.rank - shape.count
    var axes: [Int] = Array(0..<off)
    for i in 0..<shape.count where shape[i] == 1 && g.shape[i + off] != 1 { axes.append(i + off) }
    return sumKernel(g, axes: axes).reshapedView(shape)
}

func mulBackward(grad g: Tensor, a: Tensor, b: Tensor) -> [Tensor?] {
    [a.requiresGrad ? sumTo(binaryKernel(.mul, g, b, shape: g.shape), shape: a.shape) : nil,
     b.requiresGrad ? sumTo(binaryKernel(.mul, g, a, shape: g.shape), shape: b.shape) : nil]
}

func divBackward(grad g: Tensor, a: Tensor, b: Tensor, output y: Tensor) -> [Tensor?] {
    // d(a/b)/da = 1/b ; d(a/b)/db = -y/b
    let ga = a.requiresGrad ? sumTo(binaryKernel(.div, g, b, shape: g.shape), shape: a.shape) : nil
    var gb: Tensor? = nil
    if b.requiresGrad {
        let t = binaryKernel(.mul, g, y, shape: g.shape)
        gb = sumTo(scaled(binaryKernel(.div, t, b, shape: g.shape), -1), shape: b.shape)
    }
    return [ga, gb]
}

func unaryBackward(_ kind: UnaryKind, grad g: Tensor, input x: Tensor?, output y: Tensor) -> Tensor {
    let gc = g.contiguous(), yc = y.contiguous(), xc = x?.contiguous()
    defer { withExtendedLifetime((gc, yc, xc)) {} }   // the copies outlive every pointer taken from them
    let out = Tensor(uninitialized: y.shape)
    let pg = gc.data, py = yc.data, po = out.data
    let px = xc?.data
    Parallel.forChunks(count: y.count, grain: elementwiseGrain) { lo, hi, _ in
        switch kind {
        case .exp: for i in lo..<hi { po[i] = pg[i] * py[i] }
        case .sigmoid: for i in lo..<hi { po[i] = pg[i] * py[i] * (1 - py[i]) }
        case .tanh: for i in lo..<hi { po[i] = pg[i] * (1 - py[i] * py[i]) }
        case .log: let px = px!; for i in lo..<hi { po[i] = pg[i] / px[i] }
        case .relu: let px = px!; for i in lo..<hi { po[i] = px[i] > 0 ? pg[i] : 0 }
        case let .leakyRelu(a): let px = px!; for i in lo..<hi { po[i] = px[i] > 0 ? pg[i] : a * pg[i] }
        }
    }
    return out
}
