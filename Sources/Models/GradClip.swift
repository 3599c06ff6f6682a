// Gradient clipping by global norm, with torch.nn.utils.clip_grad_norm_'s
// semantics: the total L2 norm over every parameter's gradient,
//   total = √(Σ_params Σ_i g_i²),  coef = max_norm / (total + 1e-6),
// and every gradient scaled by coef when coef < 1 (PyTorch multiplies by
// min(coef, 1), which is the same). The sum runs in Double, in parameter order
// and, inside a parameter, in fixed chunks of `chunk` elements, each chunk's
// sum (on whichever thread runs it) added in chunk order on one thread — so
// the norm's bits never depend on the thread count.
// Deliberately not: other norms (inf, p ≠ 2) or clipping by value.
import Foundation
import TensorEngine

public enum GradClip {
    static let chunk = 4096

    /// The total L2 norm of the parameters' gradients (parameters without one count as zero).
    public static func totalNorm(_ parameters: [Tensor]) -> Double {
        var total = 0.0
        for p in parameters {
            guard let g = p.grad else { continue }
            g.withContiguousData { d in
                // Each chunk's sum on whichever thread runs it, the sums then added here in chunk order.
                var partial = [Double](repeating: 0, count: (d.count + chunk - 1) / chunk)
                partial.withUnsafeMutableBufferPointer { sums in
                    let out = sums.baseAddress!   // each chunk writes only its own sum
                    Parallel.forChunks(count: d.count, grain: chunk) { lo, hi, _ in
                        var s = 0.0
                        for j in lo..<hi { let x = Double(d[j]); s += x * x }
                        out[lo / chunk] = s
                    }
                }
                for s in partial { total += s }
            }
        }
        return total.squareRoot()
    }

    /// Clips the gradients to `maxNorm` in place; returns the pre-clip norm.
    @discardableResult
    public static func clip(_ parameters: [Tensor], maxNorm: Double) -> Double {
        let norm = totalNorm(parameters)
        let coef = maxNorm / (norm + 1e-6)
        guard coef < 1 else { return norm }
        let f = Float(coef)
        for p in parameters {
            guard let g = p.grad else { continue }
            let c = g.detached()   // a copy: a gradient may share storage
            c.withMutableData { d in
                Parallel.forChunks(count: d.count, grain: 1 << 15) { lo, hi, _ in
                    for j in lo..<hi { d[j] *= f }
                }
            }
            p.grad = c
        }
        return norm
    }
}
