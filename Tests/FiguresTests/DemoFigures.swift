// DemoFigures: the four Kymo figures (plus the attention grid) built from
// synthetic data, and `renderDemoFigures(into:)`, which writes each as SVG,
// PDF and PNG. The data are formulas of their indices with a fixed integer
// hash for noise — no random generator, no clock — so the files are the same
// on every run. For looking at the figures and for checking the renderer;
// not a model of real training.

import Figures
import FiguresCairo
import Foundation

enum DemoFigures {
    /// The names `renderDemoFigures` writes, in order.
    public static let names = ["loss", "attention", "attention_grid", "frames", "metrics"]

    /// A figure by name (see `names`).
    public static func figure(named name: String) throws -> Figure {
        switch name {
        case "loss": return try lossCurves()
        case "attention": return try attention()
        case "attention_grid": return try attentionGrid()
        case "frames": return try predictionStrip()
        case "metrics": return try metricCurves()
        default: throw FigureError.invalidArgument("no demo figure named '\(name)'; known: \(names.joined(separator: ", "))")
        }
    }

    /// Three runs of noisy, decaying losses with validation points, log y, smoothed.
    public static func lossCurves() throws -> Figure {
        let specs: [(String, Double, Double, Double)] = [
            ("ConvLSTM", 0.080, 0.0180, 700), ("SA-ConvLSTM", 0.085, 0.0140, 600), ("SAM-ConvLSTM", 0.090, 0.0115, 550),
        ]
        var runs: [LossRun] = []
        for (r, (label, start, floor, tau)) in specs.enumerated() {
            let steps = (0...300).map { Double($0 * 10) }
            let loss = steps.enumerated().map { (i, s) in
                (floor + (start - floor) * exp(-s / tau)) * (1 + 0.22 * (Noise.unit(r, i) - 0.5))
            }
            let vSteps = stride(from: 250, through: 3000, by: 250).map(Double.init)
            let vLoss = vSteps.enumerated().map { (i, s) in
                (floor * 1.08 + (start - floor) * exp(-s / tau)) * (1 + 0.04 * (Noise.unit(r + 10, i) - 0.5))
            }
            runs.append(try LossRun(label: label, steps: steps, loss: loss, validationSteps: vSteps, validationLoss: vLoss))
        }
        return try LossPlot.figure(runs: runs, logY: true, smoothing: 0.8, title: "Training loss on Moving MNIST")
    }

    /// Ten 64×64 frames with 64×64 attention maps for the query (32, 32).
    public static func attention() throws -> Figure {
        let frames = (0..<10).map { Synthetic.frame(t: $0) }
        let query = PixelQuery(y: 32, x: 32)
        let maps = (0..<10).map { Synthetic.attentionMap(t: $0, query: query, size: 64) }
        return try AttentionPlot.figure(frames: frames, maps: maps, query: query,
                                        title: "SAM-ConvLSTM attention, layer 1, query (32, 32)")
    }

    /// Three query pixels × six frames, with 16×16 maps (patch 4) stretched over 64×64 frames.
    public static func attentionGrid() throws -> Figure {
        let frames = (0..<6).map { Synthetic.frame(t: $0) }
        let queries = [PixelQuery(y: 16, x: 16), PixelQuery(y: 32, x: 32), PixelQuery(y: 48, x: 40)]
        let maps = queries.map { q in (0..<6).map { Synthetic.attentionMap(t: $0, query: q, size: 16) } }
        return try AttentionPlot.grid(frames: frames, queries: queries, maps: maps,
                                      title: "Attention for three query pixels")
    }

    /// Ten ground-truth frames over blurred, fading predictions, with the error row.
    public static func predictionStrip() throws -> Figure {
        let truth = (10..<20).map { Synthetic.frame(t: $0) }
        let prediction = truth.enumerated().map { Synthetic.blurredPrediction($1, t: $0) }
        return try PredictionStrip.figure(truth: truth, prediction: prediction, showError: true,
                                          firstFrameNumber: 11, title: "Predicted frames 11–20")
    }

    /// Per-frame MSE and SSIM of three models over ten predicted frames.
    public static func metricCurves() throws -> Figure {
        let specs: [(String, Double, Double)] = [("ConvLSTM", 1.0, 1.0), ("SA-ConvLSTM", 0.86, 0.8), ("SAM-ConvLSTM", 0.78, 0.7)]
        let models = specs.enumerated().map { (m, spec) -> MetricCurves in
            let (label, scale, decay) = spec
            let mse = (0..<10).map { t in scale * (38 + 9.5 * Double(t) - 0.25 * Double(t * t)) * (1 + 0.03 * (Noise.unit(20 + m, t) - 0.5)) }
            let ssim = (0..<10).map { t in 0.93 - decay * 0.022 * Double(t) + 0.004 * (Noise.unit(30 + m, t) - 0.5) }
            return MetricCurves(label: label, mse: mse, ssim: ssim)
        }
        return try MetricPlot.figure(models: models, firstFrame: 11, title: "Prediction quality over the horizon")
    }
}

/// Renders every demo figure into `directory` as SVG, PDF and PNG and returns
/// the paths written, in `DemoFigures.names` order (svg, pdf, png for each).
/// The directory is created if missing.
func renderDemoFigures(into directory: String) throws -> [String] {
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
        throw FigureSaveError.cannotWrite(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
    }
    var paths: [String] = []
    for name in DemoFigures.names {
        let figure = try DemoFigures.figure(named: name)
        for format in FigureFormat.allCases {
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + "\(name).\(format.rawValue)"
            try figure.save(to: path)
            paths.append(path)
        }
    }
    return paths
}

/// Deterministic noise: SplitMix64 of (stream, index), as a value in 0..<1.
enum Noise {
    static func unit(_ stream: Int, _ index: Int) -> Double {
        var z = UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: index) &+ 0x632B_E59B_D9B4_E019
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

/// Moving-MNIST-like frames: a ring and a bar bouncing in a 64×64 box.
enum Synthetic {
    static let size = 64

    /// Position along a bouncing path in 0...span.
    static func bounce(_ start: Double, _ velocity: Double, _ t: Int, span: Double) -> Double {
        let p = (start + velocity * Double(t)).truncatingRemainder(dividingBy: 2 * span)
        let q = p < 0 ? p + 2 * span : p
        return q <= span ? q : 2 * span - q
    }

    static func centers(t: Int) -> (ring: (Double, Double), bar: (Double, Double)) {
        let ring = (12 + bounce(8, 3.1, t, span: 36), 12 + bounce(20, 2.3, t, span: 36))
        let bar = (12 + bounce(30, -2.6, t, span: 36), 14 + bounce(4, 2.9, t, span: 36))
        return (ring, bar)
    }

    static func frame(t: Int) -> FloatImage {
        let (ring, bar) = centers(t: t)
        var px = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                let dy = Double(y) + 0.5 - ring.0, dx = Double(x) + 0.5 - ring.1
                let d = (dx * dx + dy * dy).squareRoot()
                var v = exp(-pow((d - 8.5) / 1.9, 2))
                let by = abs(Double(y) + 0.5 - bar.0), bx = abs(Double(x) + 0.5 - bar.1)
                if by < 9.5 { v += exp(-pow(bx / 1.7, 2)) }
                px[y * size + x] = Float(min(1, v))
            }
        }
        return try! FloatImage(width: size, height: size, pixels: px)
    }

    /// Softmax-like weights: most mass near the ring, some near the query.
    static func attentionMap(t: Int, query: PixelQuery, size n: Int) -> FloatImage {
        let (ring, _) = centers(t: t)
        let scale = Double(size) / Double(n)
        var w = [Double](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let cy = (Double(y) + 0.5) * scale, cx = (Double(x) + 0.5) * scale
                let dr = pow(cy - ring.0, 2) + pow(cx - ring.1, 2)
                let dq = pow(cy - Double(query.y), 2) + pow(cx - Double(query.x), 2)
                w[y * n + x] = 0.15 + 3 * exp(-dr / 60) + 1.2 * exp(-dq / 30)
            }
        }
        let total = w.reduce(0, +)
        return try! FloatImage(width: n, height: n, pixels: w.map { Float($0 / total) })
    }

    /// A blurred, fading copy of `frame` with a little noise, as a weak model predicts.
    static func blurredPrediction(_ frame: FloatImage, t: Int) -> FloatImage {
        let n = frame.width, radius = 1 + t / 4
        var px = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                var s: Float = 0, c: Float = 0
                for yy in max(0, y - radius)...min(n - 1, y + radius) {
                    for xx in max(0, x - radius)...min(n - 1, x + radius) { s += frame[yy, xx]; c += 1 }
                }
                let noise = Float(0.04 * (Noise.unit(100 + t, y * n + x) - 0.5))
                px[y * n + x] = min(1, max(0, s / c * Float(1 - 0.04 * Double(t)) + noise))
            }
        }
        return try! FloatImage(width: n, height: n, pixels: px)
    }
}
