// TrainingRunBench: the "run" column of `kymo bench models` — a benchmark case
// trained by a notebook's `train(...)` call inside a recorded run, the path a
// user's `kymo run` takes: moving_mnist data, the `train` built-in (batching,
// sampling, progress, per-sample lanes), RecordedTraining with the run's
// checkpoints on RunHooks' wall-clock interval (and at the end), the record written after the cell. Its
// time per step is the Train cell's recorded duration / steps, as a user
// reads it from `kymo runs show`. Timing only; nothing here is compared.
// Deliberately not: the bare step (Models/Benchmark.swift times that).

import Foundation
import KymoLanguage
import Records
import Models

public enum TrainingRunBench {
    public struct Result {
        public let name: String
        public let steps: Int
        /// The Train cell's recorded duration (seconds): every step, checkpoint and record write.
        public let trainCellSeconds: Double
        public var secondsPerStep: Double { trainCellSeconds / Double(max(steps, 1)) }
        /// The checkpoint interval the run used, in seconds (RunHooks: KYMO_CHECKPOINT_SECONDS or one a minute; always one at the end).
        public let checkpointSeconds: Double
        public let record: RunRecord
        public let runFolder: String?
    }

    /// The notebook a case's run executes: data, the model, one `train(...)` call of `steps` steps.
    public static func notebook(for bc: TrainingBenchmarkCase, steps: Int) -> String {
        let c = bc.config
        var args = "layers: \(c.layers), hidden: \(c.hidden), kernel: \(c.kernel), size: \(c.size), channels: \(c.channels), "
            + "patch: \(c.patch), frames_in: \(c.framesIn), frames_out: \(c.framesOut), "
            + "activation: \"\(c.activation.rawValue)\", mode: \"\(c.mode.rawValue)\""
        if c.family != .convlstm { args += ", attention_hidden: \(c.attentionHidden)" }
        let frames = max(c.framesIn + c.framesOut, c.framesIn + 1)
        return """
        # kymo bench models: \(bc.name) trained as a notebook's train(...) call
        %% Data
        let data = moving_mnist(train: \(bc.batch), test: 1, frames: \(frames), size: \(c.size))
        %% Model
        let m = \(c.family.rawValue)(\(args))
        %% Train
        let h = train(m, data.train, steps: \(steps), batch: \(bc.batch), lr: 0.001, loss: "\(bc.loss.rawValue)", reduction: "\(bc.reduction.rawValue)")

        """
    }

    /// Runs the case's notebook as a recorded run under `runsFolder` (nil: the
    /// record in memory, checkpoints off as in a replay). Throws when a cell fails.
    public static func run(_ bc: TrainingBenchmarkCase, steps: Int, seed: UInt64 = 0, runsFolder: String?,
                           workingDirectory: String, host: RunHost) throws -> Result {
        var o = RecordedRunOptions(notebookPath: "bench_\(bc.name).kymo", text: notebook(for: bc, steps: steps),
                                   workingDirectory: workingDirectory, host: host)
        o.seed = seed
        o.runsFolder = runsFolder
        let r = try RecordRunner.run(o)
        if let d = r.diagnostics.first { throw BuiltinError("bench \(bc.name): \(d.message)") }
        guard r.record.status == .complete, let train = r.record.cells.first(where: { $0.title == "Train" }) else {
            let why = r.record.cells.compactMap(\.error).first ?? r.recordError.map { "\($0)" } ?? r.record.status.rawValue
            throw BuiltinError("bench \(bc.name): the run did not complete: \(why)")
        }
        return Result(name: bc.name, steps: steps, trainCellSeconds: train.duration,
                      checkpointSeconds: RunHooks.checkpointInterval(), record: r.record, runFolder: r.runFolder)
    }
}
