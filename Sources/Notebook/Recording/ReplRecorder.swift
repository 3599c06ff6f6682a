// ReplRecorder: the run record of a REPL session. Its notebook is the inputs
// the session ran (accepted: they passed the checker), one cell per top-level
// input titled `input N`, so `kymo replay` re-executes the session as a
// notebook under REPL rules (redeclaration allowed, a failing input does not
// stop the rest). Nothing is written until there is something to record (an
// input that ran, a file written, a training call). It is also the session's
// record hooks: files written and training calls are recorded with the input
// that made them.
// Deliberately not: recording `:` commands or inputs rejected before running.

import KymoLanguage
import Foundation
import Records

public final class ReplRecorder: RunRecordHooks {
    /// Known from the start, so `run_id()` can return it before the first input.
    public let id: String
    public let store: RunStore
    private let seed: UInt64
    private let workingDirectory: String
    private let start: Date
    private let host: HostStamp
    private var recorder: RunRecorder?
    private var hooks: RunHooks?
    private var inputs: [String] = []
    /// Each input's cell title (`input N` unless the host gave one, as a kernel does).
    private var titles: [String] = []
    private let book = MetricBook()
    private var trainingCalls = 0

    public init(runsFolder: String, seed: UInt64, workingDirectory: String, host: HostStamp, start: Date = Date()) {
        self.host = host
        self.store = RunStore(folder: runsFolder)
        self.seed = seed
        self.workingDirectory = workingDirectory
        self.start = start
        self.id = RunID.make(start: start, notebookSHA256: "repl", seed: seed, overrides: [])
    }

    /// When the session started, as its record says (RecordTime): the date its saved figures carry.
    public var startedAt: String { RecordTime.string(start) }

    /// The record so far (nil before the first accepted input).
    public var record: RunRecord? { recorder?.record }

    /// `runs/<id>` once the first input was recorded.
    public var runFolder: String? { recorder?.runFolder }

    /// The session's notebook text for these inputs (titled `input N` unless `titles` has one).
    public static func notebookText(_ inputs: [String], titles: [String] = []) -> String {
        inputs.enumerated().map { i, input in
            "%% \(i < titles.count ? titles[i] : "input \(i + 1)")\n\(input)"
        }.joined(separator: "\n")
    }

    /// The record, created (and first written) on first need.
    private func started() throws -> RunRecorder {
        if let recorder { return recorder }
        let r = try RunRecorder(notebook: NotebookSource(path: "repl", workingDirectory: workingDirectory,
                                                         text: ReplRecorder.notebookText(inputs, titles: titles)),
                                kind: .repl, seed: seed, overrides: [], store: store, id: id, start: start, host: host,
                                randomScheme: RandomKeys.scheme)
        recorder = r
        hooks = RunHooks(recorder: r, book: book)
        return r
    }

    // MARK: RunRecordHooks (during an input; it becomes cell `inputs.count`)

    public func fileWritten(path: String, file: String) throws {
        try started().artifactWritten(path: path, file: file, cell: inputs.count)
    }

    public func fileRead(name: String, file: String, kind: String, sha256: String, size: Int) throws {
        try started().inputRead(name: name, file: file, kind: kind, cell: inputs.count, sha256: sha256, size: size)
    }

    /// `:load FILE`: the notebook file read, recorded as an input (its cells
    /// are recorded as inputs too, so a replay does not need the file).
    public func notebookLoaded(path: String) throws {
        let (sha, size) = try RecordHash.file(at: path)
        try fileRead(name: path, file: path, kind: "notebook", sha256: sha, size: size)
    }

    public func beginTraining(totalSteps: Int) -> TrainingPlan {
        guard (try? started()) != nil, let hooks else {
            trainingCalls += 1
            return TrainingPlan(name: "train\(trainingCalls)")
        }
        hooks.cell = inputs.count
        return hooks.beginTraining(totalSteps: totalSteps)
    }

    public func trainingProgress(_ plan: TrainingPlan, series: TrainingSeries, step: Int, checkpointed: Bool) throws {
        if let hooks { try hooks.trainingProgress(plan, series: series, step: step, checkpointed: checkpointed) }
    }

    /// Records one input that ran (whatever its outcome): `result` as the
    /// session returned it. Throws `RecordError` when the record cannot be written.
    /// `title`: the cell's title in the record (default `input N`).
    public func accepted(_ result: CellResult, session: Session, startedAt: Date = Date(), title: String? = nil) throws {
        inputs.append(result.source)
        titles.append(title ?? "input \(inputs.count)")
        let text = ReplRecorder.notebookText(inputs, titles: titles)
        let recorder = try started()
        recorder.updateNotebook(text: text)
        let values = CellOutcome.values(of: result, in: session, book: book)
        let outcome = CellOutcome(result, index: inputs.count - 1, title: titles[titles.count - 1], values: values, startedAt: startedAt)
        try recorder.cellFinished(outcome, metrics: book.series)
    }

    /// The session ended normally.
    public func finish() throws {
        try recorder?.finish(.complete)
    }
}
