// Optimizers with PyTorch's update rules, whose state can be saved and
// restored exactly (as named tensors plus a step count), so a resumed run
// continues bit for bit.
//   SGD:   g += wd·p (torch.optim.SGD's L2);  buf = μ·buf + g (buf = g at the first step);  p −= lr·buf
//   Adam:  g += wd·p (torch.optim.Adam's L2);  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//          p −= (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
//   AdamW: p *= 1 − lr·wd (torch.optim.AdamW's decoupled decay), then Adam without the L2 term
// `learningRate`, SGD's `momentum` and Adam's `beta1Schedule` may change between
// steps (a schedule sets them); Adam's bias correction then uses the β1 of the
// current step, as PyTorch's does when OneCycleLR cycles betas[0].
import Foundation

public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    var learningRate: Float { get set }
    /// Completed update steps.
    var step: Int { get }
    /// Applies one update from the parameters' `grad` (parameters without a
    /// gradient are left alone).
    func update() throws
    /// Named state tensors (e.g. "exp_avg.3") for checkpoints.
    func stateTensors() -> [(name: String, tensor: Tensor)]
    /// Restores state saved by `stateTensors()` and `step`.
    func restore(state: [String: Tensor], step: Int) throws
}

extension Optimizer {
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

func checkGrad(_ p: Tensor, _ i: Int) throws -> Tensor? {
    guard let g = p.grad else { return nil }
    guard g.shape == p.shape else {
        throw TensorError.shapeMismatch(op: "optimizer", shapes: [p.shape, g.shape], detail: "gradient of parameter \(i) (\(p.name ?? "unnamed")) does not match it")
    }
    return g.contiguous()
}

public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var momentum: Float
    public let weightDecay: Float
    public private(set) var step = 0
    var buffers: [Tensor?]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func update() throws {
        for (i, p) in parameters.enumerated() {
            guard var g = try checkGrad(p, i) else { continue }
            // Each loop in fixed chunks over the threads (elementwise: the same bits for any thread count).
            let n = p.count, grain = elementwiseGrain
            if weightDecay != 0 {
                let d = g.detached(), dd = d.data, pd = p.data, wd = weightDecay
                Parallel.forChunks(count: n, grain: grain) { lo, hi, _ in for j in lo..<hi { dd[j] += wd * pd[j] } }
                g = d
            }
            defer { withExtendedLifetime(g) {} }   // g may be a contiguous copy: it outlives gd
            let pd = p.data, gd = g.data, lr = learningRate, mu = momentum
            if momentum != 0 {
                if let b = buffers[i] {
                    let bd = b.data
                    Parallel.forChunks(count: n, grain: grain) { lo, hi, _ in for j in lo..<hi { bd[j] = mu * bd[j] + gd[j] } }
                } else {
                    buffers[i] = g.detached()
                }
                let bd = buffers[i]!.data
                Parallel.forChunks(count: n, grain: grain) { lo, hi, _ in for j in lo..<hi { pd[j] -= lr * bd[j] } }
            } else {
                Parallel.forChunks(count: n, grain: grain) { lo, hi, _ in for j in lo..<hi { pd[j] -= lr * gd[j] } }
            }
        }
        step += 1
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] {
        buffers.enumerated().compactMap { i, b in b.map { ("momentum_buffer.\(i)", $0) } }
    }

    public func restore(state: [String: Tensor], step: Int) throws {
        for i in parameters.indices {
            if let t = state["momentum_buffer.\(i)"] {
                guard t.shape == parameters[i].shape else {
                    throw TensorError.shapeMismatch(op: "SGD.restore", shapes: [parameters[i].shape, t.shape], detail: "momentum buffer \(i)")
                }
                buffers[i] = t.detached()
            } else { buffers[i] = nil }
        }
        self.step = step
    }
}

public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// AdamW: decay the weights (p *= 1 − lr·wd) instead of adding wd·p to the gradient.
    public let decoupled: Bool
    /// When set, the β1 of the next update (in Double, as PyTorch's betas
    /// hold it), replacing `beta1`: OneCycleLR's cycled momentum.
    public var beta1Schedule: Double? = nil
    public private(set) var step = 0
    var m: [Tensor], v: [Tensor]

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        self.decoupled = decoupled
        m = parameters.map { Tensor(zeros: $0.shape) }
        v = parameters.map { Tensor(zeros: $0.shape) }
    }

    public func update() throws {
        step += 1
        // βᵗ by repeated squaring (PortableMath), not libm's pow: the same bits on every machine.
        // β1 is the step's own under a OneCycle schedule (as torch.optim.Adam reads its group's betas).
        let beta1D = beta1Schedule ?? Double(beta1)
        let bc1 = 1 - PortableMath.pow(beta1D, step), bc2 = 1 - PortableMath.pow(Double(beta2), step)
        let stepSize = Float(Double(learningRate) / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        let b1 = beta1Schedule.map { Float($0) } ?? beta1
        let oneMinusB1 = beta1Schedule.map { Float(1 - $0) } ?? (1 - beta1)
        let b2 = beta2, e = eps
        let wd = decoupled ? 0 : weightDecay
        let decay: Float = decoupled && weightDecay != 0 ? Float(1 - Double(learningRate) * Double(weightDecay)) : 1
        for (i, p) in parameters.enumerated() {
            guard let g = try checkGrad(p, i) else { continue }
            defer { withExtendedLifetime(g) {} }   // g may be a contiguous copy: it outlives gd
            let pd = p.data, gd = g.data, md = m[i].data, vd = v[i].data
            Parallel.forChunks(count: p.count, grain: elementwiseGrain) { lo, hi, _ in
                for j in lo..<hi {
                    var gj = gd[j]
                    if decay != 1 { pd[j] *= decay }
                    if wd != 0 { gj += wd * pd[j] }
                    md[j] = md[j] * b1 + oneMinusB1 * gj
                    vd[j] = vd[j] * b2 + (1 - b2) * gj * gj
                    let denom = vd[j].squareRoot() / bc2Sqrt + e
                    pd[j] -= stepSize * (md[j] / denom)
                }
            }
        }
    }

    public func stateTensors() -> [(name: String, tensor: Tensor)] {
        parameters.indices.flatMap { i in [("exp_avg.\(i)", m[i]), ("exp_avg_sq.\(i)", v[i])] }
    }

    public func restore(state: [String: Tensor], step: Int) throws {
        for i in parameters.indices {
            guard let a = state["exp_avg.\(i)"], let b = state["exp_avg_sq.\(i)"] else {
                throw TensorError.invalidArgument(op: "Adam.restore", detail: "state for parameter \(i) is missing")
            }
            guard a.shape == parameters[i].shape, b.shape == parameters[i].shape else {
                throw TensorError.shapeMismatch(op: "Adam.restore", shapes: [parameters[i].shape, a.shape], detail: "state of parameter \(i)")
            }
            m[i] = a.detached(); v[i] = b.detached()
        }
        self.step = step
    }
}
