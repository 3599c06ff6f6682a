// Training checkpoints: one safetensors file holding everything a run needs to
// continue bit for bit —
//   model.<parameter name>        the weights (state_dict names)
//   optimizer.<state>.<i>        Adam's exp_avg/exp_avg_sq (SGD: momentum_buffer), parameter order
//   history.loss [steps]          every recorded training loss, exact F32 bits
//   history.validation_loss [k]   and validation losses
//   history.grad_norm [steps]     every step's pre-clip gradient norm
//   early_stop.<parameter name>  with early stopping: the weights of the best validation step
// and in the metadata: the config JSON, the completed step and Adam's step,
// the determinism-relevant options (optimizer, batch, lr, loss, reduction, seed, sampling
// schedule), the random streams (key and position; every draw is derived from
// them and the step number), validation steps and accumulated seconds; with
// early stopping its state (best loss bits, best step, bad count, stopped).
// The schedule is not stored: its rates are a function of the options (in the
// key), recomputed on resume.
// Written atomically, so an interrupted write leaves the previous checkpoint.
import Foundation
import TensorEngine

extension Trainer {
    static let formatKey = "kymo.checkpoint"
    static let formatVersion = "1"

    /// What a resumed run must agree on to continue bit for bit.
    var determinismKey: String {
        "optimizer=\(options.optimizer.rawValue) batch=\(options.batchSize) lr=\(options.learningRate.bitPattern) loss=\(options.loss.rawValue) "
            + "reduction=\(options.reduction.rawValue) seed=\(options.seed) sampling=\(sampling?.text ?? "n/a")" + knobsKey
    }

    /// The schedule, clipping, weight decay and early stopping (empty when none is used,
    /// so checkpoints of plain runs keep their key).
    var knobsKey: String {
        guard options.usesTrainingKnobs else { return "" }
        var k = " schedule=[\(options.schedule.text)]"
        if options.schedule != .constant { k += " schedule_steps=\(options.steps)" }
        k += " clip=\(options.clipNorm.map { "\($0.bitPattern)" } ?? "none") weight_decay=\(options.weightDecay.bitPattern)"
        k += " early_stop=\(options.earlyStopPatience.map(String.init) ?? "none")"
        return k
    }

    func streamText(_ s: RandomStream) -> String { "\(s.key):\(s.position)" }

    /// Writes the checkpoint of the current step to `path`, with `seconds` of
    /// training so far (a checkpoint written between `run`'s own updates of the time).
    public func saveCheckpoint(to path: String, seconds: Double) throws {
        history.seconds = seconds
        try saveCheckpoint(to: path)
    }

    /// Writes the checkpoint of the current step to `path`.
    public func saveCheckpoint(to path: String) throws {
        var tensors: [(name: String, tensor: Tensor)] = model.namedParameters.map { ("model." + $0.name, $0.tensor) }
        tensors += optimizer.stateTensors().map { ("optimizer." + $0.name, $0.tensor) }
        tensors.append(("history.loss", try Tensor(history.loss, shape: [history.loss.count])))
        tensors.append(("history.validation_loss", try Tensor(history.validationLoss, shape: [history.validationLoss.count])))
        tensors.append(("history.grad_norm", try Tensor(history.gradNorm, shape: [history.gradNorm.count])))
        if let es = earlyStop {
            tensors += zip(model.namedParameters, es.bestWeights).map { ("early_stop." + $0.0.name, $0.1) }
        }
        var meta: [String: String] = [
            Trainer.formatKey: Trainer.formatVersion,
            "config": model.config.json,
            "step": "\(step)",
            "optimizer.step": "\(optimizer.step)",
            "options": determinismKey,
            "streams": [batchStream, windowStream, samplingStream].map(streamText).joined(separator: ","),
            "history.validation_steps": history.validationSteps.map(String.init).joined(separator: ","),
            "history.seconds": "\(history.seconds)",
        ]
        if let es = earlyStop {
            meta["early_stop"] = "best=\(es.bestLoss.map { String($0.bitPattern) } ?? "none") step=\(es.bestStep.map(String.init) ?? "none") "
                + "bad=\(es.badCount) stopped=\(es.stopped ? 1 : 0)"
        }
        try Safetensors.write(SafetensorsFile(tensors: tensors, metadata: meta), path: path)
    }

    /// A trainer that continues the run saved in `path`: the model's weights,
    /// Adam's state, the step and the history are restored. The model's config
    /// and the options that decide the numbers (batch, lr, loss, reduction,
    /// seed, sampling) must match the saved ones; `options.steps` may be larger.
    public static func resume(model: Model, train: BatchSource, validation: BatchSource? = nil,
                              options: TrainingOptions, checkpoint path: String) throws -> Trainer {
        let file = try Safetensors.read(path: path)
        func bad(_ s: String) -> ModelError { .checkpoint(path: path, detail: s) }
        guard file.metadata[formatKey] == formatVersion else { throw bad("not a Kymo training checkpoint (no \(formatKey) \(formatVersion) metadata)") }
        guard let cfgText = file.metadata["config"], let saved = try? ModelConfig(json: cfgText) else { throw bad("no readable model config") }
        guard saved == model.config else {
            throw bad("saved from a different model (\(saved.summary)); this one is \(model.config.summary)")
        }
        var opts = options
        if opts.sampling == nil, let key = file.metadata["options"], let r = key.range(of: "sampling=") {
            let rest = key[r.upperBound...]
            let end = rest.range(of: " schedule=")?.lowerBound ?? rest.endIndex   // the knobs follow the sampling schedule
            opts.sampling = SamplingSchedule(text: String(rest[..<end]))   // keep the saved schedule
        }
        let trainer = try Trainer(model: model, train: train, validation: validation, options: opts)
        guard file.metadata["options"] == trainer.determinismKey else {
            throw bad("saved with options \(file.metadata["options"] ?? "?"), resumed with \(trainer.determinismKey); the run would not continue identically")
        }
        guard let step = file.metadata["step"].flatMap(Int.init), let adamStep = file.metadata["optimizer.step"].flatMap(Int.init) else {
            throw bad("no step count")
        }
        guard step <= opts.steps else { throw bad("already at step \(step), beyond the \(opts.steps) steps asked for") }
        let expectedStreams = [trainer.batchStream, trainer.windowStream, trainer.samplingStream].map(trainer.streamText).joined(separator: ",")
        guard file.metadata["streams"] == expectedStreams else { throw bad("random streams differ from this run's (another seed?)") }
        // weights: same names and shapes, nothing missing
        let weights = SafetensorsFile(tensors: file.tensors.filter { $0.name.hasPrefix("model.") }
            .map { (String($0.name.dropFirst("model.".count)), $0.tensor) })
        try model.load(weights, path: path)
        var state: [String: Tensor] = [:]
        for (name, t) in file.tensors where name.hasPrefix("optimizer.") { state[String(name.dropFirst("optimizer.".count))] = t }
        try trainer.optimizer.restore(state: state, step: adamStep)
        guard let losses = file["history.loss"], losses.count == step, let vl = file["history.validation_loss"] else {
            throw bad("history does not match step \(step)")
        }
        trainer.history.loss = losses.toArray()
        trainer.history.steps = (0..<step).map { $0 + 1 }
        trainer.history.validationLoss = vl.toArray()
        let vsteps = (file.metadata["history.validation_steps"] ?? "").split(separator: ",").compactMap { Int($0) }
        guard vsteps.count == vl.count else { throw bad("validation history is inconsistent") }
        trainer.history.validationSteps = vsteps
        trainer.history.seconds = file.metadata["history.seconds"].flatMap(Double.init) ?? 0
        trainer.history.lr = Array(trainer.schedulePlan.lr[0..<step])
        if let g = file["history.grad_norm"] {
            guard g.count == step else { throw bad("gradient-norm history does not match step \(step)") }
            trainer.history.gradNorm = g.toArray()
        }
        if let es = trainer.earlyStop {
            guard let text = file.metadata["early_stop"] else { throw bad("no early-stopping state") }
            var fields: [String: String] = [:]
            for part in text.split(separator: " ") {
                let kv = part.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            guard let bad0 = fields["bad"].flatMap(Int.init), let stopped = fields["stopped"] else { throw bad("unreadable early-stopping state \(text)") }
            es.badCount = bad0
            es.stopped = stopped == "1"
            es.bestLoss = fields["best"].flatMap(UInt32.init).map(Float.init(bitPattern:))
            es.bestStep = fields["step"].flatMap(Int.init)
            if es.bestStep != nil {
                es.bestWeights = try model.namedParameters.map { p in
                    guard let t = file["early_stop." + p.name], t.shape == p.tensor.shape else { throw bad("best weights of \(p.name) are missing") }
                    return t.detached()
                }
            }
        }
        trainer.step = step
        return trainer
    }
}
