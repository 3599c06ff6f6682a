// Losses with "mean" and "sum" reductions (scalar outputs):
//   mse = Σ (p − t)²            bce = −Σ [t·log p + (1 − t)·log(1 − p)]
// BCE takes probabilities and clamps each log at −100, as PyTorch does; its
// gradient divides by max(p(1 − p), 1e-12), also as PyTorch.
import Foundation

extension Tensor {
    func checkLossShapes(_ target: Tensor, _ op: String) throws {
        guard shape == target.shape else {
            throw TensorError.shapeMismatch(op: op, shapes: [shape, target.shape], detail: "prediction and target must have the same shape")
        }
    }

    public func mseLoss(_ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        try checkLossShapes(target, "mse_loss")
        let p = contiguous(), t = target.contiguous()
        defer { withExtendedLifetime((p, t)) {} }   // the copies outlive every pointer taken from them
        let n = count
        let terms = Tensor(uninitialized: [n])
        for i in 0..<n { let e = p.data[i] - t.data[i]; terms.data[i] = e * e }
        var s = sumRun(terms.data, n)
        if reduction == .mean { s /= Float(max(n, 1)) }
        return record(Tensor(scalar: s), .mse(self, target, reduction: reduction))
    }

    public func bceLoss(_ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        try checkLossShapes(target, "bce_loss")
        let p = contiguous(), t = target.contiguous()
        defer { withExtendedLifetime((p, t)) {} }   // the copies outlive every pointer taken from them
        let n = count
        let terms = Tensor(uninitialized: [n])
        // log p and log(1 − p) with FastMath's log (not libm: the same bits on every machine)
        let lp = Tensor(uninitialized: [n]), lq = Tensor(uninitialized: [n])
        for i in 0..<n { lq.data[i] = 1 - p.data[i] }
        FastMath.log(p.data, lp.data, count: n)
        FastMath.log(lq.data, lq.data, count: n)
        for i in 0..<n {
            let ti = t.data[i]
            terms.data[i] = -(ti * max(lp.data[i], -100) + (1 - ti) * max(lq.data[i], -100))
        }
        var s = sumRun(terms.data, n)
        if reduction == .mean { s /= Float(max(n, 1)) }
        return record(Tensor(scalar: s), .bce(self, target, reduction: reduction))
    }
}

func mseBackward(grad g: Tensor, prediction p: Tensor, target t: Tensor, reduction: Reduction) -> [Tensor?] {
    let scale = g.storage.pointer[g.offset] * 2 / (reduction == .mean ? Float(max(p.count, 1)) : 1)
    let pc = p.contiguous(), tc = t.contiguous()
    defer { withExtendedLifetime((pc, tc)) {} }   // the copies outlive every pointer taken from them
    let dp = Tensor(uninitialized: p.shape)
    for i in 0..<p.count { dp.data[i] = (pc.data[i] - tc.data[i]) * scale }
    return [p.requiresGrad ? dp : nil, t.requiresGrad ? scaled(dp, -1) : nil]
}

func bceBackward(grad g: Tensor, prediction p: Tensor, target t: Tensor, reduction: Reduction) -> [Tensor?] {
    let scale = g.storage.pointer[g.offset] / (reduction == .mean ? Float(max(p.count, 1)) : 1)
    let pc = p.contiguous(), tc = t.contiguous()
    defer { withExtendedLifetime((pc, tc)) {} }   // the copies outlive every pointer taken from them
    let dp = Tensor(uninitialized: p.shape)
    for i in 0..<p.count {
        let pi = pc.data[i]
        dp.data[i] = scale * (pi - tc.data[i]) / max((1 - pi) * pi, 1e-12)
    }
    var dt: Tensor? = nil
    if t.requiresGrad {
        let out = Tensor(uninitialized: t.shape)
        let lp = Tensor(uninitialized: [t.count]), lq = Tensor(uninitialized: [t.count])
        for i in 0..<t.count { lq.data[i] = 1 - pc.data[i] }
        FastMath.log(pc.data, lp.data, count: t.count)
        FastMath.log(lq.data, lq.data, count: t.count)
        for i in 0..<t.count { out.data[i] = scale * (max(lq.data[i], -100) - max(lp.data[i], -100)) }
        dt = out
    }
    return [p.requiresGrad ? dp : nil, dt]
}
