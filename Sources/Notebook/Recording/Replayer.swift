// Replayer: `kymo replay` and `kymo resume` below the command line.
// Replay first checks the record's inputs (each found here by content,
// beside the record being replayed: InputSearch; a missing one stops it),
// then re-executes the RECORDED notebook text (never today's file) with the
// recorded seed, overrides and run id, in its own working folder (the replay
// folder's `files/`, never the recorded one), keeps the fresh
// record in memory, and compares each cell as it finishes (ReplayComparer),
// so the first difference is reported while later cells still run. Given a
// replay folder (`runs/<id>/replay-<n>/`) it is confined: every write lands
// inside it and reads are limited to the inputs and the data folder
// (PathPolicy). Resume continues an
// interrupted stored record: the cells it finished are re-executed to rebuild
// the session's state (and must reproduce what was recorded, or it refuses),
// then the rest run and are recorded into the same record.
// Deliberately not: choosing threads (the host configures the engine first).

import KymoLanguage
import Foundation
import KymoBase
import Records
import Datasets

/// How one replay runs (what the host gives every run is the `RunHost`).
public struct ReplayOptions {
    /// Execute this notebook text instead of the recorded one (an edited
    /// copy), still with the recorded seed, overrides and run id.
    public var text: String?
    /// The file name diagnostics point at when `text` comes from another file.
    public var displayName: String?
    public var onCellStart: ((Cell) -> Void)?
    /// `runs/<id>/replay-<n>`: the replay is confined to it and runs in its `files/`.
    public var replayFolder: String?
    /// Stop at the first difference.
    public var failFast = false
    /// Replay with changed inputs as they are (named) instead of refusing.
    public var allowChangedInputs = false
    /// Where inputs are looked for; nil: beside the record, then the user's data folder.
    public var inputs: InputSearch?
    /// The inputs already checked with `inputs` (the host printed them): not checked again.
    public var inputChecks: [InputCheck]?
    /// Files already hashed (the input check), so each is hashed once.
    public var hashes = FileHashCache()
    /// Called with the first difference as soon as it is found.
    public var onDifference: ((FoundDifference) -> Void)?

    public init() {}
}

public enum Replayer {
    /// Re-executes `record` and compares it with the fresh execution.
    public static func run(_ record: RunRecord, host: RunHost, _ replay: ReplayOptions = ReplayOptions()) throws -> (report: ReplayReport, fresh: RecordedRunResult) {
        let (text, replayFolder, failFast, hashes) = (replay.text, replay.replayFolder, replay.failFast, replay.hashes)
        guard RecordHash.hex(of: record.notebook.text) == record.notebook.sha256 else {
            throw RecordError.cannotContinue(id: record.id, detail: "the recorded notebook text does not match its SHA-256")
        }
        var o = options(for: record, host: host)
        // The replay's own working folder, never the recorded one: relative
        // writes land in the replay folder, reads go to the inputs as found.
        if let replayFolder { o.workingDirectory = InputSearch.absolute(replayFolder + "/files") }
        // Inputs before any cell, found beside the record being replayed (InputSearch):
        // a missing one stops the replay, a changed one explains what follows.
        let search = replay.inputs ?? InputSearch(recordFolder: replayFolder.map { ($0 as NSString).deletingLastPathComponent },
                                                  dataDirectories: dataDirectories())
        let checks = replay.inputChecks ?? search.check(record, hashes: hashes)
        let missing = checks.filter { $0.state == .missing }
        if !missing.isEmpty {
            throw RecordError.cannotContinue(id: record.id, detail: "cannot replay without its inputs: " + missing.map(\.line).joined(separator: "; "))
        }
        let changed = checks.filter { if case .changed = $0.state { return true } else { return false } }
        // Confined, a changed input is not read unless the reader says so: its
        // path comes from the record, and its bytes are not the recorded ones.
        if replayFolder != nil && !changed.isEmpty && !replay.allowChangedInputs {
            throw RecordError.cannotContinue(id: record.id, detail: "a confined replay reads only the recorded inputs, and "
                + changed.map { "input changed before the replay: " + $0.line }.joined(separator: "; ")
                + " (--allow-changed-inputs replays with the files as they are now)")
        }
        if let text { o.text = text }
        o.displayName = replay.displayName
        o.onCellStart = replay.onCellStart
        o.fileHashes = hashes
        if let replayFolder {
            var files: [String] = [], redirects: [String: String] = [:]
            for c in checks {
                let here: String
                switch c.state {
                case .found(let p), .changed(let p, _): here = p
                case .missing: continue
                }
                files.append(here)
                let asNamed = c.input.name.hasPrefix("/") ? c.input.name : o.workingDirectory + "/" + c.input.name
                if asNamed != here { redirects[asNamed] = here }
            }
            o.paths = .confined(writeRoot: replayFolder + "/files", readableFiles: files, readableFolders: PathPolicy.confinedDataFolders(),
                                redirects: redirects)
            _ = mkdir(replayFolder + "/files", 0o755)
            o.paths.folderRedirects = folderRedirects(checks, workingDirectory: o.workingDirectory)
        }
        if record.cells.contains(where: { $0.status == .interrupted }) {
            // Ctrl-C: an interrupted `train` stops where the recording's did (its
            // series' last step), so the cell ends as it did (TrainingStops.swift).
            o.stopTrainingAt = TrainingStops.recorded(in: record)
        }
        if let stop = record.cells.first(where: { $0.status == .interrupted }), record.kind != .repl {
            // Up to the interrupted cell (a REPL session went on after it).
            o.maxCells = stop.index + 1
        } else if record.status == .interrupted || record.status == .running {
            // Killed: the cells it finished, plus the one it was in if that saved metric points.
            let counted = record.cells.last.map { Dictionary($0.metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 }) } ?? [:]
            let trailing = record.metrics.contains { $0.values.count > (counted[$0.name] ?? 0) }
            o.maxCells = record.cells.count + (trailing ? 1 : 0)
        }
        let comparer = ReplayComparer(recorded: record, environment: host.stamp.environment, build: host.stamp.build,
                                      numerics: host.stamp.numerics, randomScheme: RandomKeys.scheme,
                                      changedInputs: changed.map(\.input))
        if let text, text != record.notebook.text {
            // An edited copy: what follows its first edited cell is explained by the edit.
            let sources = NotebookDocument(name: record.notebook.path, text: text).cells.map { RecordHash.hex(of: $0.source) }
            comparer.editedFrom = record.cells.first { $0.index >= sources.count || sources[$0.index] != $0.sourceSHA256 }?.index
                ?? (sources.count != record.cells.count ? min(sources.count, record.cells.count) : nil)
        }
        var first = true, stoppedEarly = false
        o.onCellRecorded = { i, fresh in
            let found = comparer.compare(cell: i, fresh: fresh)
            guard first, let d = found.first(where: { $0.kind.isNumeric }) ?? found.first else { return true }
            first = false
            replay.onDifference?(d)
            if failFast && i + 1 < record.cells.count { stoppedEarly = true; return false }
            return true
        }
        let fresh = try RecordRunner.run(o)
        var report = comparer.finish(fresh: fresh.record, stoppedEarly: stoppedEarly)
        for c in changed { report.notes.insert("input changed before the replay: " + c.line, at: 0) }
        if text != nil && text != record.notebook.text {
            let changed = zip(record.cells, fresh.record.cells).filter { $0.sourceSHA256 != $1.sourceSHA256 }.map { "\($0.0.index) \"\($0.0.displayTitle)\"" }
            report.notes.append("executed an edited text, not the recorded one" + (changed.isEmpty ? "" : "; cells whose source differs: " + changed.joined(separator: ", ")))
        }
        if let e = fresh.recordError { report.notes.append("the replay's own record failed: \(e)") }
        return (report, fresh)
    }

    /// The folders of each input found under its relative name, mapped the
    /// same way (`<wd>/figures/paper-sweep` → `<copy>/figures/paper-sweep`,
    /// `<wd>` → `<copy>`), so a built-in that looks in a folder (`load_sweep`)
    /// sees the files found, not the recorded ones. The first mapping wins.
    static func folderRedirects(_ checks: [InputCheck], workingDirectory wd: String) -> [String: String] {
        var out: [String: String] = [:]
        for c in checks where !c.input.name.hasPrefix("/") && c.place != InputSearch.dataFolderPlace {
            let here: String
            switch c.state {
            case .found(let p), .changed(let p, _): here = p
            case .missing: continue
            }
            var parts = c.input.name.split(separator: "/").map(String.init).filter { $0 != "." }
            // Only a file found under the name the notebook gave (not by file name in a data folder).
            guard !parts.contains(".."), here.hasSuffix("/" + parts.joined(separator: "/")) else { continue }
            var to = here
            while !parts.isEmpty {
                parts.removeLast()
                to = (to as NSString).deletingLastPathComponent
                let from = ([wd] + parts).joined(separator: "/")
                if out[from] == nil { out[from] = to }
            }
        }
        return out
    }

    /// The data folder inputs are looked for in: the user's (the one a
    /// confined replay may read, docs/security.md).
    public static func dataDirectories() -> [String] { PathPolicy.confinedDataFolders() }

    /// `runs/<id>/replay-<n>/`, made anew (n = 1, 2, …).
    public static func makeReplayFolder(runFolder: String) throws -> String {
        for n in 1...100_000 {
            let dir = runFolder + "/replay-\(n)"
            if mkdir(dir, 0o755) == 0 { return dir }
            guard errno == EEXIST else {
                throw RecordError.notWritable(folder: runFolder, detail: "cannot create \(dir): \(String(cString: strerror(errno)))")
            }
        }
        throw RecordError.notWritable(folder: runFolder, detail: "too many replay folders")
    }

    /// `--restore-artifacts`: copies each artifact the replay wrote with the
    /// recorded SHA-256 from the replay folder into `target`, a folder the
    /// reader named (never one the record names: by default the replay
    /// folder's `restored/`), at the artifact's relative path. Absolute and
    /// `..` paths are not restored, and no symlink inside `target` is
    /// followed. One line per artifact: restored, or why not.
    public static func restoreArtifacts(record: RunRecord, fresh: RunRecord, replayFolder: String, into target: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue else {
            return ["not restored: the folder \(target) does not exist"]
        }
        var out: [String] = []
        for a in record.artifacts {
            let shown = TerminalText.line(a.path)
            guard let b = fresh.artifacts.last(where: { $0.path == a.path }), b.sha256 == a.sha256 else {
                out.append("not restored: \(shown) (the replay did not write the recorded bytes)"); continue
            }
            guard RecordFolderFile.isConfinedName(a.path) else {
                out.append("not restored: \(shown) is absolute or leads up with `..` (it stays in \(replayFolder)/files)"); continue
            }
            let source = replayFolder + "/files/" + PathPolicy.confinedRelative(a.path)
            var confined = PathPolicy()
            confined.writeRoot = target
            let destination: String
            do { destination = try confined.writeTarget(for: a.path, root: target) } catch {
                out.append("not restored: \(shown): \(error)"); continue
            }
            let parent = (destination as NSString).deletingLastPathComponent
            do {
                guard let data = try? RecordFolderFile.read(PathPolicy.confinedRelative(a.path), in: replayFolder + "/files"),
                      RecordHash.hex(of: data) == a.sha256 else {
                    out.append("not restored: \(shown) (\(source) is not the recorded bytes)"); continue
                }
                // A fresh temporary file (O_EXCL) renamed over the destination: a symlink there is replaced, never followed.
                do { try AtomicFile.write(data, to: destination) } catch let f as AtomicFile.Failure {
                    throw RecordError.notWritable(folder: parent, detail: f.reason)
                }
                out.append("restored \(shown) to \(destination) (sha256 \(a.sha256.prefix(12))…)")
            } catch {
                out.append("not restored: \(shown): \(error)")
            }
        }
        return out
    }

    /// The options that re-execute a record as it ran (in memory).
    static func options(for record: RunRecord, host: RunHost) -> RecordedRunOptions {
        var isDir: ObjCBool = false
        let recordedDir = record.notebook.workingDirectory
        let dir = FileManager.default.fileExists(atPath: recordedDir, isDirectory: &isDir) && isDir.boolValue
            ? recordedDir : FileManager.default.currentDirectoryPath
        var o = RecordedRunOptions(notebookPath: record.notebook.path, text: record.notebook.text, workingDirectory: dir, host: host)
        o.seed = record.seed
        o.overrides = record.overrides
        o.kind = record.kind
        o.runID = record.id
        o.figureDate = record.startedAt
        return o
    }

    /// Continues the interrupted run stored in `folder` (`runs/<id>`): its
    /// finished cells are re-executed and checked against the record, the
    /// remaining cells run and are recorded; the record ends complete (or
    /// failed or interrupted again).
    /// `follower`: a non-zero rank of an MPI job, which re-executes the same
    /// cells from the same checkpoints but keeps its record in memory.
    public static func resume(folder: String, host: RunHost, onCellStart: ((Cell) -> Void)? = nil,
                              onCellEnd: ((CellResult) -> Void)? = nil, follower: Bool = false) throws -> RecordedRunResult {
        let path = folder + "/record.json"
        let record = try RunStore.read(recordAt: path)
        switch record.status {
        case .running where !follower:   // a follower may find the record already taken over by its own rank 0
            let lease = Lease.read(runFolder: folder).map { "; its " + $0.describe() } ?? ""
            throw RecordError.cannotContinue(id: record.id, detail: "it is still running (process \(record.process.map { "\($0.pid) on \($0.host)" } ?? "?")\(lease))")
        case .complete:
            throw RecordError.cannotContinue(id: record.id, detail: "it is complete; there is nothing to resume")
        case .failed:
            throw RecordError.cannotContinue(id: record.id, detail: "it failed (cell \(record.cells.last { $0.status == .failed }?.index ?? 0)); a failed cell fails again on resume — fix the notebook and run it anew")
        case .interrupted, .running:
            break
        }
        guard record.kind == .run else {
            throw RecordError.cannotContinue(id: record.id, detail: "only notebook runs can be resumed, not a \(record.kind.rawValue) record")
        }
        let now = host.stamp.environment
        let parts = EnvironmentFingerprint.numericParts(for: record)
        var numeric = record.environment.changes(to: now).filter { parts.contains($0.part) }
        if record.numerics != host.stamp.numerics {
            numeric.append(EnvironmentFingerprint.Change(part: "numerics", recorded: record.numerics ?? "(not recorded)", now: host.stamp.numerics))
        }
        guard numeric.isEmpty else {
            let list = numeric.map { "\($0.part) \($0.recorded) → \($0.now)" }.joined(separator: "; ")
            throw RecordError.cannotContinue(id: record.id, detail: "the environment changed since it ran (\(list)); continuing here would mix results of two environments")
        }
        // The checkpoints continued from lie under the run folder's path policy
        // (inside it, reached through no symlink, regular files). Their bytes are
        // not compared with the record: a run killed between writing a checkpoint
        // and the record leaves a newer one, which resume continues from.
        for c in record.checkpoints {
            do { try RecordFolderFile.check(c.path, in: folder) } catch {
                throw RecordError.cannotContinue(id: record.id, detail: "its checkpoint \(error)")
            }
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
        o.onCellStart = onCellStart
        o.onCellEnd = onCellEnd
        o.verifyPrefix = Array(record.cells.prefix(kept))
        // Every training call continues from its checkpoint: those of finished
        // cells restore at their last step, the interrupted one continues.
        for var c in record.checkpoints {
            if !c.path.hasPrefix("/") { c.path = URL(fileURLWithPath: folder).absoluteURL.path + "/" + c.path }
            o.resumePoints[c.site] = c
        }
        return RecordRunner.run(o, recorder: recorder, startAt: kept)
    }
}
