// RunHost: what the program that starts runs (kymo's CLI, a test) gives every
// recorded run, replay and resume — built once and passed down whole, never
// copied field by field: the build and environment, where output and
// progress go, the interrupt flag, the built-ins, the figure writer, and, in
// an MPI job, the process group and what the other ranks do differently.

import KymoLanguage
import Models
import Records

public struct RunHost {
    /// The build and environment this process runs in (recorded, never compared for "identical").
    public var stamp: HostStamp
    public var output: OutputSink = BufferSink()
    public var progress: ProgressReporter = SilentProgress()
    public var interrupt = InterruptFlag()
    /// The built-ins (a host may bind its own); nil: `BuiltinCatalog.registry()` per run.
    public var registry: BuiltinRegistry?
    /// How figures are saved (the host's renderer); nil: `.save` fails.
    public var figureWriter: FigureWriter?
    /// Where `kymo run` keeps the per-user key that marks records as made here
    /// (RecordOrigin); nil: records are not marked.
    public var originKeyFolder: String?
    /// The processes running the notebook together (an MPI job).
    public var processGroup: ProcessGroup = SingleProcess()
    /// Whether this process keeps the stored record (false on the non-zero
    /// ranks of an MPI job: rank 0 writes it).
    public var keepsRecord = true
    /// Where a non-zero rank's files go (rank 0 makes the real ones).
    public var writeFolder: String?
    /// An MPI job: called once the record exists with its id (rank 0) or with
    /// nil before it is made (the other ranks); returns rank 0's id, so
    /// `run_id()` is the same on every rank.
    public var shareRunID: ((String?) throws -> String)?
    /// An MPI job: called on every rank after each cell with a digest of what
    /// the cell printed, bound and logged; throws when the ranks disagree.
    public var crossCheck: ((_ cell: Int, _ digest: String) throws -> Void)?

    public init(stamp: HostStamp) {
        self.stamp = stamp
    }
}
