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

import Foundation
import Records
import Models

extension TrainingSeries {
    public init(_ h: TrainingHistory) {
        self.init(steps: h.steps, loss: h.loss, validationSteps: h.validationSteps, validationLoss: h.validationLoss,
                  lr: h.recordsKnobs ? h.lr : [], gradNorm: h.recordsKnobs ? h.gradNorm : [])
    }
}

public enum RecordedTraining {
    /// Trains with `make(options, checkpoint)` — which must return
    /// `Trainer.resume(…, options: options, checkpoint: checkpoint!)` when
    /// `checkpoint` is given and `Trainer(…, options: options)` otherwise.
    /// `progress` and `shouldStop` go to `Trainer.run`. Record errors (a full
    /// disk) stop training at the next step boundary and are thrown.
    public static func train(hooks: RunRecordHooks?, options: TrainingOptions,
                             make: (TrainingOptions, String?) throws -> Trainer,
                             progress: ((TrainingProgress) -> Void)? = nil,
                             shouldStop: (() -> Bool)? = nil) throws -> TrainingHistory {
        var hold = StepHold()   // end-to-end tests only: see StepHold.swift
        guard let hooks else {
            let trainer = try make(options, nil)
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
        let trainer = try make(opts, plan.resumeFrom)
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
        }, shouldStop: { failure != nil || (shouldStop?() ?? false) })
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
