// RunRecord: what a run record holds — the `record.json` of `runs/<id>/`
// (format 2, docs/records.md; format 1 is still read). Plain Codable values: the notebook text and its
// SHA-256, the root seed and `--set` overrides, the build and the environment
// fingerprint, one entry per cell, every metric series exactly, the artifacts
// and checkpoints written, every file read (inputs), and the run's status. A `seal` (SHA-256 of the
// canonical content) makes hand edits detectable.
// Deliberately not here: reading and writing files (RunStore), running
// notebooks (RecordRunner), comparing runs (ReplayCompare).

import Foundation

/// The run as a whole.
public enum RunStatus: String, Codable, Sendable {
    /// The process that writes it is (or was, when it died) still working.
    case running
    case complete, failed, interrupted
}

/// What a record is of: a notebook run (`kymo run`, replay, resume) or a REPL
/// session (its accepted inputs, one cell each; it goes on after a failing cell).
public enum RunKind: String, Codable, Sendable {
    case run, repl
}

/// What the host tells a record about itself: the build it runs and the
/// environment it runs in (gathered by the host, never by the runtime).
public struct HostStamp: Equatable, Sendable {
    public var build: BuildStamp
    /// What decides the bits besides the notebook, its inputs and its seed:
    /// the engine's numerics version (`kymo-numerics-2`; docs/engine.md).
    public var numerics: String
    /// What does not: CPU, GEMM path, BLAS, threads, processes, OS.
    public var environment: EnvironmentFingerprint

    public init(build: BuildStamp, numerics: String, environment: EnvironmentFingerprint) {
        self.build = build; self.numerics = numerics; self.environment = environment
    }
}

/// One cell's outcome.
public enum CellStatus: String, Codable, Sendable {
    case complete, failed, interrupted
    /// Not run because an earlier cell failed or was interrupted.
    case skipped
}

/// A `run` record and all it holds. Field order here is the order in docs;
/// on disk keys are sorted (canonical form).
public struct RunRecord: Codable, Equatable, Sendable {
    /// The newest format this build reads and the one it writes. Format 2
    /// added `inputs` (and the optional `signature`); format 1 records are
    /// still read (they have no `inputs`).
    public static let currentFormat = 2

    public var format: Int
    /// `20261129-035512-3f9a1c`: UTC start time, then a short content hash.
    public var id: String
    /// `run` (a notebook file), `repl` (the accepted lines of a session).
    public var kind: RunKind
    public var status: RunStatus
    /// ISO 8601 UTC with milliseconds.
    public var startedAt: String
    public var endedAt: String?
    /// The process writing the record (to tell `running` from `interrupted`).
    public var process: ProcessStamp?
    public var notebook: NotebookSource
    /// The root seed the run started with (`--seed`; `seed(n)` calls are in the text).
    public var seed: UInt64
    /// `--set key=value`, in command-line order.
    public var overrides: [Override]
    public var kymo: BuildStamp
    /// The engine's numerics version (what decides the bits, with the build);
    /// absent in records made before it was recorded, when bits still
    /// followed the BLAS kernel (their environment's BLAS and CPU parts count).
    public var numerics: String?
    public var environment: EnvironmentFingerprint
    /// The random-stream key scheme of the language that made it (docs/language.md,
    /// "Randomness"); absent in records made before schemes were numbered (scheme 1).
    public var randomScheme: Int?
    public var cells: [CellRecord]
    public var metrics: [MetricSeriesRecord]
    public var artifacts: [ArtifactRecord]
    public var checkpoints: [CheckpointRecord]
    /// Every file the run read (digits, test sets, tensors, weights, loaded
    /// notebooks), once per file, in first-read order. Nil in format 1 records.
    public var inputs: [InputRecord]?
    /// Static errors (syntax, names, `--set`) that stopped the run before any cell ran.
    public var errors: [String]
    /// Runs this record continued (`kymo resume`), oldest first.
    public var resumes: [ResumeStamp]
    /// SHA-256 (hex) of the canonical JSON of every other field but `signature`; see `RecordSeal`.
    public var seal: String
    /// `kymo runs sign`: an Ed25519 signature over the seal (see `RecordSigning`);
    /// outside the seal, so signing does not change what the seal covers.
    public var signature: RecordSignature?

    public init(id: String, kind: RunKind = .run, startedAt: String, notebook: NotebookSource, seed: UInt64,
                overrides: [Override], kymo: BuildStamp, environment: EnvironmentFingerprint,
                randomScheme: Int? = nil, numerics: String? = nil, process: ProcessStamp? = nil) {
        self.format = RunRecord.currentFormat
        self.id = id
        self.kind = kind
        self.status = .running
        self.startedAt = startedAt
        self.process = process
        self.notebook = notebook
        self.seed = seed
        self.overrides = overrides
        self.kymo = kymo
        self.environment = environment
        self.randomScheme = randomScheme
        self.numerics = numerics
        self.cells = []
        self.metrics = []
        self.artifacts = []
        self.checkpoints = []
        self.inputs = []
        self.errors = []
        self.resumes = []
        self.seal = ""
    }

    /// Seconds from start to end (nil while running or if a time is unreadable).
    public var duration: Double? {
        guard let end = endedAt, let a = RecordTime.parse(startedAt), let b = RecordTime.parse(end) else { return nil }
        return b.timeIntervalSince(a)
    }

    public func series(named name: String) -> MetricSeriesRecord? { metrics.first { $0.name == name } }
}

public struct NotebookSource: Codable, Equatable, Sendable {
    /// The notebook's path as given on the command line (`repl` for a REPL session).
    public var path: String
    /// The folder relative paths of the notebook resolved against when it ran.
    public var workingDirectory: String
    public var text: String
    public var sha256: String

    public init(path: String, workingDirectory: String, text: String) {
        self.path = path
        self.workingDirectory = workingDirectory
        self.text = text
        self.sha256 = RecordHash.hex(of: text)
    }
}

public struct Override: Codable, Equatable, Sendable {
    public var key: String
    public var value: String
    public init(key: String, value: String) { self.key = key; self.value = value }
}

public struct BuildStamp: Codable, Equatable, Sendable {
    public var version: String
    /// `git rev-parse HEAD` of the source tree the binary was built from, `-dirty`
    /// appended when it had uncommitted changes, or `unknown`.
    public var commit: String
    public init(version: String, commit: String) { self.version = version; self.commit = commit }
}

public struct ProcessStamp: Codable, Equatable, Sendable {
    public var pid: Int32
    public var host: String
    /// Start time of the process in clock ticks since boot (`/proc/<pid>/stat`
    /// field 22), so that a recycled pid is not mistaken for the writer.
    public var startTicks: UInt64?
    public init(pid: Int32, host: String, startTicks: UInt64?) {
        self.pid = pid; self.host = host; self.startTicks = startTicks
    }
}

public struct ResumeStamp: Codable, Equatable, Sendable {
    /// When the continuation started.
    public var at: String
    /// The cell and checkpoint it continued from (step nil: from the cell's start).
    public var cell: Int
    public var step: Int?
    public var environment: EnvironmentFingerprint
    public init(at: String, cell: Int, step: Int?, environment: EnvironmentFingerprint) {
        self.at = at; self.cell = cell; self.step = step; self.environment = environment
    }
}

/// One cell as it ran.
public struct CellRecord: Codable, Equatable, Sendable {
    public var index: Int
    public var title: String?
    public var sourceSHA256: String
    public var output: String
    /// A digest of each global name the cell bound, in first-touch order.
    public var values: [ValueDigest]
    /// SHA-256 over the names and digests of `values`, in order.
    public var valuesSHA256: String
    /// How many points each metric series held when the cell ended (series
    /// order), so a divergence can be placed in the cell that logged it.
    public var metricCounts: [MetricCount]
    public var startedAt: String
    /// Seconds, wall clock (recorded, never compared).
    public var duration: Double
    public var status: CellStatus
    /// The error message (with its location) of a failed or interrupted cell.
    public var error: String?

    public init(index: Int, title: String?, sourceSHA256: String, output: String, values: [ValueDigest], valuesSHA256: String,
                metricCounts: [MetricCount], startedAt: String, duration: Double, status: CellStatus, error: String?) {
        self.index = index; self.title = title; self.sourceSHA256 = sourceSHA256; self.output = output; self.values = values
        self.valuesSHA256 = valuesSHA256; self.metricCounts = metricCounts; self.startedAt = startedAt
        self.duration = duration; self.status = status; self.error = error
    }

    public var displayTitle: String { title.map { "%% \($0)" } ?? "%% (untitled)" }
}

public struct ValueDigest: Codable, Equatable, Sendable {
    public var name: String
    /// The value's type name (`int`, `tensor`, `model`, …).
    public var type: String
    public var sha256: String
    public init(name: String, type: String, sha256: String) { self.name = name; self.type = type; self.sha256 = sha256 }
}

extension ValueDigest {
    /// SHA-256 over names and value digests, in order (a cell's `valuesSHA256`).
    public static func combined(_ digests: [ValueDigest]) -> String {
        var h = RecordHasher()
        h.add(UInt64(digests.count))
        for d in digests {
            h.add(d.name)
            h.add(d.sha256)
        }
        return h.finalize()
    }
}

public struct MetricCount: Codable, Equatable, Sendable {
    public var name: String
    public var count: Int
    public init(name: String, count: Int) { self.name = name; self.count = count }
}

/// A metric series: steps and values, stored exactly (see `ExactValues`).
public struct MetricSeriesRecord: Codable, Equatable, Sendable {
    public var name: String
    /// `log` (the notebook's `log(name, value)`) or `train` (a training history).
    public var source: String
    public var steps: [Int]
    public var values: ExactValues

    public init(name: String, source: String, steps: [Int], values: ExactValues) {
        self.name = name; self.source = source; self.steps = steps; self.values = values
    }

    enum CodingKeys: String, CodingKey { case name, source, steps, values }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        source = try c.decode(String.self, forKey: .source)
        steps = try c.decode([Int].self, forKey: .steps)
        values = try c.decode(ExactValues.self, forKey: .values)
        guard steps.count == values.count else {
            throw DecodingError.dataCorruptedError(forKey: .steps, in: c,
                debugDescription: "metric '\(name)' has \(steps.count) steps but \(values.count) values")
        }
    }
}

/// A file the notebook wrote, with a copy kept under the run folder.
public struct ArtifactRecord: Codable, Equatable, Sendable {
    /// The path as the notebook wrote it (relative to the working directory, or absolute).
    public var path: String
    /// The cell that wrote it (last write wins).
    public var cell: Int
    public var size: Int
    public var sha256: String
    /// The copy, relative to the run folder (`artifacts/…`); nil when no copy was kept.
    public var copy: String?
    public init(path: String, cell: Int, size: Int, sha256: String, copy: String?) {
        self.path = path; self.cell = cell; self.size = size; self.sha256 = sha256; self.copy = copy
    }
}

/// A file the run read, hashed once per run (the first read).
public struct InputRecord: Codable, Equatable, Sendable {
    /// The path as the notebook gave it (or, for digits found in the data
    /// folder, the file name).
    public var name: String
    /// Where it was read on the recording machine (machine-local; never compared).
    public var path: String
    /// What read it: `digits`, `sequences` (load_moving_mnist, load_sequences), `tensors`, `weights`, `notebook`.
    public var kind: String
    /// The cell that first read it.
    public var cell: Int
    public var size: Int
    public var sha256: String
    public init(name: String, path: String, kind: String, cell: Int, size: Int, sha256: String) {
        self.name = name; self.path = path; self.kind = kind; self.cell = cell; self.size = size; self.sha256 = sha256
    }

    /// The file's name (last path component).
    public var fileName: String { (path as NSString).lastPathComponent }
}

/// Who signed a record: an Ed25519 public key and its signature over the seal.
public struct RecordSignature: Codable, Equatable, Sendable {
    /// `ed25519`.
    public var algorithm: String
    /// The raw 32-byte public key, hex.
    public var publicKey: String
    /// The 64-byte signature of `RecordSigning.message(seal:)`, hex.
    public var signature: String
    public var signedAt: String
    public init(algorithm: String, publicKey: String, signature: String, signedAt: String) {
        self.algorithm = algorithm; self.publicKey = publicKey; self.signature = signature; self.signedAt = signedAt
    }
}

/// A training checkpoint: enough to continue a training call exactly.
public struct CheckpointRecord: Codable, Equatable, Sendable {
    /// The cell whose training call wrote it.
    public var cell: Int
    /// The training call's stable key (`<cell>.<line>:<column>#<n>`, as random streams use).
    public var site: String
    /// Completed training steps.
    public var step: Int
    /// Relative to the run folder (`checkpoints/…`).
    public var path: String
    public var size: Int
    public var sha256: String
    public var at: String
    public init(cell: Int, site: String, step: Int, path: String, size: Int, sha256: String, at: String) {
        self.cell = cell; self.site = site; self.step = step; self.path = path
        self.size = size; self.sha256 = sha256; self.at = at
    }
}
