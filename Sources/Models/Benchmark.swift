// The training-speed benchmark behind `kymo bench models`: for each case, a
// few Adam training steps, reporting the median seconds per step, a GFLOP/s
// estimate and the peak resident memory. Two Kymo steps are timed:
//   train   what `train(...)` runs (Trainer.trainStep): one forward and
//           backward per sample (a leaf), gradients summed in sample order, so
//           that any number of processes gives the same bits (docs/engine.md,
//           "Many processes") — the number to compare
//   batch   zero grads, one forward of the whole batch, loss, backward, update:
//           the step PyTorch's reference/bench_torch.py times, and what the
//           leaf decomposition costs against it
// Cases (the issue's and the paper notebook's shapes):
//   (a) predictor: 64×64×1 frames in 4×4 patches (16×16×16), 2 layers of 32,
//       batch 8, 10 → 10 frames, MSE mean
//   (b) seq2seq: 32×32×1, 2 layers of 32, batch 4, 10 input frames, BCE sum
// FLOPs are counted analytically (multiply-adds × 2 of every convolution,
// attention product and head) for one forward pass, and a training step is
// taken as 3× that (forward + backward's two products), the usual convention;
// elementwise work is not counted. Peak memory is VmHWM from
// /proc/self/status, reset before each case through /proc/self/clear_refs
// when the kernel allows it (otherwise the process-wide peak so far).
// Timing is never a correctness check; tests do not call this.
import Foundation
import TensorEngine

public struct TrainingBenchmarkCase: Sendable {
    public var name: String
    public var config: ModelConfig
    public var batch: Int
    public var loss: LossKind
    public var reduction: Reduction

    public init(name: String, config: ModelConfig, batch: Int, loss: LossKind, reduction: Reduction) {
        self.name = name
        self.config = config
        self.batch = batch
        self.loss = loss
        self.reduction = reduction
    }

    /// The six standard cases: (a) predictor and (b) seq2seq for each family,
    /// attention width 8 as in notebooks/paper.kymo.
    public static func standard(attentionHidden: Int = 8) -> [TrainingBenchmarkCase] {
        var cases: [TrainingBenchmarkCase] = []
        for f in ModelFamily.allCases {
            cases.append(.init(name: "predictor_\(f.rawValue)",
                               config: ModelConfig(family: f, mode: .predictor, layers: 2, hidden: 32, kernel: 3, size: 64, channels: 1,
                                                   patch: 4, framesIn: 10, framesOut: 10, activation: .tanh, attentionHidden: attentionHidden),
                               batch: 8, loss: .mse, reduction: .mean))
        }
        for f in ModelFamily.allCases {
            cases.append(.init(name: "seq2seq_\(f.rawValue)",
                               config: ModelConfig(family: f, mode: .seq2seq, layers: 2, hidden: 32, kernel: 3, size: 32, channels: 1,
                                                   patch: 1, framesIn: 10, framesOut: 10, activation: .relu, attentionHidden: attentionHidden),
                               batch: 4, loss: .bce, reduction: .sum))
        }
        return cases
    }

    /// The standard cases shrunk for a quick check (`kymo bench models --quick`):
    /// 32×32 frames (predictor: patch 2), 16 hidden channels, batch 2, 5 → 5
    /// frames (layer counts and losses as in the standard cases). Seconds.
    public static func reduced(attentionHidden: Int = 8) -> [TrainingBenchmarkCase] {
        standard(attentionHidden: attentionHidden).map { c in
            var c = c
            c.config.size = 32
            if c.config.mode == .predictor { c.config.patch = 2 }
            c.config.hidden = 16
            c.config.framesIn = 5
            c.config.framesOut = 5
            c.batch = 2
            return c
        }
    }
}

public struct TrainingBenchmarkResult: Sendable {
    public let name: String
    public let summary: String
    public let parameters: Int
    public let batch: Int
    /// Median over the timed training steps (Trainer.trainStep: per-sample leaves).
    public let secondsPerStep: Double
    public let stepSeconds: [Double]
    /// Median over the timed whole-batch steps (PyTorch's step).
    public let batchSecondsPerStep: Double
    /// Median process CPU time per step (all threads): on a shared machine,
    /// CPU time / threads shows what the step would take with the cores to itself.
    public let cpuSecondsPerStep: Double
    /// Estimated FLOPs of one training step (3 × forward).
    public let flopsPerStep: Double
    public var gflops: Double { flopsPerStep / secondsPerStep / 1e9 }
    public var stepsPerSecond: Double { 1 / secondsPerStep }
    /// Peak resident set (bytes) during the case; nil when /proc is unavailable.
    public let peakRSS: Int?
    /// Whether the peak was reset before the case (else it is the process's peak so far).
    public let peakIsPerCase: Bool
    /// The last step's loss (a sanity value).
    public let lastLoss: Float
    public let threads: Int
}

/// Runs every case: `warmup` untimed steps, then `steps` timed ones.
public func benchmarkTraining(cases: [TrainingBenchmarkCase] = TrainingBenchmarkCase.standard(), steps: Int = 3,
                              warmup: Int = 1, threads: Int? = nil, seed: UInt64 = 0,
                              progress: ((String) -> Void)? = nil) throws -> [TrainingBenchmarkResult] {
    guard steps >= 1, warmup >= 0 else { throw ModelError.invalidOption(op: "bench", detail: "steps must be ≥ 1 and warmup ≥ 0") }
    if let threads { Engine.configure(threads: threads) }
    var results: [TrainingBenchmarkResult] = []
    for bc in cases {
        let reset = resetPeakRSS()
        let model = try Model(config: bc.config, seed: seed)
        let c = bc.config
        var stream = RandomStream(seed: seed, name: "bench/data/\(bc.name)")
        let inFrames = c.framesIn
        let outFrames = c.mode == .predictor ? c.framesOut : 1
        let x = Tensor.uniform([bc.batch, inFrames, c.channels, c.height, c.width], stream: &stream)
        let y = Tensor.uniform([bc.batch, outFrames, c.channels, c.height, c.width], stream: &stream)
        let adam = Adam(parameters: model.parameters, learningRate: 1e-3)
        var last: Float = 0
        func step() throws {
            adam.zeroGrad()
            let loss = try model.loss(try model.forward(x), y, kind: bc.loss, reduction: bc.reduction)
            last = try loss.item()
            try loss.backward()
            try adam.update()
        }
        progress?("\(bc.name): \(model.description)")
        // (1) The whole-batch step.
        for _ in 0..<warmup { try step() }
        var batchTimes: [Double] = []
        for i in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try step()
            batchTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            progress?("\(bc.name): batch step \(i + 1)/\(steps) \(String(format: "%.3f", batchTimes.last!)) s, loss \(last)")
        }
        adam.zeroGrad()
        // (2) The step train(...) runs, on a batch of sequences of the same shapes.
        let frames = c.mode == .predictor ? c.framesIn + c.framesOut : c.framesIn + 1
        let sequences = Tensor.uniform([bc.batch, frames, c.channels, c.height, c.width], stream: &stream)
        let options = TrainingOptions(steps: warmup + steps, optimizer: .adam, batchSize: bc.batch, learningRate: 1e-3,
                                      loss: bc.loss, reduction: bc.reduction, seed: seed)
        let trainer = try Trainer(model: try Model(config: c, seed: seed), train: try BatchSource(sequences: sequences), options: options)
        for _ in 0..<warmup { try trainer.trainStep() }
        var times: [Double] = [], cpu: [Double] = []
        for i in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUSeconds()
            let l = try trainer.trainStep()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            cpu.append(processCPUSeconds() - c0)
            progress?("\(bc.name): train step \(i + 1)/\(steps) \(String(format: "%.3f", times.last!)) s, loss \(l ?? .nan)")
        }
        let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
        results.append(TrainingBenchmarkResult(
            name: bc.name, summary: c.summary, parameters: model.parameterCount, batch: bc.batch,
            secondsPerStep: median(times), stepSeconds: times, batchSecondsPerStep: median(batchTimes),
            cpuSecondsPerStep: median(cpu),
            flopsPerStep: 3 * forwardFLOPs(c, batch: bc.batch), peakRSS: peakRSS(), peakIsPerCase: reset,
            lastLoss: last, threads: Engine.threads))
    }
    return results
}

/// FLOPs (2 × multiply-adds) of one forward pass over a batch: convolutions,
/// attention products, heads. Elementwise work is not counted.
public func forwardFLOPs(_ c: ModelConfig, batch: Int) -> Double {
    let n = Double(c.gridPositions), k2 = Double(c.kernel * c.kernel), ch = Double(c.hidden), d = Double(c.attentionHidden)
    func conv(_ cin: Double, _ cout: Double, _ taps: Double = 1) -> Double { 2 * cin * cout * taps * n }
    func attention(_ v: Double) -> Double { 2 * d * n * n + 2 * v * n * n }
    var perStep = 0.0
    for layer in 1...c.layers {
        let cin = Double(layer == 1 ? c.inputChannels : c.hidden)
        perStep += conv(cin + ch, 4 * ch, k2)
        switch c.family {
        case .convlstm: break
        case .saConvlstm:
            for m in [cin, ch] { perStep += 2 * conv(m, d) + 2 * conv(m, m) + attention(m) }
        case .samConvlstm:
            perStep += 3 * conv(ch, d) + 4 * conv(ch, ch) + conv(2 * ch, 2 * ch) + conv(3 * ch, 3 * ch) + 2 * attention(ch)
        }
    }
    var total = perStep * Double(c.steps)
    switch c.mode {
    case .predictor: total += conv(ch, Double(c.inputChannels)) * Double(c.steps)
    case .seq2seq: total += 2 * ch * Double(c.channels) * 27 * n * Double(min(2, c.framesIn))
    }
    return total * Double(batch)
}

/// CPU time of this process (all threads), in seconds.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// VmHWM (peak resident set) of this process in bytes, from /proc/self/status.
public func peakRSS() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first
        return kb.map { $0 * 1024 }
    }
    return nil
}

/// Resets VmHWM to the current resident set (Linux: "5" into /proc/self/clear_refs).
@discardableResult
public func resetPeakRSS() -> Bool {
    guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? h.close() }
    do { try h.write(contentsOf: Data("5".utf8)); return true } catch { return false }
}
