// RecordedTraining: a training call under a run record. The `train` built-in
// hands its Trainer construction to `RecordedTraining.train`, which asks the
// record for a plan (the call's name, checkpoint file and interval), writes
// checkpoints on the plan's wall-clock interval (CheckpointClock) and at the
// final step (the Trainer writes one when it stops early), and
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
                hold?.reached(step: p.step, rank: trainer.group.rank) { shouldStop?() ?? false }
            }, shouldStop: shouldStop)
        }
        let plan = hooks.beginTraining(totalSteps: options.steps)
        var opts = options
        if let file = plan.checkpointFile {
            opts.checkpointPath = file
            opts.checkpointEvery = Int.max   // the Trainer itself writes only when it stops early; the clock decides the rest
        }
        let trainer = try job.trainer(options: opts, checkpoint: plan.resumeFrom)
        let startSeconds = trainer.history.seconds
        var clock = CheckpointClock(seconds: plan.checkpointSeconds ?? CheckpointClock.defaultSeconds)
        var lastCheckpoint: Int?
        var failure: Error?
        let history = try trainer.run(progress: { p in
            progress?(p)
            guard failure == nil else { return }
            // On the clock, or where a test holds the job (its held step then has its checkpoint recorded).
            if let file = opts.checkpointPath, clock.isDue || hold?.wants(step: p.step) == true {
                do {
                    try trainer.saveCheckpoint(to: file, seconds: startSeconds + p.elapsed)
                    clock.restart()
                    lastCheckpoint = p.step
                    try hooks.trainingProgress(plan, series: TrainingSeries(trainer.history), step: p.step, checkpointed: true)
                } catch {
                    failure = error
                    return
                }
            }
            hold?.reached(step: p.step, rank: trainer.group.rank) { shouldStop?() ?? false }
        }, shouldStop: { failure != nil || plan.stopAtStep.map { trainer.step >= $0 } == true || (shouldStop?() ?? false) })
        if let failure { throw failure }
        var checkpointed = false
        if let file = opts.checkpointPath {
            if history.status != .complete {
                checkpointed = true   // the Trainer checkpoints when it stops early
            } else if lastCheckpoint != trainer.step {
                try trainer.saveCheckpoint(to: file)   // a finished call keeps its last step
                checkpointed = true
            }
        }
        try hooks.trainingProgress(plan, series: TrainingSeries(history), step: trainer.step, checkpointed: checkpointed)
        return history
    }
}
