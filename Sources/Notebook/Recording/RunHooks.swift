// RunHooks: what built-ins tell a run's record while a cell runs, and what
// they ask of it — files written (artifacts) and training calls (their loss
// series, checkpoints, and the checkpoint a resumed run continues from).
//
// Session side (the contract): a host that records sets
// `SessionOptions.recordHooks`; a built-in that writes a file calls
// `fileWritten` after the file is complete; a built-in that reads a file
// calls `fileRead` before it reads (through `CallContext.inputFile`); `train` calls `beginTraining`
// before its first step (using the plan's checkpoint file and interval for
// the Trainer, and `Trainer.resume` when the plan names a checkpoint), then
// `trainingProgress` after every checkpoint (on the plan's wall-clock
// interval) and once when it returns.
// Deliberately not: deciding what to checkpoint inside a model (Models does).

import KymoLanguage
import Foundation
import Records

/// A training call's plan: its series name and checkpoints.
public struct TrainingPlan: Equatable {
    /// `train1`, `train2`, … in call order over the whole run (so the same in a
    /// replay or a resume); its series are `<name>.loss` and `<name>.validation`
    /// (and `<name>.lr`, `<name>.grad_norm` when the call uses a schedule,
    /// clipping, weight decay or early stopping).
    public var name: String
    /// Where the Trainer writes its checkpoint (nil: no checkpoints, e.g. a replay).
    public var checkpointFile: String?
    /// Seconds of wall-clock time between checkpoints (CheckpointClock).
    public var checkpointSeconds: Double?
    /// `kymo resume`: continue from this checkpoint (written at `resumeStep`).
    public var resumeFrom: String?
    public var resumeStep: Int?
    /// Replay of an interrupted recording: stop after this step, as the recording did.
    public var stopAtStep: Int?
}

/// A training history so far, exactly as the Trainer holds it.
public struct TrainingSeries: Equatable {
    public var steps: [Int]
    public var loss: [Float]
    public var validationSteps: [Int]
    public var validationLoss: [Float]
    /// The lr and pre-clip gradient norm of every step; empty for plain
    /// (constant-lr, unclipped) calls, whose records keep only loss and validation.
    public var lr: [Double] = []
    public var gradNorm: [Float] = []

    public init(steps: [Int], loss: [Float], validationSteps: [Int], validationLoss: [Float],
                lr: [Double] = [], gradNorm: [Float] = []) {
        self.steps = steps; self.loss = loss; self.validationSteps = validationSteps; self.validationLoss = validationLoss
        self.lr = lr; self.gradNorm = gradNorm
    }
}

public protocol RunRecordHooks: AnyObject {
    /// A built-in finished writing `file` (`path` as the notebook gave it).
    /// Throws `RecordError` when the record cannot take it (the cell then fails).
    func fileWritten(path: String, file: String) throws
    /// A built-in reads `file` (`name` as the notebook gave it; `kind`: digits,
    /// sequences, tensors, weights, notebook): recorded as an input of the run.
    func fileRead(name: String, file: String, kind: String, sha256: String, size: Int) throws
    /// A training call of `totalSteps` steps starts.
    func beginTraining(totalSteps: Int) -> TrainingPlan
    /// The call's history after a checkpoint was written (`checkpointed`) or when it returns.
    func trainingProgress(_ plan: TrainingPlan, series: TrainingSeries, step: Int, checkpointed: Bool) throws
}

extension RunRecordHooks {
    public func fileRead(name: String, file: String, kind: String, sha256: String, size: Int) throws {}
}

/// The hooks of a recorded run (RecordRunner installs one per run).
public final class RunHooks: RunRecordHooks {
    let recorder: RunRecorder
    let book: MetricBook
    /// The cell now running (its index in the notebook).
    var cell = 0
    private var trainingCalls = 0
    /// Checkpoints a resume continues from, by training call name.
    var resumePoints: [String: CheckpointRecord] = [:]
    /// Steps training calls stop after (a replay of an interrupted recording), by call name.
    var stopPoints: [String: Int] = [:]

    init(recorder: RunRecorder, book: MetricBook) {
        self.recorder = recorder
        self.book = book
    }

    public func fileWritten(path: String, file: String) throws {
        try recorder.artifactWritten(path: path, file: file, cell: cell)
    }

    public func fileRead(name: String, file: String, kind: String, sha256: String, size: Int) throws {
        try recorder.inputRead(name: name, file: file, kind: kind, cell: cell, sha256: sha256, size: size)
    }

    /// Seconds between a call's checkpoints: KYMO_CHECKPOINT_SECONDS, else one a minute
    /// (CheckpointClock; every call also checkpoints at its end and when it stops early).
    static func checkpointInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        CheckpointClock.seconds(environment: environment)
    }

    public func beginTraining(totalSteps: Int) -> TrainingPlan {
        trainingCalls += 1
        let name = "train\(trainingCalls)"
        var plan = TrainingPlan(name: name)
        if let path = recorder.checkpointPath(site: name) {
            plan.checkpointFile = path
            plan.checkpointSeconds = RunHooks.checkpointInterval()
        }
        if let c = resumePoints[name], let path = c.path.hasPrefix("/") ? c.path : recorder.runFolder.map({ $0 + "/" + c.path }) {
            plan.resumeFrom = path
            plan.resumeStep = c.step
        }
        plan.stopAtStep = stopPoints[name]
        return plan
    }

    public func trainingProgress(_ plan: TrainingPlan, series: TrainingSeries, step: Int, checkpointed: Bool) throws {
        book.setTraining(plan.name, series)
        if checkpointed, let file = plan.checkpointFile {
            try recorder.checkpointWritten(cell: cell, site: plan.name, step: step, file: file, metrics: book.series)
        }
    }
}
