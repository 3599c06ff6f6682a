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
        let n = count
        let terms = Tensor(uninitialized: [n])
        defer { withExtendedLifetime((p, t, terms)) {} }   // the tensors outlive every pointer taken from them
        let pp = p.data, pt = t.data, pr = terms.data   // once, outside the loop
        for i in 0..<n { let e = pp[i] - pt[i]; pr[i] = e * e }
        var s = sumRun(pr, n)
        if reduction == .mean { s /= Float(max(n, 1)) }
        return record(Tensor(scalar: s), .mse(self, target, reduction: reduction))
    }

    public func bceLoss(_ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        try checkLossShapes(target, "bce_loss")
        let p = contiguous(), t = target.contiguous()
        let n = count
        let terms = Tensor(uninitialized: [n])
        // log p and log(1 − p) with FastMath's log (not libm: the same bits on every machine)
        let lp = Tensor(uninitialized: [n]), lq = Tensor(uninitialized: [n])
        defer { withExtendedLifetime((p, t, terms, lp, lq)) {} }   // the tensors outlive every pointer taken from them
        let pp = p.data, pt = t.data, pr = terms.data, plp = lp.data, plq = lq.data   // once, outside the loops
        for i in 0..<n { plq[i] = 1 - pp[i] }
        FastMath.log(pp, plp, count: n)
        FastMath.log(plq, plq, count: n)
        for i in 0..<n {
            let ti = pt[i]
            pr[i] = -(ti * max(plp[i], -100) + (1 - ti) * max(plq[i], -100))
        }
        var s = sumRun(pr, n)
        if reduction == .mean { s /= Float(max(n, 1)) }
        return record(Tensor(scalar: s), .bce(self, target, reduction: reduction))
    }
}

func mseBackward(grad g: Tensor, prediction p: Tensor, target t: Tensor, reduction: Reduction) -> [Tensor?] {
    let scale = g.storage.pointer[g.offset] * 2 / (reduction == .mean ? Float(max(p.count, 1)) : 1)
    let pc = p.contiguous(), tc = t.contiguous()
    let dp = Tensor(uninitialized: p.shape)
    defer { withExtendedLifetime((pc, tc, dp)) {} }   // the tensors outlive every pointer taken from them
    let pp = pc.data, pt = tc.data, pd = dp.data   // once, outside the loop
    for i in 0..<p.count { pd[i] = (pp[i] - pt[i]) * scale }
    return [p.requiresGrad ? dp : nil, t.requiresGrad ? scaled(dp, -1) : nil]
}

func bceBackward(grad g: Tensor, prediction p: Tensor, target t: Tensor, reduction: Reduction) -> [Tensor?] {
    let scale = g.storage.pointer[g.offset] / (reduction == .mean ? Float(max(p.count, 1)) : 1)
    let pc = p.contiguous(), tc = t.contiguous()
    let dp = Tensor(uninitialized: p.shape)
    defer { withExtendedLifetime((pc, tc, dp)) {} }   // the tensors outlive every pointer taken from them
    let pp = pc.data, pt = tc.data, pd = dp.data   // once, outside the loops
    for i in 0..<p.count {
        let pi = pp[i]
        pd[i] = scale * (pi - pt[i]) / max((1 - pi) * pi, 1e-12)
    }
    var dt: Tensor? = nil
    if t.requiresGrad {
        let out = Tensor(uninitialized: t.shape)
        let lp = Tensor(uninitialized: [t.count]), lq = Tensor(uninitialized: [t.count])
        withExtendedLifetime((out, lp, lq)) {
            let po = out.data, plp = lp.data, plq = lq.data
            for i in 0..<t.count { plq[i] = 1 - pp[i] }
            FastMath.log(pp, plp, count: t.count)
            FastMath.log(plq, plq, count: t.count)
            for i in 0..<t.count { po[i] = scale * (max(plq[i], -100) - max(plp[i], -100)) }
        }
        dt = out
    }
    return [p.requiresGrad ? dp : nil, dt]
}
