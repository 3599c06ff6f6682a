// RunRecorder: keeps one run's record up to date while it runs — created
// (and written) before the first cell, rewritten after every cell, every
// artifact and every checkpoint, finalized with the run's status. It knows
// nothing of the interpreter: it takes `CellOutcome`s and `MetricSeriesRecord`s,
// which the runner (RecordRunner) builds from a Session. Without a store it
// keeps the record in memory (a replay's fresh side).
// Deliberately not: deciding what a cell bound or printed, running anything.

import Foundation

/// What the recorder needs to know about one finished cell.
public struct CellOutcome {
    public var index: Int
    public var title: String?
    public var source: String
    public var output: String
    public var values: [ValueDigest]
    public var startedAt: Date
    public var duration: Double
    public var status: CellStatus
    public var error: String?

    public init(index: Int, title: String?, source: String, output: String, values: [ValueDigest], startedAt: Date,
                duration: Double, status: CellStatus, error: String?) {
        self.index = index; self.title = title; self.source = source; self.output = output; self.values = values
        self.startedAt = startedAt; self.duration = duration; self.status = status; self.error = error
    }
}

public final class RunRecorder {
    public private(set) var record: RunRecord
    public let store: RunStore?
    /// Renews `runs/<id>/lease` while the record says `running` (Lease).
    private var lease: LeaseKeeper?

    public var id: String { record.id }
    /// `runs/<id>` (nil for an in-memory record).
    public var runFolder: String? { store?.runFolder(record.id) }

    /// Starts a record: checks the runs folder can take it, makes `runs/<id>/`
    /// and writes the first `running` record. `id`: keep this id (a replay or
    /// a REPL that announced its id before the first input).
    public init(notebook: NotebookSource, kind: RunKind = .run, seed: UInt64, overrides: [Override],
                store: RunStore?, id: String? = nil, start: Date = Date(), host: HostStamp, randomScheme: Int) throws {
        let runID = id ?? RunID.make(start: start, notebookSHA256: notebook.sha256, seed: seed, overrides: overrides)
        record = RunRecord(id: runID, kind: kind, startedAt: RecordTime.string(start), notebook: notebook, seed: seed,
                           overrides: overrides, kymo: host.build, environment: host.environment, randomScheme: randomScheme,
                           numerics: host.numerics,
                           process: store == nil ? nil : ProcessCheck.current())
        self.store = store
        if let store {
            try store.prepare()
            try store.createRunFolder(for: &record, start: start)
            try save()
            lease = try LeaseKeeper(runFolder: store.runFolder(record.id))
        }
    }

    /// Continues an existing record (`kymo resume`): the process and status are
    /// taken over; the caller trims what is to be redone.
    public init(continuing existing: RunRecord, store: RunStore) throws {
        record = existing
        self.store = store
        record.status = .running
        record.endedAt = nil
        record.process = ProcessCheck.current()
        try store.prepare()
        lease = try LeaseKeeper(runFolder: store.runFolder(record.id))   // taken over before the record says so
        try save()
    }

    /// Follows an existing record in memory (a non-zero rank of an MPI job
    /// resuming it: rank 0 keeps the stored one).
    public init(following existing: RunRecord) {
        record = existing
        store = nil
        record.status = .running
        record.endedAt = nil
    }

    public func save() throws {
        guard let store else { return }
        try store.write(&record)
    }

    /// Replaces the notebook text (a REPL record grows one cell per accepted input).
    public func updateNotebook(text: String) {
        record.notebook.text = text
        record.notebook.sha256 = RecordHash.hex(of: text)
    }

    /// Changes the record through `body` and saves it (resume trims cells this way).
    public func amend(_ body: (inout RunRecord) -> Void) throws {
        body(&record)
        try save()
    }

    public func cellFinished(_ o: CellOutcome, metrics: [MetricSeriesRecord]) throws {
        let cell = CellRecord(
            index: o.index, title: o.title, sourceSHA256: RecordHash.hex(of: o.source), output: o.output,
            values: o.values, valuesSHA256: ValueDigest.combined(o.values),
            metricCounts: metrics.map { MetricCount(name: $0.name, count: $0.values.count) },
            startedAt: RecordTime.string(o.startedAt), duration: o.duration, status: o.status, error: o.error)
        if let i = record.cells.firstIndex(where: { $0.index == o.index }) {
            record.cells[i] = cell
        } else {
            record.cells.append(cell)
        }
        setMetrics(metrics)
        try save()
    }

    private func setMetrics(_ metrics: [MetricSeriesRecord]) {
        record.metrics = metrics
    }

    /// A file the notebook wrote (`path` as the notebook gave it, `file` where
    /// it lies): hashed, and copied into `artifacts/` when the record is stored.
    public func artifactWritten(path: String, file: String, cell: Int) throws {
        let entry: ArtifactRecord
        if let store {
            let copy = RunStore.artifactCopyPath(for: path)
            let (sha, size) = try store.copyIntoRun(record.id, source: file, relative: copy)
            entry = ArtifactRecord(path: path, cell: cell, size: size, sha256: sha, copy: copy)
        } else {
            let (sha, size) = try RecordHash.file(at: file)
            entry = ArtifactRecord(path: path, cell: cell, size: size, sha256: sha, copy: nil)
        }
        record.artifacts.removeAll { $0.path == path }
        record.artifacts.append(entry)
        try save()
    }

    /// A file the run read (`name` as the notebook gave it, `file` where it
    /// lies, its SHA-256 and size — the caller hashes once per file and run,
    /// `FileHashCache`): recorded at its first read.
    public func inputRead(name: String, file: String, kind: String, cell: Int, sha256 sha: String, size: Int) throws {
        let real = FileHashCache.realPath(file) ?? file
        if record.inputs?.contains(where: { $0.path == real && $0.sha256 == sha && $0.kind == kind }) == true { return }
        if record.inputs == nil {
            record.inputs = []
            record.format = RunRecord.currentFormat
        }
        record.inputs!.append(InputRecord(name: name, path: real, kind: kind, cell: cell, size: size, sha256: sha))
        try save()
    }

    /// Where a training call's checkpoint is written (`runs/<id>/checkpoints/<site>.ckpt`,
    /// the folder made on the way); nil for an in-memory record.
    public func checkpointPath(site: String) -> String? {
        guard let dir = runFolder else { return nil }
        let safe = site.map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "_" }.joined()
        _ = mkdir(dir + "/checkpoints", 0o755)
        return dir + "/checkpoints/\(safe).ckpt"
    }

    /// A checkpoint file was written completely; it replaces older ones of the
    /// same training call (their files are removed), and the metric points so
    /// far are saved with it.
    public func checkpointWritten(cell: Int, site: String, step: Int, file: String, metrics: [MetricSeriesRecord]) throws {
        guard let dir = runFolder else { return }
        let (sha, size) = try RecordHash.file(at: file)
        let relative = file.hasPrefix(dir + "/") ? String(file.dropFirst(dir.count + 1)) : file
        let old = record.checkpoints.filter { $0.site == site && $0.path != relative }
        record.checkpoints.removeAll { $0.site == site }
        record.checkpoints.append(CheckpointRecord(cell: cell, site: site, step: step, path: relative, size: size,
                                                   sha256: sha, at: RecordTime.string(Date())))
        setMetrics(metrics)
        try save()
        // Only once the record no longer names them.
        for c in old where !c.path.hasPrefix("/") { unlink(dir + "/" + c.path) }
    }

    /// The run ended: its status and end time.
    public func finish(_ status: RunStatus, errors: [String] = [], end: Date = Date()) throws {
        record.status = status
        record.errors = errors
        record.endedAt = RecordTime.string(end)
        try save()
        lease?.stop()
        lease = nil
    }
}
