// Op: the recorded graph as one enum. Each case holds the inputs (and the
// few scalars) its backward needs; the output tensor itself is passed to the
// backward, so outputs are never stored inside their own op (no cycles).
// A new primitive adds a case here and a branch in `backward`; the compiler
// then refuses to build until its backward exists.

enum Op {
    // views and copies
    case copy(Tensor)
    case reshape(Tensor)
    case permute(Tensor, [Int])
    case slice(Tensor, axis: Int, start: Int)
    case concat([Tensor], axis: Int)
    // elementwise
    case add(Tensor, Tensor)
    case sub(Tensor, Tensor)
    case mul(Tensor, Tensor)
    case div(Tensor, Tensor)
    case scale(Tensor, Float)          // x * s (+ constant, which has no gradient)
    case exp(Tensor)
    case log(Tensor)
    case sigmoid(Tensor)
    case tanh(Tensor)
    case relu(Tensor)
    case leakyRelu(Tensor, slope: Float)
    // linear algebra and convolution
    case matmul(Tensor, Tensor)
    case conv2d(Tensor, Tensor, Tensor?, padding: (Int, Int))
    case conv3d(Tensor, Tensor, Tensor?, padding: Int)
    // reductions and normalizations
    case sum(Tensor, axes: [Int])
    case softmax(Tensor)               // over the last axis
    case layerNorm(Tensor, Tensor?, Tensor?, normalized: Int, eps: Float, mean: Tensor, rstd: Tensor)
    // losses (scalar outputs)
    case mse(Tensor, Tensor, reduction: Reduction)
    case bce(Tensor, Tensor, reduction: Reduction)
    // layout
    case spaceToDepth(Tensor, patch: Int)
    case depthToSpace(Tensor, patch: Int)
    // fused kernels
    case lstmGates(gates: Tensor, cPrev: Tensor, wci: Tensor, wcf: Tensor, wco: Tensor, activation: Activation)
    case attention(q: Tensor, k: Tensor, v: Tensor, map: Tensor?, rows: Tensor?)   // map: A [B, N, M] when the forward kept it, else rows: each row's max and 1/Σ [B, N, 2]
    case samMemory(gates: Tensor, mPrev: Tensor)
    case samOutput(gates: Tensor, m: Tensor)

    var inputs: [Tensor] {
        switch self {
        case let .copy(a), let .reshape(a), let .permute(a, _), let .slice(a, _, _),
             let .scale(a, _), let .exp(a), let .log(a), let .sigmoid(a), let .tanh(a),
             let .relu(a), let .leakyRelu(a, _), let .sum(a, _), let .softmax(a),
             let .spaceToDepth(a, _), let .depthToSpace(a, _):
            return [a]
        case let .concat(xs, _):
            return xs
        case let .add(a, b), let .sub(a, b), let .mul(a, b), let .div(a, b), let .matmul(a, b),
             let .mse(a, b, _), let .bce(a, b, _):
            return [a, b]
        case let .conv2d(x, w, b, _), let .conv3d(x, w, b, _):
            return b.map { [x, w, $0] } ?? [x, w]
        case let .layerNorm(x, w, b, _, _, _, _):
            return [x] + (w.map { [$0] } ?? []) + (b.map { [$0] } ?? [])
        case let .lstmGates(g, c, wci, wcf, wco, _):
            return [g, c, wci, wcf, wco]
        case let .attention(q, k, v, _, _):
            return [q, k, v]
        case let .samMemory(g, m), let .samOutput(g, m):
            return [g, m]
        }
    }

    /// Gradients of the inputs (aligned with `inputs`; nil where an input
    /// needs none), given the output and the gradient flowing into it.
    /// Runs with recording off.
    func backward(output y: Tensor, grad g: Tensor) -> [Tensor?] {
        switch self {
        case let .copy(a): return [g.reshapedView(a.shape)]
        case let .reshape(a): return [g.contiguous().reshapedView(a.shape)]
        case let .permute(_, perm): return [g.permutedView(inversePermutation(perm))]
        case let .slice(a, axis, start): return [sliceBackward(grad: g, inputShape: a.shape, axis: axis, start: start)]
        case let .concat(xs, axis): return concatBackward(grad: g, inputs: xs, axis: axis)
        case let .add(a, b): return [reduceGrad(g, to: a), reduceGrad(g, to: b)]
        case let .sub(a, b): return [reduceGrad(g, to: a), reduceGrad(scaled(g, -1), to: b)]
        case let .mul(a, b): return mulBackward(grad: g, a: a, b: b)
        case let .div(a, b): return divBackward(grad: g, a: a, b: b, output: y)
        case let .scale(_, s): return [scaled(g, s)]
        case .exp: return [unaryBackward(.exp, grad: g, input: nil, output: y)]
        case let .log(a): return [unaryBackward(.log, grad: g, input: a, output: y)]
        case .sigmoid: return [unaryBackward(.sigmoid, grad: g, input: nil, output: y)]
        case .tanh: return [unaryBackward(.tanh, grad: g, input: nil, output: y)]
        case let .relu(a): return [unaryBackward(.relu, grad: g, input: a, output: y)]
        case let .leakyRelu(a, slope): return [unaryBackward(.leakyRelu(slope), grad: g, input: a, output: y)]
        case let .matmul(a, b): return matmulBackward(grad: g, a: a, b: b)
        case let .conv2d(x, w, b, padding): return conv2dBackward(grad: g, x: x, w: w, hasBias: b != nil, padding: padding)
        case let .conv3d(x, w, b, padding): return conv3dBackward(grad: g, x: x, w: w, hasBias: b != nil, padding: padding)
        case let .sum(a, axes): return [sumBackward(grad: g, inputShape: a.shape, axes: axes)]
        case .softmax: return [softmaxBackward(grad: g, output: y)]
        case let .layerNorm(x, w, b, n, _, mean, rstd):
            return layerNormBackward(grad: g, x: x, weight: w, hasBias: b != nil, normalized: n, mean: mean, rstd: rstd)
        case let .mse(p, t, r): return mseBackward(grad: g, prediction: p, target: t, reduction: r)
        case let .bce(p, t, r): return bceBackward(grad: g, prediction: p, target: t, reduction: r)
        case let .spaceToDepth(_, p): return [depthToSpaceKernel(g.contiguous(), patch: p)]
        case let .depthToSpace(_, p): return [spaceToDepthKernel(g.contiguous(), patch: p)]
        case let .lstmGates(gates, cPrev, wci, wcf, wco, act):
            return lstmGatesBackward(grad: g, output: y, gates: gates, cPrev: cPrev, wci: wci, wcf: wcf, wco: wco, activation: act)
        case let .attention(q, k, v, map, rows): return attentionBackward(grad: g, q: q, k: k, v: v, map: map, rows: rows)
        case let .samMemory(gates, mPrev): return samMemoryBackward(grad: g, gates: gates, mPrev: mPrev)
        case let .samOutput(gates, m): return samOutputBackward(grad: g, gates: gates, m: m)
        }
    }
}

/// How a loss reduces its elementwise terms.
public enum Reduction: String, Sendable, CaseIterable {
    case mean, sum
}

/// Activation of the ConvLSTM cell (docs/models.md: `act`).
public enum Activation: String, Sendable, CaseIterable {
    case tanh, relu, leakyRelu = "leaky_relu", sigmoid
}

func inversePermutation(_ perm: [Int]) -> [Int] {
    var inv = [Int](repeating: 0, count: perm.count)
    for (i, p) in perm.enumerated() { inv[p] = i }
    return inv
}
