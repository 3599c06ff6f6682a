// RecordedTraining: a training call under a run record. The `train` built-in
// hands its Trainer construction to `RecordedTraining.train`, which asks the
// record for a plan (the call's name, checkpoint file and interval), lets the
// Trainer checkpoint there, writes a last checkpoint at the final step, and
// reports the exact history after every checkpoint and on return. Under
// `kymo resume` the plan names the call's checkpoint and the Trainer
// continues from it — a finished call restores instantly, the interrupted one
// continues from its last checkpoint — so the finished record matches an
// uninterrupted run bit for bit. Without a record it simply trains.
// Deliberately not: choosing models, data or options (the built-in does).

import KymoLanguage
import Foundation
import Records
import Models

extension TrainingSeries {
    public init(_ h: TrainingHistory) {
        self.init(steps: h.steps, loss: h.loss, validationSteps: h.validationSteps, validationLoss: h.validationLoss,
                  lr: h.recordsKnobs ? h.lr : [], gradNorm: h.recordsKnobs ? h.gradNorm : [])
    }
}

/// What a training call trains: the model, its data and the processes that
/// share each step. RecordedTraining makes the Trainer from it — fresh, or
/// continued from the checkpoint the record names.
public struct TrainingJob {
    public var model: Model
    public var train: BatchSource
    public var validation: BatchSource?
    public var group: ProcessGroup

    public init(model: Model, train: BatchSource, validation: BatchSource?, group: ProcessGroup) {
        self.model = model
        self.train = train
        self.validation = validation
        self.group = group
    }

    /// A fresh Trainer, or one continued from `checkpoint`.
    func trainer(options: TrainingOptions, checkpoint: String?) throws -> Trainer {
        let t = try checkpoint.map {
            try Trainer.resume(model: model, train: train, validation: validation, options: options, checkpoint: $0)
        } ?? Trainer(model: model, train: train, validation: validation, options: options)
        t.group = group
        return t
    }
}

public enum RecordedTraining {
    /// Trains `job` with `options`. `progress` and `shouldStop` go to
    /// `Trainer.run`. Record errors (a full disk) stop training at the next
    /// step boundary and are thrown.
    public static func train(hooks: RunRecordHooks?, job: TrainingJob, options: TrainingOptions,
                             progress: ((TrainingProgress) -> Void)? = nil,
                             shouldStop: (() -> Bool)? = nil) throws -> TrainingHistory {
        var hold = StepHold()   // end-to-end tests only: see StepHold.swift
        guard let hooks else {
            let trainer = try job.trainer(options: options, checkpoint: nil)
            return try trainer.run(progress: { p in
                progress?(p)
                hold?.reached(step: p.step, checkpointEvery: nil, rank: trainer.group.rank) { shouldStop?() ?? false }
            }, shouldStop: shouldStop)
        }
        let plan = hooks.beginTraining(totalSteps: options.steps)
        var opts = options
        if let file = plan.checkpointFile {
            opts.checkpointPath = file
            opts.checkpointEvery = plan.checkpointEvery
        }
        let trainer = try job.trainer(options: opts, checkpoint: plan.resumeFrom)
        var failure: Error?
        let history = try trainer.run(progress: { p in
            progress?(p)
            defer { if failure == nil { hold?.reached(step: p.step, checkpointEvery: opts.checkpointPath == nil ? nil : opts.checkpointEvery,
                                                      rank: trainer.group.rank) { shouldStop?() ?? false } } }
            guard failure == nil, let every = opts.checkpointEvery, opts.checkpointPath != nil, p.step % every == 0 else { return }
            do {
                try hooks.trainingProgress(plan, series: TrainingSeries(trainer.history), step: p.step, checkpointed: true)
            } catch {
                failure = error
            }
        }, shouldStop: { failure != nil || plan.stopAtStep.map { trainer.step >= $0 } == true || (shouldStop?() ?? false) })
        if let failure { throw failure }
        var checkpointed = false
        if let every = opts.checkpointEvery, let file = opts.checkpointPath {
            if history.status != .complete {
                checkpointed = true   // the Trainer checkpoints when it stops early
            } else if trainer.step % every != 0 {
                try trainer.saveCheckpoint(to: file)   // a finished call keeps its last step
                checkpointed = true
            }
        }
        try hooks.trainingProgress(plan, series: TrainingSeries(history), step: trainer.step, checkpointed: checkpointed)
        return history
    }
}
