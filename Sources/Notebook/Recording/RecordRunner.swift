// RecordRunner: runs a notebook in a Session while a RunRecorder keeps its
// record — the one path shared by `kymo run` (a stored record), `kymo replay`
// (an in-memory record of re-executing a recorded text) and `kymo resume`.
// Cells run in order through the Session's public API (check, then one cell
// at a time); after each the record gets the cell's output, a digest of every
// value it bound, its status and the metric series so far. A record that can
// no longer be written stops the run before the next cell.
// Deliberately not: printing (the host's callbacks do), parsing arguments.

import KymoLanguage
import Foundation
import Records
import Models

/// One recorded run: what to run and how to record it. What the host gives
/// every run (output, progress, interrupt, built-ins, figures, MPI) is `host`.
public struct RecordedRunOptions {
    /// The notebook as named on the command line (`repl` for a REPL record).
    public var notebookPath: String
    /// The file name diagnostics point at, when the text comes from another
    /// file than `notebookPath` (`kymo replay --notebook FILE`).
    public var displayName: String?
    public var text: String
    public var seed: UInt64 = 0
    public var overrides: [Override] = []
    /// Where to store the record; nil keeps it in memory.
    public var runsFolder: String?
    /// `run` or `repl` (REPL records run with REPL rules and continue after a failing cell).
    public var kind = RunKind.run
    public var host: RunHost
    public var workingDirectory: String
    /// Keep this run id (replay: the recorded one, so `run_id()` prints the same).
    public var runID: String?
    /// Run at most this many cells (replaying an interrupted recording).
    public var maxCells: Int?
    public var onCellStart: ((Cell) -> Void)?
    public var onCellEnd: ((CellResult) -> Void)?
    /// Where built-ins may read and write (`kymo replay` and `kymo run --confined` confine them).
    public var paths = PathPolicy.unconfined
    /// `kymo run --confined`: writes go inside `runs/<id>/files/` (set once the id is known).
    public var confineWritesToRunFolder = false
    /// Files already hashed (a replay's input check), so each is hashed once.
    public var fileHashes: FileHashCache?
    /// The date saved figures carry: nil, the record's start; a replay or a
    /// resume gives the recorded run's start, so its figures have the same bytes.
    public var figureDate: String?
    /// After a cell's record is written: its index and the record so far.
    /// Returning false stops the run there (`kymo replay --fail-fast`).
    public var onCellRecorded: ((Int, RunRecord) -> Bool)?
    /// Resume: the recorded cells that are re-executed (not re-recorded); each
    /// must reproduce its recorded output, values and metric counts.
    var verifyPrefix: [CellRecord] = []
    /// Resume: called once the prefix is verified, before the first recorded cell.
    var beforeRecording: (() throws -> Void)?
    /// Resume: the checkpoints training calls continue from, by call name.
    var resumePoints: [String: CheckpointRecord] = [:]
    /// Replay of an interrupted recording: the step each training call stopped at, by call name.
    var stopTrainingAt: [String: Int] = [:]

    public init(notebookPath: String, text: String, workingDirectory: String, host: RunHost) {
        self.host = host
        self.notebookPath = notebookPath
        self.text = text
        self.workingDirectory = workingDirectory
    }
}

public struct RecordedRunResult {
    public var record: RunRecord
    public var results: [CellResult]
    /// Static errors: nothing ran.
    public var diagnostics: [Diagnostic]
    /// The record could not be updated; the run stopped after the cell before.
    public var recordError: RecordError?
    /// `runs/<id>` when stored.
    public var runFolder: String?
}

public enum RecordRunner {
    /// Creates the record (throws `RecordError` before anything runs when the
    /// runs folder cannot take it), then runs and records every cell.
    public static func run(_ o: RecordedRunOptions) throws -> RecordedRunResult {
        var o = o
        if !o.host.keepsRecord { o.runsFolder = nil }   // a non-zero MPI rank: rank 0 writes the record and prints
        if let share = o.host.shareRunID, o.runsFolder == nil { o.runID = try share(nil) }
        let recorder = try RunRecorder(
            notebook: NotebookSource(path: o.notebookPath, workingDirectory: o.workingDirectory, text: o.text),
            kind: o.kind, seed: o.seed, overrides: o.overrides, store: o.runsFolder.map(RunStore.init), id: o.runID, host: o.host.stamp,
            randomScheme: RandomKeys.scheme)
        if let share = o.host.shareRunID, o.runsFolder != nil { _ = try share(recorder.id) }
        if let keys = o.host.originKeyFolder, let dir = recorder.runFolder { RecordOrigin.mark(runFolder: dir, id: recorder.id, keyFolder: keys) }
        return run(o, recorder: recorder, startAt: 0)
    }

    /// Runs cells `startAt…` of the notebook with `recorder` (cells before
    /// `startAt` are re-executed to rebuild state but their records are kept).
    static func run(_ o: RecordedRunOptions, recorder: RunRecorder, startAt: Int) -> RecordedRunResult {
        var o = o
        if !o.host.keepsRecord { o.onCellStart = nil; o.onCellEnd = nil }   // a non-zero MPI rank says nothing
        let book = MetricBook()
        let hooks = RunHooks(recorder: recorder, book: book)
        hooks.resumePoints = o.resumePoints
        hooks.stopPoints = o.stopTrainingAt
        var options = sessionOptions(o, runID: recorder.id, runFolder: recorder.runFolder, hooks: hooks)
        options.figureDate = o.figureDate ?? recorder.record.startedAt
        let session = Session(options: options, registry: o.host.registry ?? BuiltinCatalog.registry())
        let notebook = NotebookDocument(name: o.displayName ?? o.notebookPath, text: o.text)
        var result = RecordedRunResult(record: recorder.record, results: [], diagnostics: [], recordError: nil,
                                       runFolder: recorder.runFolder)
        // 1. Check the whole notebook: a static error runs nothing.
        let diagnostics = session.check(notebook)
        if !diagnostics.isEmpty {
            result.diagnostics = diagnostics
            result.recordError = attempt { try recorder.finish(.failed, errors: diagnostics.map(DiagnosticFormatter.render)) }
            result.record = recorder.record
            return result
        }
        // 2. Run the cells in order: re-executed ones are verified, the rest recorded.
        var stopped = false
        var prepared = o.beforeRecording == nil
        let cells = o.maxCells.map { Array(notebook.cells.prefix($0)) } ?? notebook.cells
        var hold = StepHold()   // end-to-end tests only: see StepHold.swift
        for cell in cells {
            if cell.index == startAt, !prepared {
                prepared = true
                if let e = prepare(o, recorder: recorder, result: &result) { result.recordError = e; return result }
            }
            let start = Date()
            let (r, values) = stopped
                ? (CellResult(index: session.results.count, title: cell.title, source: cell.source, status: .skipped), [])
                : execute(cell, of: notebook, in: session, o: o, hooks: hooks, book: book)
            result.results.append(r)
            if cell.index < startAt, cell.index < o.verifyPrefix.count {
                let want = o.verifyPrefix[cell.index]
                let what = differences(r, values: values, book: book, from: want)
                if !what.isEmpty {
                    result.recordError = .cannotContinue(id: recorder.id, detail: "cell \(cell.index) \"\(want.displayTitle)\" re-executed differently from its record (\(what.joined(separator: ", "))); refusing to continue it")
                    o.onCellEnd?(r)
                    _ = attempt { try recorder.finish(.interrupted) }
                    result.record = recorder.record
                    return result
                }
            }
            if cell.index >= startAt {
                let outcome = CellOutcome(r, index: cell.index, title: cell.title, values: values, startedAt: start)
                if let e = attempt({ try recorder.cellFinished(outcome, metrics: book.series) }) {
                    result.recordError = e
                    o.onCellEnd?(r)
                    break
                }
                if let recorded = o.onCellRecorded, !recorded(cell.index, recorder.record) {
                    o.onCellEnd?(r)
                    break
                }
                hold?.recorded(cells: recorder.record.cells.count) { session.interrupt.isRequested }
            }
            o.onCellEnd?(r)
            if let check = o.host.crossCheck, !stopped {
                let counts = book.series.map { "\($0.name):\($0.steps.count)" }.joined(separator: ",")
                let digest = [r.status.rawValue, ValueDigest.combined(values), r.output, counts].joined(separator: "\u{1f}")
                do { try check(cell.index, digest) } catch {
                    result.recordError = .cannotContinue(id: recorder.id, detail: "\(error)")
                    _ = attempt { try recorder.finish(.failed, errors: ["\(error)"]) }
                    result.record = recorder.record
                    return result
                }
            }
            // A REPL session goes on after an interrupted input, unless this run is being interrupted.
            if (r.status == .interrupted && (o.kind != .repl || o.host.interrupt.isRequested)) || (r.status == .failed && o.kind != .repl) { stopped = true }
        }
        // 3. Finish the record with the run's status.
        if result.recordError == nil, !prepared, let e = prepare(o, recorder: recorder, result: &result) {
            result.recordError = e
            return result
        }
        if result.recordError == nil {
            let statuses = result.results.map(\.status)
            let status: RunStatus = statuses.contains(.interrupted) ? .interrupted
                : statuses.contains(.failed) ? .failed : .complete
            result.recordError = attempt { try recorder.finish(status) }
        }
        result.record = recorder.record
        return result
    }

    /// The session a recorded run executes in: its seed, overrides, run id and
    /// rules, the host's sinks, and the record's hooks (files written, training).
    static func sessionOptions(_ o: RecordedRunOptions, runID: String, runFolder: String?, hooks: RunHooks) -> SessionOptions {
        var options = SessionOptions()
        options.seed = o.seed
        options.overrides = o.overrides.map { (key: $0.key, value: $0.value) }
        options.runID = runID
        options.interactive = o.kind == .repl
        options.workingDirectory = o.workingDirectory
        options.output = o.host.output
        options.progress = o.host.progress
        options.interrupt = o.host.interrupt
        options.recordHooks = hooks
        options.figureWriter = o.host.figureWriter
        options.paths = o.paths
        options.fileHashes = o.fileHashes
        options.processGroup = o.host.processGroup
        options.paths.writeRoot = writeRoot(o, runFolder: runFolder)
        return options
    }

    /// Where the run's writes go — the one place that decides it: the
    /// non-zero ranks of an MPI job under their scratch folder (rank 0 makes
    /// the real files; reads of those files follow them there), `kymo run
    /// --confined` under `runs/<id>/files/`, a replay where its policy says
    /// (`replay-<n>/files`), otherwise nowhere special (paths mean what they say).
    static func writeRoot(_ o: RecordedRunOptions, runFolder: String?) -> String? {
        if let scratch = o.host.writeFolder { return scratch }
        if o.confineWritesToRunFolder, let dir = runFolder {
            _ = mkdir(dir + "/files", 0o755)
            return dir + "/files"
        }
        return o.paths.writeRoot
    }

    /// Resume: once the re-executed cells are verified, before anything new is
    /// recorded (`beforeRecording`); the error, if it fails.
    static func prepare(_ o: RecordedRunOptions, recorder: RunRecorder, result: inout RecordedRunResult) -> RecordError? {
        guard let before = o.beforeRecording, let e = attempt(before) else { return nil }
        result.record = recorder.record
        return e
    }

    /// Runs one cell; its result and the digests of the values it bound (and
    /// of its final value).
    static func execute(_ cell: Cell, of notebook: NotebookDocument, in session: Session, o: RecordedRunOptions,
                        hooks: RunHooks, book: MetricBook) -> (CellResult, [ValueDigest]) {
        o.onCellStart?(cell)
        hooks.cell = cell.index
        let r = session.run(cell, in: notebook.file)
        return (r, CellOutcome.values(of: r, in: session, book: book))
    }

    /// What a re-executed cell did differently from its record (empty: nothing).
    static func differences(_ r: CellResult, values: [ValueDigest], book: MetricBook, from want: CellRecord) -> [String] {
        let counts = book.series.map { MetricCount(name: $0.name, count: $0.values.count) }
        var what: [String] = []
        if r.status != want.status { what.append("status \(r.status.rawValue), recorded \(want.status.rawValue)") }
        if r.output != want.output { what.append("printed output") }
        if ValueDigest.combined(values) != want.valuesSHA256 { what.append("values") }
        if counts != want.metricCounts { what.append("metric series") }
        return what
    }

    static func attempt(_ body: () throws -> Void) -> RecordError? {
        do { try body(); return nil } catch let e as RecordError { return e } catch {
            return .notWritable(folder: "", detail: "\(error)")
        }
    }
}

/// The run's metric series in the order they first appeared: `log(...)`
/// series (from the session) and training histories bound by cells (their
/// `.loss`, and numeric `.validation` entries). Series only grow; a history
/// name bound a second time starts a new series (`hist.loss#2`).
final class MetricBook {
    private(set) var series: [MetricSeriesRecord] = []
    private var historyCount: [String: Int] = [:]
    /// True once a training call reported its series through `RunRecordHooks`;
    /// bound histories are then not read (they would be counted twice).
    private(set) var trainingReported = false

    /// A training call's series as they stand (replacing its earlier points).
    func setTraining(_ name: String, _ s: TrainingSeries) {
        trainingReported = true
        // One order whatever step the first report comes at (checkpoints come on a clock): validation,
        // which may start later than the others, last.
        put(MetricSeriesRecord(name: name + ".loss", source: "train", steps: s.steps, values: ExactValues(s.loss)))
        if !s.lr.isEmpty { put(MetricSeriesRecord(name: name + ".lr", source: "train", steps: s.steps, values: ExactValues(s.lr))) }
        if !s.gradNorm.isEmpty { put(MetricSeriesRecord(name: name + ".grad_norm", source: "train", steps: s.steps, values: ExactValues(s.gradNorm))) }
        if !s.validationLoss.isEmpty {
            put(MetricSeriesRecord(name: name + ".validation", source: "train", steps: s.validationSteps, values: ExactValues(s.validationLoss)))
        }
    }

    private func put(_ input: MetricSeriesRecord) {
        if let i = series.firstIndex(where: { $0.name == input.name }) { series[i] = input } else { series.append(input) }
    }

    func capture(session: Session, bound: [(name: String, value: Value)]) {
        for m in session.metrics {
            let input = MetricSeriesRecord(name: m.name, source: "log", steps: MetricBook.oneBased(m.values.count),
                                    values: ExactValues(m.values))
            if let i = series.firstIndex(where: { $0.name == m.name && $0.source == "log" }) {
                series[i] = input
            } else {
                series.append(input)
            }
        }
        for (name, value) in bound where !trainingReported {
            guard case .host(let h) = value, h.kindName == "history" else { continue }
            let n = historyCount[name, default: 0] + 1
            historyCount[name] = n
            let base = n == 1 ? name : "\(name)#\(n)"
            series += MetricBook.historySeries(h, name: base)
        }
    }

    /// `.loss` against `.steps`; `.validation` as numbers, or records whose
    /// numeric fields each become a series (a `step` field gives the steps).
    static func historySeries(_ h: HostObject, name: String) -> [MetricSeriesRecord] {
        var out: [MetricSeriesRecord] = []
        let steps = ints((try? h.property("steps")) ?? nil)
        if let loss = numbers((try? h.property("loss")) ?? nil) {
            let s = steps.flatMap { $0.count == loss.count ? $0 : nil } ?? oneBased(loss.count)
            out.append(MetricSeriesRecord(name: "\(name).loss", source: "train", steps: s, values: ExactValues(loss)))
        }
        guard let validation = (try? h.property("validation")) ?? nil else { return out }
        if let xs = numbers(validation) {
            out.append(MetricSeriesRecord(name: "\(name).validation", source: "train", steps: oneBased(xs.count),
                                   values: ExactValues(xs)))
        } else if case .list(let entries) = validation {
            var keys: [String] = []
            var columns: [String: (steps: [Int], values: [Double])] = [:]
            for (i, e) in entries.enumerated() {
                guard case .record(let r) = e else { continue }
                let step: Int
                if case .int(let s)? = r["step"] { step = s } else { step = i + 1 }
                for (k, v) in r.pairs where k != "step" {
                    guard let x = v.numberValue else { continue }
                    if columns[k] == nil { keys.append(k); columns[k] = ([], []) }
                    columns[k]!.steps.append(step)
                    columns[k]!.values.append(x)
                }
            }
            for k in keys {
                out.append(MetricSeriesRecord(name: "\(name).validation.\(k)", source: "train", steps: columns[k]!.steps,
                                       values: ExactValues(columns[k]!.values)))
            }
        }
        return out
    }

    /// Steps 1…n (a `log` series' n-th point is its step n).
    static func oneBased(_ n: Int) -> [Int] { n == 0 ? [] : Array(1...n) }

    static func numbers(_ v: Value?) -> [Double]? {
        guard case .list(let xs)? = v else { return nil }
        var out: [Double] = []
        for x in xs {
            guard let d = x.numberValue else { return nil }
            out.append(d)
        }
        return out
    }

    static func ints(_ v: Value?) -> [Int]? {
        guard case .list(let xs)? = v else { return nil }
        var out: [Int] = []
        for x in xs {
            guard case .int(let i) = x else { return nil }
            out.append(i)
        }
        return out
    }
}
