// Per-frame prediction metrics of docs/models.md (as the papers and OpenSTL report
// them), for pixels in [0, 1], computed in Double:
//   MSE  = Σ over a frame's pixels of (pred − true)²  (a sum, not a mean)
//   MAE  = Σ |pred − true|
//   PSNR = 10·log10(1 / mean per-pixel squared error)   (+∞ for a perfect frame)
//   SSIM = scikit-image's structural_similarity(gaussian_weights=True, σ 1.5,
//          use_sample_covariance=False, data_range 1): separable Gaussian of 11
//          taps (radius 5 = ⌊3.5σ + 0.5⌋, normalized), borders by half-sample
//          reflection (scipy 'reflect'), population (co)variances,
//          C1 = 0.01², C2 = 0.03², mean of the map with 5 pixels cropped per edge.
// Frames with several channels: MSE/MAE/PSNR over all channels' pixels, SSIM
// the mean of the channels' SSIMs. No gradients; not a training loss.
// Data in other units (evaluate on a normalized dataset) state their data
// range L: C1 = (0.01·L)², C2 = (0.03·L)², PSNR = 10·log10(L² / mean squared
// error) — L = 1 is the formulas above, to the bit.
// Nowcasting scores per threshold τ (pySTEPS / SEVIR): over every pixel of
// every predicted frame, hits H = #(pred ≥ τ and true ≥ τ), misses M =
// #(pred < τ and true ≥ τ), false alarms F = #(pred ≥ τ and true < τ);
// CSI = H / (H + M + F), POD = H / (H + M), FAR = F / (H + F) (NaN when the
// denominator is 0).
import Foundation
import TensorEngine

public struct FrameMetrics: Equatable, Sendable {
    public var mse: Double, mae: Double, ssim: Double, psnr: Double
}

public enum Metrics {
    public static let ssimSigma = 1.5
    public static let ssimRadius = 5
    public static let c1 = 0.01 * 0.01
    public static let c2 = 0.03 * 0.03

    /// The normalized 1-D Gaussian window (11 taps).
    static let window: [Double] = {
        let w = (-ssimRadius...ssimRadius).map { i in PortableMath.exp(-0.5 / (ssimSigma * ssimSigma) * Double(i * i)) }
        let s = w.reduce(0, +)
        return w.map { $0 / s }
    }()

    /// scipy 'reflect' (… c b a | a b c …) for any offset.
    @inline(__always) static func reflect(_ i: Int, _ n: Int) -> Int {
        var i = i
        while i < 0 || i >= n {
            if i < 0 { i = -i - 1 }
            if i >= n { i = 2 * n - i - 1 }
        }
        return i
    }

    /// Separable Gaussian filter of an [h, w] image (rows first, then columns).
    static func gaussian(_ x: [Double], _ h: Int, _ w: Int) -> [Double] {
        let r = ssimRadius, k = window
        var tmp = [Double](repeating: 0, count: h * w)
        for y in 0..<h {
            for xx in 0..<w {
                var s = 0.0
                for j in -r...r { s += k[j + r] * x[reflect(y + j, h) * w + xx] }
                tmp[y * w + xx] = s
            }
        }
        var out = [Double](repeating: 0, count: h * w)
        for y in 0..<h {
            for xx in 0..<w {
                var s = 0.0
                for j in -r...r { s += k[j + r] * tmp[y * w + reflect(xx + j, w)] }
                out[y * w + xx] = s
            }
        }
        return out
    }

    /// The full (uncropped) SSIM map of one [h, w] frame pair.
    public static func ssimMap(prediction p: [Double], truth t: [Double], height h: Int, width w: Int, dataRange: Double = 1) -> [Double] {
        precondition(p.count == h * w && t.count == h * w, "ssimMap: sizes")
        let c1 = dataRange == 1 ? Metrics.c1 : (0.01 * dataRange) * (0.01 * dataRange)
        let c2 = dataRange == 1 ? Metrics.c2 : (0.03 * dataRange) * (0.03 * dataRange)
        let ux = gaussian(t, h, w), uy = gaussian(p, h, w)
        let uxx = gaussian(t.map { $0 * $0 }, h, w), uyy = gaussian(p.map { $0 * $0 }, h, w)
        let uxy = gaussian(zip(t, p).map { $0 * $1 }, h, w)
        var s = [Double](repeating: 0, count: h * w)
        for i in 0..<(h * w) {
            let vx = uxx[i] - ux[i] * ux[i], vy = uyy[i] - uy[i] * uy[i], vxy = uxy[i] - ux[i] * uy[i]
            let a1 = 2 * ux[i] * uy[i] + c1, a2 = 2 * vxy + c2
            let b1 = ux[i] * ux[i] + uy[i] * uy[i] + c1, b2 = vx + vy + c2
            s[i] = (a1 * a2) / (b1 * b2)
        }
        return s
    }

    /// SSIM of one [h, w] frame pair: the map's mean with `ssimRadius` pixels
    /// cropped from every edge (the whole map when the frame is too small).
    public static func ssim(prediction p: [Double], truth t: [Double], height h: Int, width w: Int, dataRange: Double = 1) -> Double {
        let map = ssimMap(prediction: p, truth: t, height: h, width: w, dataRange: dataRange)
        let r = ssimRadius
        let (y0, y1) = h > 2 * r ? (r, h - r) : (0, h)
        let (x0, x1) = w > 2 * r ? (r, w - r) : (0, w)
        var s = 0.0
        for y in y0..<y1 { for x in x0..<x1 { s += map[y * w + x] } }
        return s / Double((y1 - y0) * (x1 - x0))
    }

    /// The four metrics of one frame [C, H, W] given as flat buffers.
    public static func frame(prediction p: UnsafePointer<Float>, truth t: UnsafePointer<Float>,
                             channels c: Int, height h: Int, width w: Int, dataRange: Double = 1) -> FrameMetrics {
        let n = c * h * w
        var se = 0.0, ae = 0.0
        for i in 0..<n {
            let e = Double(p[i]) - Double(t[i])
            se += e * e
            ae += Swift.abs(e)
        }
        var ssim = 0.0
        for ch in 0..<c {
            let o = ch * h * w
            let pp = (0..<(h * w)).map { Double(p[o + $0]) }, tt = (0..<(h * w)).map { Double(t[o + $0]) }
            ssim += Metrics.ssim(prediction: pp, truth: tt, height: h, width: w, dataRange: dataRange)
        }
        let psnr = 10 * PortableMath.log10((dataRange == 1 ? 1 : dataRange * dataRange) / (se / Double(n)))
        return FrameMetrics(mse: se, mae: ae, ssim: ssim / Double(c), psnr: psnr)
    }

    /// Metrics of every frame: prediction and truth [B, T, C, H, W] → [B][T].
    public static func perFrame(prediction: Tensor, truth: Tensor, dataRange: Double = 1) throws -> [[FrameMetrics]] {
        guard prediction.shape == truth.shape, prediction.rank == 5 else {
            throw ModelError.badInput(op: "metrics", detail: "prediction \(describeShape(prediction.shape)) and truth \(describeShape(truth.shape)) must both be [B, T, C, H, W]")
        }
        let b = prediction.shape[0], t = prediction.shape[1], c = prediction.shape[2], h = prediction.shape[3], w = prediction.shape[4]
        let frame = c * h * w
        var out = [[FrameMetrics]](repeating: [], count: b)
        var flat = [FrameMetrics](repeating: FrameMetrics(mse: 0, mae: 0, ssim: 0, psnr: 0), count: b * t)
        prediction.withContiguousData { pb in
            truth.withContiguousData { qb in
                let p = pb.baseAddress!, q = qb.baseAddress!
                flat.withUnsafeMutableBufferPointer { buf in
                    let dst = buf.baseAddress!
                    Parallel.forEach(b * t) { i, _ in
                        dst[i] = Metrics.frame(prediction: p + i * frame, truth: q + i * frame, channels: c, height: h, width: w, dataRange: dataRange)
                    }
                }
            }
        }
        for s in 0..<b { out[s] = Array(flat[(s * t)..<((s + 1) * t)]) }
        return out
    }
}

/// The contingency counts of one threshold and the scores they give.
public struct Contingency: Equatable, Sendable {
    public var threshold: Double
    public var hits: Double, misses: Double, falseAlarms: Double
    public var csi: Double { let d = hits + misses + falseAlarms; return d > 0 ? hits / d : .nan }
    public var pod: Double { let d = hits + misses; return d > 0 ? hits / d : .nan }
    public var far: Double { let d = hits + falseAlarms; return d > 0 ? falseAlarms / d : .nan }

    /// Counts of one prediction/truth pair (same shape, any layout).
    public static func count(prediction: Tensor, truth: Tensor, threshold: Double) -> Contingency {
        var h = 0, m = 0, f = 0
        prediction.withContiguousData { p in
            truth.withContiguousData { t in
                for i in 0..<p.count {
                    let yes = Double(p[i]) >= threshold, truly = Double(t[i]) >= threshold
                    if yes && truly { h += 1 } else if truly { m += 1 } else if yes { f += 1 }
                }
            }
        }
        return Contingency(threshold: threshold, hits: Double(h), misses: Double(m), falseAlarms: Double(f))
    }
}

/// Metrics averaged over sequences: means over every frame, and per-frame
/// curves over the horizon (element k: the k-th predicted frame).
public struct MetricReport: Equatable, Sendable {
    public var mse: Double, mae: Double, ssim: Double, psnr: Double
    public var mseCurve: [Double], maeCurve: [Double], ssimCurve: [Double], psnrCurve: [Double]
    /// Number of sequences averaged.
    public var sequences: Int
    /// Per threshold asked for, the counts over every pixel of every predicted frame.
    public var contingency: [Contingency] = []
    /// The data range L the SSIM and PSNR used.
    public var dataRange: Double = 1

    /// Averages per-frame metrics [sequence][frame] (all sequences the same length).
    public init(_ frames: [[FrameMetrics]]) {
        let t = frames.first?.count ?? 0
        func curve(_ f: (FrameMetrics) -> Double) -> [Double] {
            (0..<t).map { k in frames.reduce(0.0) { $0 + f($1[k]) } / Double(max(frames.count, 1)) }
        }
        mseCurve = curve(\.mse); maeCurve = curve(\.mae); ssimCurve = curve(\.ssim); psnrCurve = curve(\.psnr)
        func mean(_ c: [Double]) -> Double { c.isEmpty ? .nan : c.reduce(0, +) / Double(c.count) }
        mse = mean(mseCurve); mae = mean(maeCurve); ssim = mean(ssimCurve); psnr = mean(psnrCurve)
        sequences = frames.count
    }
}
