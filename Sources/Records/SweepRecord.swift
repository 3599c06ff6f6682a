// SweepRecord: what `kymo sweep` writes beside its points —
// `runs/sweep-<id>/sweep.json` (format 1, docs/records.md): the notebook's
// path and SHA-256, the axes (`--set KEY=V1,V2,…` lists and the seeds), and
// one entry per point (its overrides, its seed, the id of its run record and
// how it ended), sealed like a run record and written atomically, so a sweep
// killed at any moment leaves a valid sweep record. The id is a function of
// the notebook's SHA-256, the axes and the seeds, so running the same sweep
// again finds the same record and finishes what it lacks.
// Deliberately not here: running points (Sources/kymo/SweepCommand.swift),
// statistics (Statistics.swift, RunComparison.swift).

import Foundation

public struct SweepRecord: Codable, Equatable, Sendable {
    public static let currentFormat = 1

    public var format: Int
    /// `sweep-<12 hex>`.
    public var id: String
    /// `running` while the sweep runs; then `complete` (every point complete) or `incomplete`.
    public var status: String
    public var startedAt: String
    public var updatedAt: String
    public var notebook: SweepNotebook
    /// The `--set` lists, in command-line order.
    public var axes: [SweepAxis]
    public var seeds: [UInt64]
    /// Jobs and threads of the latest invocation (recorded, never part of the id).
    public var jobs: Int
    public var threads: Int
    public var points: [SweepPoint]
    public var seal: String

    public init(id: String, notebook: SweepNotebook, axes: [SweepAxis], seeds: [UInt64], jobs: Int, threads: Int, start: Date) {
        format = SweepRecord.currentFormat
        self.id = id
        status = "running"
        startedAt = RecordTime.string(start)
        updatedAt = startedAt
        self.notebook = notebook
        self.axes = axes
        self.seeds = seeds
        self.jobs = jobs
        self.threads = threads
        points = SweepRecord.plan(axes: axes, seeds: seeds)
        seal = ""
    }

    /// The product of the axes and the seeds: the first axis outermost, seeds innermost.
    public static func plan(axes: [SweepAxis], seeds: [UInt64]) -> [SweepPoint] {
        var combos: [[Override]] = [[]]
        for axis in axes {
            combos = combos.flatMap { c in axis.values.map { c + [Override(key: axis.key, value: $0)] } }
        }
        var points: [SweepPoint] = []
        for c in combos {
            for s in seeds { points.append(SweepPoint(index: points.count, overrides: c, seed: s)) }
        }
        return points
    }

    /// `sweep-` and 12 hex digits of a SHA-256 over the notebook's hash, the axes and the seeds.
    public static func makeID(notebookSHA256: String, axes: [SweepAxis], seeds: [UInt64]) -> String {
        var h = RecordHasher()
        h.add("kymo sweep 1")
        h.add(notebookSHA256)
        h.add(UInt64(axes.count))
        for a in axes {
            h.add(a.key)
            h.add(UInt64(a.values.count))
            for v in a.values { h.add(v) }
        }
        h.add(UInt64(seeds.count))
        for s in seeds { h.add(s) }
        return "sweep-" + String(h.finalize().prefix(12))
    }

    /// Whether `record` is a finished run of `point` of this sweep: complete,
    /// of this notebook text, with exactly the point's overrides and seed.
    /// (Its seal was checked when it was read.)
    public func isFinished(_ point: SweepPoint, by record: RunRecord) -> Bool {
        record.kind == .run && record.status == .complete && record.notebook.sha256 == notebook.sha256
            && record.seed == point.seed && record.overrides == point.overrides
    }

    public var completeCount: Int { points.filter { $0.status == .complete }.count }
}

public struct SweepNotebook: Codable, Equatable, Sendable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 }
}

/// One `--set KEY=V1,V2,…`.
public struct SweepAxis: Codable, Equatable, Sendable {
    public var key: String
    public var values: [String]

    public init(key: String, values: [String]) { self.key = key; self.values = values }
}

public enum SweepPointStatus: String, Codable, Sendable {
    /// Not started yet.
    case pending
    /// Its child process is running.
    case running
    /// Its run record is complete and verified.
    case complete
    case failed, interrupted
}

public struct SweepPoint: Codable, Equatable, Sendable {
    public var index: Int
    public var overrides: [Override]
    public var seed: UInt64
    /// The id of the point's run record (absent until its run has one).
    public var run: String?
    public var status: SweepPointStatus
    /// The child's exit status, when it ran in this sweep and ended.
    public var exitStatus: Int32?

    public init(index: Int, overrides: [Override], seed: UInt64) {
        self.index = index; self.overrides = overrides; self.seed = seed
        status = .pending
    }

    /// `a=1 b="x" seed=3`.
    public var label: String {
        (overrides.map { "\($0.key)=\($0.value)" } + ["seed=\(seed)"]).joined(separator: " ")
    }
}

/// The sweep folders of a runs folder, reading and writing `sweep.json`.
public enum SweepStore {
    public static let fileName = "sweep.json"

    public static func folder(_ store: RunStore, id: String) -> String { store.folder + "/" + id }

    /// Ids of the sweeps in a runs folder, sorted.
    public static func sweepIDs(_ store: RunStore) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.folder)) ?? []
        return names.filter { $0.hasPrefix("sweep-") && FileManager.default.fileExists(atPath: store.folder + "/" + $0 + "/" + fileName) }
            .sorted()
    }

    public static func canonicalJSON(_ sweep: SweepRecord) throws -> Data {
        var s = sweep
        s.seal = ""
        return try RecordHash.canonicalJSON(s)
    }

    /// Seals the sweep record and replaces `sweep-<id>/sweep.json` atomically.
    public static func write(_ sweep: inout SweepRecord, in store: RunStore) throws {
        let dir = folder(store, id: sweep.id)
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw RecordError.notWritable(folder: dir, detail: RunStore.reason(error))
        }
        sweep.updatedAt = RecordTime.string(Date())
        let data: Data
        do {
            sweep.seal = RecordHash.hex(of: try canonicalJSON(sweep))
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            var d = try e.encode(sweep)
            d.append(0x0A)
            data = d
        } catch {
            throw RecordError.invalid(path: dir + "/" + fileName, detail: "cannot encode: \(error)")
        }
        try RunStore.writeAtomically(data, to: dir + "/" + fileName)
    }

    /// Reads and verifies a sweep record (format, structure, seal).
    public static func read(at path: String) throws -> SweepRecord {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordError.unreadable(path: path, detail: "no such file")
        }
        if data.isEmpty || JSONShape.endsEarly(data) { throw RecordError.truncated(path: path) }
        do { try StrictJSON.check(data) } catch let p as StrictJSON.Problem {
            throw RecordError.refused(path: path, detail: "its JSON is ambiguous: \(p)")
        }
        let sweep: SweepRecord
        do { sweep = try JSONDecoder().decode(SweepRecord.self, from: data) } catch {
            throw RecordError.invalid(path: path, detail: RunStore.describe(error))
        }
        if sweep.format > SweepRecord.currentFormat {
            throw RecordError.newerFormat(path: path, found: sweep.format, supported: SweepRecord.currentFormat)
        }
        guard let expected = try? RecordHash.hex(of: canonicalJSON(sweep)), expected == sweep.seal else {
            throw RecordError.handEdited(path: path)
        }
        return sweep
    }

    /// The sweep a reference names: a sweep folder, its `sweep.json`, its id or a unique id prefix (`sweep-3fa`).
    /// Returns nil when the reference does not look like a sweep at all.
    public static func resolve(_ reference: String, in stores: [RunStore]) throws -> (store: RunStore, sweep: SweepRecord)? {
        let fm = FileManager.default
        var path: String?
        if reference.hasSuffix(fileName), fm.fileExists(atPath: reference) {
            path = reference
        } else if fm.fileExists(atPath: reference + "/" + fileName) {
            path = reference + "/" + fileName
        }
        if let path {
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
            return (RunStore(folder: dir.deletingLastPathComponent().path), try read(at: path))
        }
        guard reference.hasPrefix("sweep-") else { return nil }
        var found: [(RunStore, String)] = []
        for store in stores {
            for id in sweepIDs(store) where id == reference || id.hasPrefix(reference) { found.append((store, id)) }
        }
        if let exact = found.first(where: { $0.1 == reference }) { found = [exact] }
        if found.count > 1 { throw RecordError.ambiguous(reference: reference, candidates: found.map { $0.1 }) }
        guard let first = found.first else {
            throw RecordError.notFound(reference: reference, folder: stores.map(\.folder).joined(separator: ", "))
        }
        return (first.0, try read(at: folder(first.0, id: first.1) + "/" + fileName))
    }

    /// Checks every point against the records on disk, verifying rather than
    /// assuming: a point is complete when its run record reads (seal and
    /// format valid), is complete, and has this notebook's SHA-256 and the
    /// point's overrides and seed. A point whose named run is not that — or
    /// that names none (a Slurm array task, a sweep killed between a child's
    /// end and its own write) — takes the newest such record in the folder,
    /// if any. Returns the verified records by point index.
    @discardableResult
    public static func reconcile(_ sweep: inout SweepRecord, in store: RunStore) -> [Int: RunRecord] {
        var verified: [Int: RunRecord] = [:]
        var candidates: [RunRecord]?
        for i in sweep.points.indices {
            let p = sweep.points[i]
            if let id = p.run, let r = try? RunStore.read(recordAt: store.recordPath(id)) {
                if sweep.isFinished(p, by: r) {
                    sweep.points[i].status = .complete
                    verified[i] = r
                    continue
                }
                if p.status != .running { sweep.points[i].status = r.status == .running ? .running : (r.status == .failed ? .failed : .interrupted) }
            } else if p.run != nil, p.status == .complete {
                sweep.points[i].status = .interrupted
            }
            if candidates == nil {
                candidates = store.recordsByStart().filter { $0.notebook.sha256 == sweep.notebook.sha256 && $0.status == .complete }
            }
            if let r = candidates!.last(where: { sweep.isFinished(p, by: $0) }) {
                sweep.points[i].run = r.id
                sweep.points[i].status = .complete
                verified[i] = r
            } else if sweep.points[i].status == .complete {
                sweep.points[i].status = .pending
            }
        }
        return verified
    }

    /// The verified point records of a sweep, in point order, and a line for each point that has none.
    public static func records(of sweep: SweepRecord, in store: RunStore) -> (records: [RunRecord], missing: [String]) {
        var s = sweep
        let verified = reconcile(&s, in: store)
        var records: [RunRecord] = [], missing: [String] = []
        var all: [RunRecord]?   // the folder's records, read once, when a point first needs them
        for p in s.points {
            if let r = verified[p.index] { records.append(r); continue }
            // A record the sweep never learned of (a Slurm task) still says what happened to the point.
            if p.run == nil && all == nil { all = store.recordsByStart() }
            let run = p.run.map { ($0, p.status.rawValue) } ?? all!
                .last { $0.kind == .run && $0.notebook.sha256 == sweep.notebook.sha256 && $0.seed == p.seed && $0.overrides == p.overrides }
                .map { ($0.id, $0.status.rawValue) }
            missing.append("point \(p.index) (\(p.label)): " + (run.map { "run \($0.0) is \($0.1)" } ?? "not run"))
        }
        return (records, missing)
    }
}
