// Replayer: `kymo replay` and `kymo resume` below the command line.
// Replay re-executes the RECORDED notebook text (never today's file) with the
// recorded seed, overrides, run id and working directory, keeps the fresh
// record in memory, and compares (ReplayCompare). Resume continues an
// interrupted stored record: the cells it finished are re-executed to rebuild
// the session's state (and must reproduce what was recorded, or it refuses),
// then the rest run and are recorded into the same record.
// Deliberately not: choosing threads (the host configures the engine first).

import Foundation
import Records

public enum Replayer {
    /// Re-executes `record` and compares it with the fresh execution. `text`:
    /// execute this notebook text instead of the recorded one (an edited copy),
    /// still with the recorded seed, overrides and run id.
    public static func run(_ record: RunRecord, host: HostStamp, text: String? = nil, registry: BuiltinRegistry? = nil,
                           figureWriter: FigureWriter? = nil,
                           output: OutputSink = BufferSink(), progress: ProgressReporter = SilentProgress(),
                           interrupt: InterruptFlag = InterruptFlag(),
                           onCellStart: ((Cell) -> Void)? = nil,
                           configure: ((inout RecordedRunOptions) -> Void)? = nil) throws -> (report: ReplayReport, fresh: RecordedRunResult) {
        guard RecordHash.hex(of: record.notebook.text) == record.notebook.sha256 else {
            throw RecordError.cannotContinue(id: record.id, detail: "the recorded notebook text does not match its SHA-256")
        }
        var o = options(for: record, host: host)
        if let text { o.text = text }
        o.registry = registry
        o.figureWriter = figureWriter
        o.output = output
        o.progress = progress
        o.interrupt = interrupt
        o.onCellStart = onCellStart
        if let stop = record.cells.first(where: { $0.status == .interrupted }) {
            // Ctrl-C: up to the interrupted cell, which is compared as far as it got.
            o.maxCells = stop.index + 1
        } else if record.status == .interrupted || record.status == .running {
            // Killed: the cells it finished, plus the one it was in if that saved metric points.
            let counted = record.cells.last.map { Dictionary($0.metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 }) } ?? [:]
            let trailing = record.metrics.contains { $0.values.count > (counted[$0.name] ?? 0) }
            o.maxCells = record.cells.count + (trailing ? 1 : 0)
        }
        configure?(&o)
        let fresh = try RecordRunner.run(o)
        var report = ReplayCompare.compare(recorded: record, fresh: fresh.record)
        if text != nil && text != record.notebook.text {
            let changed = zip(record.cells, fresh.record.cells).filter { $0.sourceSHA256 != $1.sourceSHA256 }.map { "\($0.0.index) \"\($0.0.displayTitle)\"" }
            report.notes.append("executed an edited text, not the recorded one" + (changed.isEmpty ? "" : "; cells whose source differs: " + changed.joined(separator: ", ")))
        }
        if let e = fresh.recordError { report.notes.append("the replay's own record failed: \(e)") }
        if o.workingDirectory != record.notebook.workingDirectory {
            report.notes.append("the recorded working directory \(record.notebook.workingDirectory) does not exist here; ran in \(o.workingDirectory)")
        }
        return (report, fresh)
    }

    /// The options that re-execute a record as it ran (in memory).
    static func options(for record: RunRecord, host: HostStamp) -> RecordedRunOptions {
        var isDir: ObjCBool = false
        let recordedDir = record.notebook.workingDirectory
        let dir = FileManager.default.fileExists(atPath: recordedDir, isDirectory: &isDir) && isDir.boolValue
            ? recordedDir : FileManager.default.currentDirectoryPath
        var o = RecordedRunOptions(notebookPath: record.notebook.path, text: record.notebook.text, workingDirectory: dir, host: host)
        o.seed = record.seed
        o.overrides = record.overrides
        o.kind = record.kind
        o.runID = record.id
        return o
    }

    /// Continues the interrupted run stored in `folder` (`runs/<id>`): its
    /// finished cells are re-executed and checked against the record, the
    /// remaining cells run and are recorded; the record ends complete (or
    /// failed or interrupted again).
    public static func resume(folder: String, host: HostStamp, registry: BuiltinRegistry? = nil, figureWriter: FigureWriter? = nil, output: OutputSink = BufferSink(), progress: ProgressReporter = SilentProgress(),
                              interrupt: InterruptFlag = InterruptFlag(), onCellStart: ((Cell) -> Void)? = nil,
                              onCellEnd: ((CellResult) -> Void)? = nil,
                              follower: Bool = false,
                              configure: ((inout RecordedRunOptions) -> Void)? = nil) throws -> RecordedRunResult {
        let path = folder + "/record.json"
        let record = try RunStore.read(recordAt: path)
        switch record.status {
        case .running:
            throw RecordError.cannotContinue(id: record.id, detail: "it is still running (process \(record.process.map { "\($0.pid) on \($0.host)" } ?? "?"))")
        case .complete:
            throw RecordError.cannotContinue(id: record.id, detail: "it is complete; there is nothing to resume")
        case .failed:
            throw RecordError.cannotContinue(id: record.id, detail: "it failed (cell \(record.cells.last { $0.status == .failed }?.index ?? 0)); a failed cell fails again on resume — fix the notebook and run it anew")
        case .interrupted:
            break
        }
        guard record.kind == .run else {
            throw RecordError.cannotContinue(id: record.id, detail: "only notebook runs can be resumed, not a \(record.kind.rawValue) record")
        }
        let now = host.environment
        let numeric = record.environment.changes(to: now).filter { EnvironmentFingerprint.numericParts.contains($0.part) }
        guard numeric.isEmpty else {
            let list = numeric.map { "\($0.part) \($0.recorded) → \($0.now)" }.joined(separator: "; ")
            throw RecordError.cannotContinue(id: record.id, detail: "the environment changed since it ran (\(list)); continuing here would mix results of two environments")
        }
        // Keep the leading cells that finished; everything after them is redone.
        let kept = record.cells.prefix { $0.status == .complete }.count
        let store = RunStore(folder: URL(fileURLWithPath: folder).deletingLastPathComponent().path)
        // A follower (a non-zero rank of an MPI job) re-executes the same cells
        // from the same checkpoints but keeps its record in memory: rank 0 writes.
        let recorder = follower ? RunRecorder(following: record) : try RunRecorder(continuing: record, store: store)
        let counts = kept > 0 ? Dictionary(record.cells[kept - 1].metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 }) : [:]
        var o = options(for: record, host: host)
        o.beforeRecording = { try recorder.amend { r in
            r.cells = Array(r.cells.prefix(kept))
            r.metrics = r.metrics.compactMap { s in
                guard let n = counts[s.name] else { return nil }
                var t = s
                t.steps = Array(s.steps.prefix(n))
                t.values = ExactValues(width: s.values.width, bits: Array(s.values.bits.prefix(n)))
                return t
            }
            r.artifacts.removeAll { $0.cell >= kept }
            let step = r.checkpoints.filter { $0.cell == kept }.map(\.step).max()
            r.resumes.append(ResumeStamp(at: RecordTime.string(Date()), cell: kept, step: step, environment: now))
        } }
        o.runsFolder = follower ? nil : store.folder
        o.output = output
        o.progress = progress
        o.interrupt = interrupt
        o.onCellStart = onCellStart
        o.onCellEnd = onCellEnd
        o.verifyPrefix = Array(record.cells.prefix(kept))
        // Every training call continues from its checkpoint: those of finished
        // cells restore at their last step, the interrupted one continues.
        for var c in record.checkpoints {
            if !c.path.hasPrefix("/") { c.path = URL(fileURLWithPath: folder).absoluteURL.path + "/" + c.path }
            o.resumePoints[c.site] = c
        }
        o.registry = registry
        o.figureWriter = figureWriter
        configure?(&o)
        return RecordRunner.run(o, recorder: recorder, startAt: kept)
    }
}
