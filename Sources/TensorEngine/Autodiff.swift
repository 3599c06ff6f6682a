// Reverse-mode autodiff over the recorded graph. Ops record themselves (the
// `Op` enum) when gradient mode is on and an input requires a gradient;
// `backward()` walks the graph once in reverse topological order, accumulates
// gradients of tensors used more than once, and frees each node (its inputs
// and saved values) as soon as its backward has run — the graph is consumed.

import CKymoGEMM

/// Gradient recording mode, per thread (so lanes of Parallel.lanes, each
/// running its own forward and backward, never switch each other's).
public enum GradMode {
    public static var isEnabled: Bool {
        @inline(__always) get { kymo_grad_disabled() == 0 }
    }

    /// Sets this thread's mode (Parallel.lanes gives a lane its caller's).
    static func set(enabled: Bool) { kymo_set_grad_disabled(enabled ? 0 : 1) }

    /// Runs `body` without recording any op (evaluation, optimizer updates).
    public static func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
        let saved = isEnabled
        set(enabled: false)
        defer { set(enabled: saved) }
        return try body()
    }
}

/// Where a backward pass puts the gradients of leaves, instead of their
/// `grad` (lanes share the parameters, so each keeps its own gradients).
public final class GradientSink {
    var grads: [ObjectIdentifier: Tensor] = [:]

    public init() {}

    /// The gradient of `leaf` accumulated in this sink; nil when the loss does not reach it.
    public subscript(leaf: Tensor) -> Tensor? { grads[ObjectIdentifier(leaf)] }
}

public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.withNoGrad(body)
}

extension Tensor {
    /// Attaches `op` to `out` when recording is on and an input needs a gradient.
    @inline(__always)
    func record(_ out: Tensor, _ op: @autoclosure () -> Op) -> Tensor {
        guard GradMode.isEnabled else { return out }
        let o = op()
        if o.inputs.contains(where: { $0.requiresGrad }) {
            out.op = o
            out.requiresGrad = true
        }
        return out
    }

    /// Back-propagates from this tensor. A non-scalar root needs `seed`
    /// (the gradient of some scalar with respect to it). Gradients of leaves
    /// that require one are accumulated into their `grad`, or into `sink`.
    public func backward(seed: Tensor? = nil, into sink: GradientSink? = nil) throws {
        guard requiresGrad else {
            throw TensorError.invalidArgument(op: "backward", detail: "tensor does not require a gradient (nothing recorded)")
        }
        let rootGrad: Tensor
        if let seed {
            guard seed.shape == shape else {
                throw TensorError.shapeMismatch(op: "backward", shapes: [shape, seed.shape], detail: "seed must match the root")
            }
            rootGrad = seed
        } else {
            guard count == 1 else {
                throw TensorError.invalidArgument(op: "backward", detail: "root of shape \(describeShape(shape)) is not a scalar; pass a seed")
            }
            rootGrad = Tensor(repeating: 1, shape: shape)
        }
        let order = topologicalOrder()
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): rootGrad]
        GradMode.withNoGrad {
            for node in order.reversed() {
                let id = ObjectIdentifier(node)
                guard let g = grads.removeValue(forKey: id) else { continue }
                guard let op = node.op else {
                    // a leaf: accumulate into .grad
                    let gc = g.shape == node.shape ? g : g.reshapedView(node.shape)
                    if let sink {
                        sink.grads[id] = sink.grads[id].map { accumulate($0, gc) } ?? gc.contiguous().detachedIfShared(node)
                    } else {
                        node.grad = node.grad.map { accumulate($0, gc) } ?? gc.contiguous().detachedIfShared(node)
                    }
                    continue
                }
                let inputGrads = op.backward(output: node, grad: g)
                let inputs = op.inputs
                for (x, gx) in zip(inputs, inputGrads) where x.requiresGrad {
                    guard let gx else { continue }
                    let xid = ObjectIdentifier(x)
                    grads[xid] = grads[xid].map { accumulate($0, gx) } ?? gx
                }
                node.op = nil   // free the node: inputs and saved values go
            }
        }
    }

    /// Nodes reachable from self through inputs that require gradients, each
    /// after all of its inputs (iterative DFS: deep unrolled graphs are fine).
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            let id = ObjectIdentifier(t)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((t, true))
            if let op = t.op {
                for x in op.inputs.reversed() where x.requiresGrad && !visited.contains(ObjectIdentifier(x)) {
                    stack.append((x, false))
                }
            }
        }
        return order
    }

    /// A gradient that must not alias the storage of the tensor it belongs to.
    func detachedIfShared(_ owner: Tensor) -> Tensor {
        storage === owner.storage ? detached() : self
    }
}

/// a + b for gradients of the same shape (a fresh tensor).
func accumulate(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "gradient accumulation of mismatched sizes")
    let out = Tensor(uninitialized: a.shape)
    let po = out.data
    a.withContiguousData { pa in
        b.withContiguousData { pb in
            Parallel.forChunks(count: a.count, grain: elementwiseGrain) { lo, hi, _ in
                for i in lo..<hi { po[i] = pa[i] + pb[i] }
            }
        }
    }
    return out
}
