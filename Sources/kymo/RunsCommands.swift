// The record commands: `kymo replay RUN`, `kymo runs [show RUN | diff A B]`,
// `kymo resume RUN`, and `RecordedRunHost`, which `kymo run` and the REPL
// use to record what they run. RUN is a run id, a unique id prefix, or a run
// folder; runs are looked up under `--runs DIR` (default: `runs` and every
// `*/runs` one level down, where `kymo run` records notebooks in subfolders).
// Exit codes: 0 success (replay: identical), 3 replay: identical numbers
// (only text differs), 1 a divergence or a failed run, 2 a record that
// cannot be used (missing, refused, a bad signature, a missing input,
// unwritable), 130 interrupted.

import ArgumentParser
import Foundation
import Notebook
import Records
import TensorEngine

struct RunsFolderOption: ParsableArguments {
    @Option(name: .customLong("runs"), help: ArgumentHelp(
        "The runs folder (default: ./runs and every */runs one level down, such as notebooks/runs).", valueName: "dir"))
    var folder: String?

    /// The runs folders looked in, in a fixed order.
    var stores: [RunStore] {
        if let folder { return [RunStore(folder: folder)] }
        let fm = FileManager.default
        var folders = ["runs"]
        let names = ((try? fm.contentsOfDirectory(atPath: ".")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: name + "/runs", isDirectory: &isDir), isDir.boolValue { folders.append(name + "/runs") }
        }
        return folders.map(RunStore.init)
    }

    /// The run a reference names: a run folder, an id, or a unique id prefix in any of the folders.
    func load(_ reference: String) throws -> (folder: String, record: RunRecord) {
        let stores = self.stores
        if reference.contains("/") || stores.count == 1 { return try stores[0].load(reference) }
        var exact: [String] = [], prefixed: [String] = []
        for store in stores {
            for id in store.runIDs() {
                if id == reference { exact.append(store.runFolder(id)) } else if id.hasPrefix(reference) { prefixed.append(store.runFolder(id)) }
            }
        }
        let found = exact.isEmpty ? prefixed : exact
        if found.count > 1 { throw RecordError.ambiguous(reference: reference, candidates: found) }
        guard let dir = found.first else {
            throw RecordError.notFound(reference: reference, folder: stores.map(\.folder).joined(separator: ", "))
        }
        return (dir, try RunStore.read(recordAt: dir + "/record.json"))
    }

    /// Every run of every folder, oldest first.
    func list() -> [(id: String, record: Result<RunRecord, RecordError>)] {
        stores.flatMap { $0.list() }.sorted { $0.id < $1.id }
    }
}

/// Prints a record problem on standard error and exits 2.
func recordFailure(_ command: String, _ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("kymo \(command): \(error)\n".utf8))
    return ExitCode(2)
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-execute a recorded run, confined to runs/<id>/replay-<n>/, and verify it.",
        discussion: "Exit status: 0 identical, 3 identical numbers (only text differs), 1 diverged, 2 the record cannot be used, 130 interrupted.")

    @Argument(help: ArgumentHelp("The run: an id, a unique id prefix, or a run folder.", valueName: "run"))
    var reference: String

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @OptionGroup var memory: MemoryOption

    @OptionGroup var runs: RunsFolderOption

    @Flag(help: "Also print the cells' output as they replay.")
    var verbose = false

    @Flag(help: "Stop at the first difference instead of comparing every cell.")
    var failFast = false

    @Flag(help: "Copy the artifacts whose bytes match the record to their recorded paths (only inside the recorded working folder).")
    var restoreArtifacts = false

    @Option(help: ArgumentHelp("Execute this notebook instead of the recorded text (an edited copy), with the recorded seed and overrides.",
                               valueName: "file"))
    var notebook: String?

    func run() throws {
        Engine.configure(threads: threads)
        try memory.apply()
        let folder: String, record: RunRecord
        do { (folder, record) = try runs.load(self.reference) } catch { throw recordFailure("replay", error) }
        var text: String?
        if let notebook {
            do { text = try String(contentsOfFile: notebook, encoding: .utf8) } catch {
                throw recordFailure("replay", RecordError.unreadable(path: notebook, detail: "\(error.localizedDescription)"))
            }
        }
        let console = Console(silent: !MPIJob.isLeader)
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt)
        console.error("replaying \(record.id) (\(record.notebook.path), \(record.cells.count) cell\(record.cells.count == 1 ? "" : "s") recorded, \(Engine.threads) thread\(Engine.threads == 1 ? "" : "s"))\n")
        console.error("signed: \(RunListing.signatureText(record))\n")
        let replayFolder: String
        do { replayFolder = try Replayer.makeReplayFolder(runFolder: folder) } catch { throw recordFailure("replay", error) }
        console.error("confined to \(replayFolder)/\n")
        // The inputs first, before any cell runs (hashed once: the replay reuses these hashes).
        let hashes = FileHashCache()
        let wd = FileManager.default.fileExists(atPath: record.notebook.workingDirectory)
            ? record.notebook.workingDirectory : FileManager.default.currentDirectoryPath
        let checks = Replayer.checkInputs(record, workingDirectory: wd, dataDirectories: Replayer.dataDirectories(), hashes: hashes)
        if record.inputs == nil {
            console.error("inputs: not recorded (a format-1 record)\n")
        } else {
            let found = checks.filter { if case .found = $0.state { return true } else { return false } }.count
            console.error("inputs: \(found) of \(checks.count) found with their recorded SHA-256\n")
            for c in checks { if case .found = c.state { continue }; console.error("  " + c.line + "\n") }
        }
        let output: OutputSink = verbose ? console : BufferSink()
        let progress: ProgressReporter = console.isTerminal || verbose ? console : SilentProgress()
        let result: (report: ReplayReport, fresh: RecordedRunResult)
        do {
            result = try Replayer.run(record, host: HostEnvironment.stamp(), text: text, registry: RecordedRunHost.registry(),
                                      figureWriter: HostEnvironment.figureWriter, output: output, progress: progress, interrupt: interrupt,
                                      onCellStart: verbose ? { console.write($0.displayTitle + "\n") } : nil,
                                      replayFolder: replayFolder, failFast: failFast, hashes: hashes,
                                      onDifference: { d in
                                          console.error("first difference, \(d.line)\n")
                                          console.error(failFast ? "  stopping there (--fail-fast)\n"
                                                                 : "  comparison goes on (--fail-fast stops at the first difference)\n")
                                      },
                                      configure: { MPIJob.configure(&$0, sharesRunID: false) })
        } catch {
            throw recordFailure("replay", error)
        }
        let report = result.report
        console.write(report.render())
        let json = report.verdictJSON(at: Date(), threads: Engine.threads, run: record.id)
        if FileManager.default.createFile(atPath: replayFolder + "/verdict.json", contents: json) {
            console.error("verdict written to \(replayFolder)/verdict.json\n")
        }
        if restoreArtifacts {
            for line in Replayer.restoreArtifacts(record: record, fresh: result.fresh.record, replayFolder: replayFolder) {
                console.write(line + "\n")
            }
        }
        if interrupt.isRequested { throw ExitCode(130) }
        let code = report.verdict.exitCode
        if code != 0 { throw ExitCode(code) }
    }
}

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect and compare recorded runs.",
        subcommands: [List.self, Show.self, Diff.self, Compare.self, Sign.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A table of the recorded runs: id, notebook, status, seed, key metrics, duration.")

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            FileHandle.standardOutput.write(Data(RunListing.table(runs.list()).utf8))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One recorded run in full.")

        @Argument(help: ArgumentHelp("The run: an id, a unique id prefix, or a run folder.", valueName: "run"))
        var reference: String

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            do {
                let (folder, record) = try runs.load(self.reference)
                FileHandle.standardOutput.write(Data(RunListing.show(record, folder: folder).utf8))
            } catch {
                throw recordFailure("runs show", error)
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Two runs' config, environment and metrics side by side, and where their cells first differ.")

        @Argument(help: "The first run.")
        var a: String

        @Argument(help: "The second run.")
        var b: String

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            do {
                let ra = try runs.load(a).record, rb = try runs.load(b).record
                FileHandle.standardOutput.write(Data(RunListing.diff(ra, rb).utf8))
            } catch {
                throw recordFailure("runs diff", error)
            }
        }
    }
}

extension Runs {
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a complete record with your Ed25519 key (created on first use under $XDG_CONFIG_HOME/kymo or ~/.config/kymo).")

        @Argument(help: ArgumentHelp("The run: an id, a unique id prefix, or a run folder.", valueName: "run"))
        var reference: String

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            do {
                let (folder, _) = try runs.load(self.reference)
                let keys = RecordSigning.keyFolder()
                let (fingerprint, created) = try RecordSigning.signRun(folder: folder, keyFolder: keys)
                if created { FileHandle.standardError.write(Data("created a signing key in \(keys)/signing-key (mode 600)\n".utf8)) }
                FileHandle.standardOutput.write(Data("signed \(folder)/record.json with ed25519 key \(fingerprint)\n".utf8))
            } catch {
                throw recordFailure("runs sign", error)
            }
        }
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue an interrupted run: re-execute (and check) the cells it finished, then run and record the rest.")

    @Argument(help: ArgumentHelp("The run: an id, a unique id prefix, or a run folder.", valueName: "run"))
    var reference: String

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @OptionGroup var memory: MemoryOption

    @OptionGroup var runs: RunsFolderOption

    func run() throws {
        Engine.configure(threads: threads)
        try memory.apply()
        let folder: String
        do { folder = try runs.load(self.reference).folder } catch { throw recordFailure("resume", error) }
        let console = Console(silent: !MPIJob.isLeader)
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt)
        let result: RecordedRunResult
        do {
            result = try Replayer.resume(folder: folder, host: HostEnvironment.stamp(), registry: RecordedRunHost.registry(),
                                         figureWriter: HostEnvironment.figureWriter, output: console, progress: console, interrupt: interrupt,
                                         onCellStart: { console.write($0.displayTitle + "\n") },
                                         onCellEnd: { r in for d in r.diagnostics { console.error(DiagnosticFormatter.render(d)) } },
                                         follower: !MPIJob.isLeader,
                                         configure: { MPIJob.configure(&$0, sharesRunID: false) })
        } catch {
            throw recordFailure("resume", error)
        }
        try RecordedRunHost.finish(result, console: console, verb: "resumed")
    }
}

/// Recording for the hosts that run notebooks (`kymo run`) and sessions (the REPL).
enum RecordedRunHost {
    /// The built-ins every recorded execution uses — `kymo run`, `replay` and
    /// `resume` alike, so a replay runs what the run ran. Host-only
    /// implementations (figure saving through Cairo) are bound here.
    static func registry() -> BuiltinRegistry {
        BuiltinRegistry()
    }

    /// `kymo run`: checks the runs folder, runs and records every cell, prints
    /// each cell's title and output and the run id at the end. Throws
    /// `ExitCode` 1 for a failed run, 130 interrupted, 2 when it cannot record.
    static func run(notebook path: String, text: String, seed: UInt64, overrides: [(key: String, value: String)],
                    runsFolder: String?, workingDirectory: String, console: Console, interrupt: InterruptFlag,
                    confined: Bool = false) throws {
        var o = RecordedRunOptions(notebookPath: path, text: text, workingDirectory: workingDirectory, host: HostEnvironment.stamp())
        if confined {
            // Writes inside runs/<id>/files/; reads from the data folder and the notebook's folder only.
            let notebookFolder = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory)).deletingLastPathComponent().path
            o.paths = .confinedRun(notebookFolder: notebookFolder)
            o.confineWritesToRunFolder = true
        }
        o.seed = seed
        o.overrides = overrides.map { Override(key: $0.key, value: $0.value) }
        o.runsFolder = RunStore.folder(forNotebook: path, runs: runsFolder)
        o.output = console
        o.progress = console
        o.interrupt = interrupt
        o.onCellStart = { console.write($0.displayTitle + "\n") }
        o.onCellEnd = { r in for d in r.diagnostics { console.error(DiagnosticFormatter.render(d)) } }
        o.registry = registry()
        o.figureWriter = HostEnvironment.figureWriter
        MPIJob.configure(&o, sharesRunID: true)
        let result: RecordedRunResult
        do { result = try RecordRunner.run(o) } catch { throw recordFailure("run", error) }
        if !result.diagnostics.isEmpty {
            console.error(DiagnosticFormatter.render(result.diagnostics))
            console.error("kymo run: \(result.diagnostics.count) error\(result.diagnostics.count == 1 ? "" : "s"); nothing was run (recorded as run \(result.record.id))\n")
            throw ExitCode(1)
        }
        try finish(result, console: console, verb: "run")
    }

    /// The closing line (`run <id>: complete, 3/3 cells in 1.2 s, runs/<id>`) and the exit code.
    static func finish(_ result: RecordedRunResult, console: Console, verb: String) throws {
        let r = result.record
        let done = r.cells.filter { $0.status == .complete }.count
        var line = "\(verb) \(r.id): \(r.status.rawValue), \(done)/\(r.cells.count) cells in \(RunListing.duration(r))"
        if let folder = result.runFolder { line += ", recorded in \(folder)" }
        console.write(line + "\n")
        if let e = result.recordError {
            console.error("kymo \(verb): \(e)\n")
            throw ExitCode(2)
        }
        switch r.status {
        case .complete: return
        case .interrupted: throw ExitCode(130)
        case .failed, .running: throw ExitCode(1)
        }
    }
}

/// A REPL session's record (`runs/<id>/record.json` under `--runs`, default
/// `runs`): written from the first input that runs, one cell per input. If
/// the record can no longer be written, that is said once and the session
/// goes on unrecorded.
final class ReplRecording {
    let recorder: ReplRecorder
    private let console: Console
    private var broken = false

    init(runsFolder: String?, seed: UInt64, workingDirectory: String, console: Console) {
        recorder = ReplRecorder(runsFolder: runsFolder ?? "runs", seed: seed, workingDirectory: workingDirectory,
                                host: HostEnvironment.stamp())
        self.console = console
    }

    /// The id `run_id()` returns in this session.
    var id: String { recorder.id }

    /// After `session.evaluate(input:)`, or for each cell a `:load` ran:
    /// records the input if it ran (inputs rejected by the checker did not).
    func record(_ result: CellResult, session: Session, startedAt: Date) {
        guard !broken, result.status != .skipped, result.index < session.results.count else { return }
        do { try recorder.accepted(result, session: session, startedAt: startedAt) } catch {
            broken = true
            console.error("kymo: this session is no longer recorded: \(error)\n")
        }
    }

    /// `:load FILE` read a notebook: recorded as an input of the session.
    func notebookLoaded(path: String) {
        guard !broken else { return }
        do { try recorder.notebookLoaded(path: path) } catch {
            broken = true
            console.error("kymo: this session is no longer recorded: \(error)\n")
        }
    }

    /// The session ended (`:quit`, end of input).
    func finish() {
        guard !broken else { return }
        do { try recorder.finish() } catch { console.error("kymo: \(error)\n") }
    }
}
