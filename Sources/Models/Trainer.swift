// The training loop: Adam (or SGD) over the model's parameters, batches drawn from a
// `BatchSource` by seeded per-epoch permutations, MSE or BCE with mean or sum
// reduction, the loss of every step recorded exactly, periodic validation,
// NaN/Inf detection that stops before the bad update (the weights stay those
// of the last good step), a cancellation check at step boundaries, a progress
// callback, and checkpoints from which a resumed run continues bit for bit.
//
// Every random choice is a function of (seed, step) alone:
//   batch indices  epoch e = ⌊(step·B + j) / N⌋ uses the permutation drawn from
//                  stream "train/batches" split "epoch e"
//   seq2seq window stream "train/window" split "step s": the offset o, so the
//                  input is frames o ..< o + frames_in and the target frame o + frames_in
//   sampling masks stream "train/sampling" split "step s" (predictor)
// so resuming needs only the step count, the weights and the optimizer state.
// Per step: predictor input = the batch, target = frames frames_in ..<
// frames_in + frames_out; seq2seq as above (the reference's random window).
import Foundation
import TensorEngine

/// The optimizers `train(..., optimizer:)` accepts (PyTorch's update rules).
public enum OptimizerKind: String, CaseIterable, Sendable {
    case adam, sgd
}

public struct TrainingOptions: Equatable, Sendable {
    public var steps: Int
    public var optimizer: OptimizerKind
    public var batchSize: Int
    public var learningRate: Double
    public var loss: LossKind
    public var reduction: Reduction
    /// Validate every this many steps (and after the last step); nil: never.
    public var validateEvery: Int?
    /// At most this many validation sequences (the first ones); nil: all.
    public var validationLimit: Int?
    /// Predictor only; nil: `SamplingSchedule.standard(totalSteps: steps)`.
    public var sampling: SamplingSchedule?
    /// Write a checkpoint to `checkpointPath` every this many steps (and when stopping).
    public var checkpointEvery: Int?
    public var checkpointPath: String?
    /// Seed of the batch order, windows and sampling masks.
    public var seed: UInt64

    public init(steps: Int, optimizer: OptimizerKind = .adam, batchSize: Int = 8, learningRate: Double = 1e-3, loss: LossKind = .mse,
                reduction: Reduction = .mean, validateEvery: Int? = nil, validationLimit: Int? = nil,
                sampling: SamplingSchedule? = nil, checkpointEvery: Int? = nil, checkpointPath: String? = nil,
                seed: UInt64 = 0) {
        self.steps = steps
        self.optimizer = optimizer
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.loss = loss
        self.reduction = reduction
        self.validateEvery = validateEvery
        self.validationLimit = validationLimit
        self.sampling = sampling
        self.checkpointEvery = checkpointEvery
        self.checkpointPath = checkpointPath
        self.seed = seed
    }
}

public enum TrainingStatus: String, Sendable {
    /// All requested steps ran.
    case complete
    /// `shouldStop` asked to stop (Ctrl-C); the model holds the last completed step.
    case interrupted
    /// A loss or gradient was NaN or infinite; the model holds the last good step.
    case diverged
}

public struct TrainingHistory: Sendable {
    /// Step numbers (1-based) and their training losses, exactly as computed.
    public var steps: [Int] = []
    public var loss: [Float] = []
    /// Steps after which validation ran, and the validation losses.
    public var validationSteps: [Int] = []
    public var validationLoss: [Float] = []
    public var status: TrainingStatus = .complete
    /// Why training stopped early (diverged / interrupted), for the user.
    public var message: String? = nil
    /// Wall time of the steps run by this process (never compared).
    public var seconds: Double = 0

    /// An empty history (load_sweep rebuilds one from a record's loss series).
    public init() {}
}

public struct TrainingProgress: Sendable {
    public let step: Int
    public let totalSteps: Int
    public let loss: Float
    /// Set on steps where validation ran.
    public let validationLoss: Float?
    public let samplingProbability: Double?
    public let elapsed: Double
}

public final class Trainer {
    public let model: Model
    public let options: TrainingOptions
    /// Adam (β 0.9/0.999, ε 1e-8) or plain SGD, over `model.parameters`.
    public let optimizer: Optimizer
    /// The schedule in force (predictor), resolved from the options.
    public let sampling: SamplingSchedule?
    public internal(set) var history = TrainingHistory()
    /// Completed steps.
    public internal(set) var step = 0
    let train: BatchSource
    let validation: BatchSource?
    let batchStream: RandomStream, windowStream: RandomStream, samplingStream: RandomStream
    var epochCache: (epoch: Int, order: [Int])? = nil
    /// The cancellation check of the running `run` (also consulted inside forward passes).
    var interruptCheck: (() -> Bool)? = nil

    public init(model: Model, train: BatchSource, validation: BatchSource? = nil, options: TrainingOptions) throws {
        func bad(_ s: String) -> ModelError { .invalidOption(op: "train", detail: s) }
        guard options.steps >= 0 else { throw bad("steps must be at least 0, got \(options.steps)") }
        guard options.batchSize >= 1 else { throw bad("batch must be at least 1, got \(options.batchSize)") }
        guard options.learningRate > 0, options.learningRate.isFinite else { throw bad("lr must be a positive number, got \(options.learningRate)") }
        guard train.count >= 1 else { throw bad("the training set is empty") }
        if let e = options.validateEvery {
            guard e >= 1 else { throw bad("every must be at least 1, got \(e)") }
            guard let v = validation, v.count >= 1 else { throw bad("every: \(e) asks for validation, but no validation set was given") }
        }
        if let e = options.checkpointEvery, e < 1 { throw bad("checkpoint interval must be at least 1, got \(e)") }
        if options.checkpointEvery != nil && options.checkpointPath == nil { throw bad("a checkpoint interval needs a checkpoint path") }
        if options.loss == .bce && model.mode == .predictor {
            throw bad("bce needs outputs in (0, 1), but a predictor's head is a plain 1×1 convolution; use loss: \"mse\"")
        }
        if model.mode == .seq2seq, options.sampling != nil, options.sampling != .off {
            throw bad("sampling (scheduled sampling) is a predictor option; a seq2seq model always reads true frames")
        }
        self.model = model
        self.options = options
        self.train = train
        self.validation = validation
        sampling = model.mode == .predictor ? (options.sampling ?? .standard(totalSteps: options.steps)) : nil
        try sampling?.validate()
        switch options.optimizer {
        case .adam: optimizer = Adam(parameters: model.parameters, learningRate: Float(options.learningRate))
        case .sgd: optimizer = SGD(parameters: model.parameters, learningRate: Float(options.learningRate))
        }
        batchStream = RandomStream(seed: options.seed, name: "train/batches")
        windowStream = RandomStream(seed: options.seed, name: "train/window")
        samplingStream = RandomStream(seed: options.seed, name: "train/sampling")
    }

    /// Sequence indices of step `s` (0-based): consecutive slices of per-epoch permutations.
    public func batchIndices(step s: Int) -> [Int] {
        let n = train.count, b = options.batchSize
        return (0..<b).map { j in
            let pos = s * b + j
            let epoch = pos / n
            if epochCache?.epoch != epoch {
                var st = batchStream.split("epoch \(epoch)")
                epochCache = (epoch, st.permutation(n))
            }
            return epochCache!.order[pos % n]
        }
    }

    /// (input, target, sampling mask) of step `s` from a loaded batch.
    func example(step s: Int, batch: Tensor) throws -> (input: Tensor, target: Tensor, mask: SamplingMask?) {
        let c = model.config
        switch c.mode {
        case .predictor:
            try model.checkFrames(batch, op: "train", minFrames: c.framesIn + c.framesOut)
            let target = try batch.slice(axis: 1, start: c.framesIn, length: c.framesOut)
            let mask = sampling?.mask(step: s, batch: batch.shape[0], framesOut: c.framesOut, stream: samplingStream)
            return (batch, target, mask)
        case .seq2seq:
            try model.checkFrames(batch, op: "train", minFrames: c.framesIn + 1)
            var ws = windowStream.split("step \(s)")
            let o = ws.nextInt(below: batch.shape[1] - c.framesIn)
            return (try batch.slice(axis: 1, start: o, length: c.framesIn),
                    try batch.slice(axis: 1, start: o + c.framesIn, length: 1), nil)
        }
    }

    /// One training step. Returns its loss, or nil when the loss or a
    /// gradient was not finite, or the step was interrupted during its forward
    /// pass (nothing was updated; the history says why).
    @discardableResult
    public func trainStep() throws -> Float? {
        let s = step
        let batch = try train.load(batchIndices(step: s))
        let (input, target, mask) = try example(step: s, batch: batch)
        optimizer.zeroGrad()
        model.interruptCheck = interruptCheck
        defer { model.interruptCheck = nil }
        let output: Tensor
        do {
            output = try model.forward(input, sampling: mask)
        } catch is ModelInterrupted {
            stop(.interrupted, "training interrupted during step \(s + 1) of \(options.steps); the model keeps the weights of step \(s)")
            return nil
        }
        let lossT = try model.loss(output, target.contiguous(), kind: options.loss, reduction: options.reduction)
        let loss = try lossT.item()
        guard loss.isFinite else {
            stop(.diverged, "training stopped at step \(s + 1): the loss is \(loss); the model keeps the weights of step \(s)")
            return nil
        }
        try lossT.backward()
        for (name, p) in model.namedParameters {
            if let g = p.grad, !allFinite(g) {
                optimizer.zeroGrad()
                stop(.diverged, "training stopped at step \(s + 1): the gradient of \(name) is not finite; the model keeps the weights of step \(s)")
                return nil
            }
        }
        try optimizer.update()
        optimizer.zeroGrad()
        step = s + 1
        history.steps.append(step)
        history.loss.append(loss)
        return loss
    }

    func stop(_ status: TrainingStatus, _ message: String) {
        history.status = status
        history.message = message
    }

    /// The validation loss over the first `validationLimit` validation
    /// sequences: the training loss applied to all of them at once, with mean
    /// reduction the mean over every element, with sum reduction the sum per
    /// sequence. Predictor: no sampling; seq2seq: the first window.
    public func validate() throws -> Float {
        guard let v = validation else { throw ModelError.invalidOption(op: "validate", detail: "no validation set") }
        let c = model.config
        let total = min(options.validationLimit ?? v.count, v.count)
        var sum = 0.0, elements = 0
        try withNoGrad {
            var start = 0
            while start < total {
                let idx = Array(start..<min(start + options.batchSize, total))
                let batch = try v.load(idx)
                let input: Tensor, target: Tensor
                switch c.mode {
                case .predictor:
                    try model.checkFrames(batch, op: "validate", minFrames: c.framesIn + c.framesOut)
                    input = batch
                    target = try batch.slice(axis: 1, start: c.framesIn, length: c.framesOut)
                case .seq2seq:
                    try model.checkFrames(batch, op: "validate", minFrames: c.framesIn + 1)
                    input = try batch.slice(axis: 1, start: 0, length: c.framesIn)
                    target = try batch.slice(axis: 1, start: c.framesIn, length: 1)
                }
                let out = try model.forward(input)
                sum += Double(try model.loss(out, target.contiguous(), kind: options.loss, reduction: .sum).item())
                elements += out.count
                start += idx.count
            }
        }
        return Float(options.reduction == .mean ? sum / Double(max(elements, 1)) : sum / Double(max(total, 1)))
    }

    /// Runs until `options.steps` steps are done, training stops on a non-finite
    /// value, or `shouldStop` returns true. It is checked before every step and
    /// before every recurrent step of the forward pass (an interrupted step
    /// changes nothing); backward passes run to their end.
    public func run(progress: ((TrainingProgress) -> Void)? = nil, shouldStop: (() -> Bool)? = nil) throws -> TrainingHistory {
        history.status = .complete
        history.message = nil
        let t0 = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        let startSeconds = history.seconds
        interruptCheck = shouldStop
        defer { interruptCheck = nil }
        while step < options.steps {
            if shouldStop?() == true {
                stop(.interrupted, "training interrupted after step \(step) of \(options.steps)")
                break
            }
            guard let loss = try trainStep() else { break }
            var vloss: Float? = nil
            if let every = options.validateEvery, step % every == 0 || step == options.steps {
                let v = try validate()
                history.validationSteps.append(step)
                history.validationLoss.append(v)
                vloss = v
            }
            if let every = options.checkpointEvery, let path = options.checkpointPath, step % every == 0 {
                history.seconds = startSeconds + elapsed()
                try saveCheckpoint(to: path)
            }
            progress?(TrainingProgress(step: step, totalSteps: options.steps, loss: loss, validationLoss: vloss,
                                       samplingProbability: sampling?.probability(atStep: step - 1), elapsed: elapsed()))
        }
        history.seconds = startSeconds + elapsed()
        if history.status != .complete, options.checkpointEvery != nil, let path = options.checkpointPath {
            try saveCheckpoint(to: path)
        }
        return history
    }
}

func allFinite(_ t: Tensor) -> Bool {
    let c = t.contiguous()
    let p = c.data
    var acc: Float = 0
    for i in 0..<c.count { acc += p[i] * 0 }   // NaN·0 and ∞·0 are NaN
    return !acc.isNaN
}
