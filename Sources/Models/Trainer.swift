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
// Per step, in PyTorch's order: backward → the pre-clip global gradient norm
// (recorded; clipped to `clipNorm` when given, see GradClip) → the schedule's
// lr (and OneCycle's momentum) of this step → the optimizer update (weight
// decay inside it). Early stopping counts validations without a new best
// (strictly lower) validation loss; after `earlyStopPatience` of them training
// stops, and a run that ends (complete or early-stopped) leaves the model with
// the weights of the best validation step (`history.bestStep`).
// Per step: predictor input = the batch, target = frames frames_in ..<
// frames_in + frames_out; seq2seq as above (the reference's random window).
import Foundation
import TensorEngine

/// The optimizers `train(..., optimizer:)` accepts (PyTorch's update rules).
public enum OptimizerKind: String, CaseIterable, Sendable {
    case adam, sgd, adamw
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
    /// The learning-rate schedule (its base rate is `learningRate`).
    public var schedule: LRSchedule = .constant
    /// Clip the gradients to this global L2 norm (clip_grad_norm_); nil: never.
    public var clipNorm: Double? = nil
    /// L2 in the gradient (sgd, adam) or decoupled decay (adamw).
    public var weightDecay: Double = 0
    /// Stop after this many validations without a new best validation loss; nil: never.
    public var earlyStopPatience: Int? = nil

    /// Whether any option beyond constant-lr Adam/SGD is in use (the record then
    /// also keeps the lr and gradient-norm series).
    public var usesTrainingKnobs: Bool {
        schedule != .constant || clipNorm != nil || weightDecay != 0 || earlyStopPatience != nil || optimizer == .adamw
    }

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
    /// Early stopping ran out of patience; the model holds the best validation step.
    case earlyStopped = "early_stopped"
}

public struct TrainingHistory: Sendable {
    /// Step numbers (1-based) and their training losses, exactly as computed.
    public var steps: [Int] = []
    public var loss: [Float] = []
    /// Steps after which validation ran, and the validation losses.
    public var validationSteps: [Int] = []
    public var validationLoss: [Float] = []
    /// The learning rate of every step (the schedule's value, in Double).
    public var lr: [Double] = []
    /// The global L2 norm of every step's gradients before clipping.
    public var gradNorm: [Float] = []
    /// With early stopping: the step whose weights the model holds at the end.
    public var bestStep: Int? = nil
    /// Copied from the options: whether the record keeps `lr` and `gradNorm`.
    public var recordsKnobs = false
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
    /// The schedule of every step: lr and (OneCycle) momentum.
    public let schedulePlan: (lr: [Double], momentum: [Double]?)
    /// Early stopping's state (nil without early stopping).
    public internal(set) var earlyStop: EarlyStopState? = nil
    /// The processes sharing each step's batch (the host's MPI job, or this process alone).
    public var group: ProcessGroup = SingleProcess()

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
        if let c = options.clipNorm { guard c > 0, c.isFinite else { throw bad("clip must be a positive number, got \(c)") } }
        guard options.weightDecay >= 0, options.weightDecay.isFinite else { throw bad("weight_decay must be at least 0, got \(options.weightDecay)") }
        if let p = options.earlyStopPatience {
            guard p >= 1 else { throw bad("early_stop must be at least 1, got \(p)") }
            guard options.validateEvery != nil, validation != nil else {
                throw bad("early_stop: \(p) needs validation (validate: and every:), since it watches the validation loss")
            }
        }
        schedulePlan = try options.schedule.plan(steps: options.steps, lr: options.learningRate)
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
        let wd = Float(options.weightDecay)
        switch options.optimizer {
        case .adam: optimizer = Adam(parameters: model.parameters, learningRate: Float(options.learningRate), weightDecay: wd)
        case .adamw: optimizer = Adam(parameters: model.parameters, learningRate: Float(options.learningRate), weightDecay: wd, decoupled: true)
        case .sgd: optimizer = SGD(parameters: model.parameters, learningRate: Float(options.learningRate), weightDecay: wd)
        }
        if options.earlyStopPatience != nil { earlyStop = EarlyStopState() }
        history.recordsKnobs = options.usesTrainingKnobs
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

    /// (input, target) of step `s` from a loaded batch (the sampling mask is
    /// drawn once per step for the whole batch: Trainer+Leaves.swift).
    func example(step s: Int, batch: Tensor) throws -> (input: Tensor, target: Tensor) {
        let c = model.config
        switch c.mode {
        case .predictor:
            try model.checkFrames(batch, op: "train", minFrames: c.framesIn + c.framesOut)
            return (batch, try batch.slice(axis: 1, start: c.framesIn, length: c.framesOut))
        case .seq2seq:
            try model.checkFrames(batch, op: "train", minFrames: c.framesIn + 1)
            var ws = windowStream.split("step \(s)")
            let o = ws.nextInt(below: batch.shape[1] - c.framesIn)
            return (try batch.slice(axis: 1, start: o, length: c.framesIn),
                    try batch.slice(axis: 1, start: o + c.framesIn, length: 1))
        }
    }

    /// One training step. Returns its loss, or nil when the loss or a
    /// gradient was not finite, or `shouldStop` interrupted it during its
    /// forward pass (nothing was updated; the history says why).
    @discardableResult
    public func trainStep(shouldStop: (() -> Bool)? = nil) throws -> Float? {
        let s = step
        optimizer.zeroGrad()
        // Forward and backward per leaf (one sample) on this process's share of
        // the batch, gradients summed in leaf order on every rank (Trainer+Leaves.swift).
        let loss: Float
        switch try leafStep(step: s, shouldStop: shouldStop) {
        case .interrupted:
            stop(.interrupted, "training interrupted during step \(s + 1) of \(options.steps); the model keeps the weights of step \(s)")
            return nil
        case .nonFiniteLoss(let l):
            stop(.diverged, "training stopped at step \(s + 1): the loss is \(l); the model keeps the weights of step \(s)")
            return nil
        case .nonFiniteGradient(let name):
            optimizer.zeroGrad()
            stop(.diverged, "training stopped at step \(s + 1): the gradient of \(name) is not finite; the model keeps the weights of step \(s)")
            return nil
        case .loss(let l):
            loss = l
        }
        let (norm, lr) = try Trainer.update(optimizer, step: s, plan: schedulePlan, clipNorm: options.clipNorm)
        optimizer.zeroGrad()
        step = s + 1
        history.steps.append(step)
        history.loss.append(loss)
        history.lr.append(lr)
        history.gradNorm.append(Float(norm))
        return loss
    }

    /// The update of step `s` (0-based) from the gradients the parameters hold:
    /// the pre-clip global norm (clipped to `clipNorm` when given), the step's
    /// lr and momentum from `plan`, then the optimizer's update. Returns the
    /// norm and the lr.
    public static func update(_ optimizer: Optimizer, step s: Int, plan: (lr: [Double], momentum: [Double]?),
                              clipNorm: Double?) throws -> (norm: Double, lr: Double) {
        let norm = clipNorm.map { GradClip.clip(optimizer.parameters, maxNorm: $0) } ?? GradClip.totalNorm(optimizer.parameters)
        let lr = plan.lr[s]
        optimizer.learningRate = Float(lr)
        if let m = plan.momentum?[s] {
            if let adam = optimizer as? Adam { adam.beta1Schedule = m }
            if let sgd = optimizer as? SGD { sgd.momentum = Float(m) }
        }
        try optimizer.update()
        return (norm, lr)
    }

    func stop(_ status: TrainingStatus, _ message: String) {
        history.status = status
        history.message = message
    }

    /// The validation loss over the first `validationLimit` validation
    /// sequences: the training loss applied to all of them at once, with mean
    /// reduction the mean over every element, with sum reduction the sum per
    /// sequence. Predictor: no sampling; seq2seq: the first window. Computed
    /// in chunks of `batch` sequences spread over the group, added in chunk order.
    public func validate() throws -> Float {
        try validateInChunks()   // Trainer+Leaves.swift: chunks of `batch` sequences, spread over the group
    }

    /// Runs until `options.steps` steps are done, training stops on a non-finite
    /// value, or `shouldStop` returns true. It is checked before every step and
    /// before every recurrent step of the forward pass (an interrupted step
    /// changes nothing); backward passes run to their end. The samples' forward
    /// passes run side by side (Parallel.lanes), so `shouldStop` may be called
    /// from several threads at once: it must only read, or take a lock.
    public func run(progress: ((TrainingProgress) -> Void)? = nil, shouldStop: (() -> Bool)? = nil) throws -> TrainingHistory {
        history.status = .complete
        history.message = nil
        let t0 = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        let startSeconds = history.seconds
        while step < options.steps && earlyStop?.stopped != true {
            if try group.any(shouldStop?() == true) {   // every rank stops at the same step
                stop(.interrupted, "training interrupted after step \(step) of \(options.steps)")
                break
            }
            guard let loss = try trainStep(shouldStop: shouldStop) else { break }
            var vloss: Float? = nil
            if let every = options.validateEvery, step % every == 0 || step == options.steps {
                let v = try validate()
                history.validationSteps.append(step)
                history.validationLoss.append(v)
                vloss = v
                if let patience = options.earlyStopPatience { earlyStop?.observe(v, step: step, patience: patience, model: model) }
            }
            if let every = options.checkpointEvery, let path = options.checkpointPath, step % every == 0 {
                history.seconds = startSeconds + elapsed()
                try saveCheckpoint(to: path)
            }
            progress?(TrainingProgress(step: step, totalSteps: options.steps, loss: loss, validationLoss: vloss,
                                       samplingProbability: sampling?.probability(atStep: step - 1), elapsed: elapsed()))
        }
        history.seconds = startSeconds + elapsed()
        if let es = earlyStop {
            if es.stopped && history.status == .complete {
                stop(.earlyStopped, "early stopping after step \(step): no better validation loss in \(options.earlyStopPatience ?? 0) validations; the model holds the weights of step \(es.bestStep ?? 0)")
            }
            if history.status == .complete || history.status == .earlyStopped { es.restoreBest(into: model) }
            history.bestStep = es.bestStep
        }
        if history.status != .complete, options.checkpointEvery != nil, let path = options.checkpointPath {
            try saveCheckpoint(to: path)
        }
        return history
    }
}

func allFinite(_ p: UnsafeBufferPointer<Float>) -> Bool {
    var acc: Float = 0
    for x in p { acc += x * 0 }   // NaN·0 and ∞·0 are NaN
    return !acc.isNaN
}

/// Early stopping on the validation loss: the best (strictly lowest) loss so
/// far, its step and weights, and how many validations since brought none better.
public final class EarlyStopState {
    public internal(set) var bestLoss: Float? = nil
    public internal(set) var bestStep: Int? = nil
    public internal(set) var badCount = 0
    public internal(set) var stopped = false
    /// Copies of the parameters at `bestStep`, in `model.namedParameters` order.
    var bestWeights: [Tensor] = []

    func observe(_ loss: Float, step: Int, patience: Int, model: Model) {
        if let b = bestLoss, !(loss < b) {
            badCount += 1
            if badCount >= patience { stopped = true }
            return
        }
        if !loss.isFinite { badCount += 1; if badCount >= patience { stopped = true }; return }
        bestLoss = loss
        bestStep = step
        badCount = 0
        bestWeights = model.namedParameters.map { $0.tensor.detached() }
    }

    func restoreBest(into model: Model) {
        guard bestWeights.count == model.namedParameters.count else { return }
        for (p, b) in zip(model.namedParameters, bestWeights) {
            precondition(p.tensor.isContiguous && p.tensor.count == b.count, "parameter \(p.name) is not a plain buffer")
            p.tensor.withMutableData { dst in
                b.withContiguousData { src in
                    for j in 0..<src.count { dst[j] = src[j] }
                }
            }
        }
    }
}
