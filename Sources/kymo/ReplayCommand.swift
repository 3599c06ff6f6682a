// `kymo replay RUN`: re-executes a recorded run from its record, confined to
// `runs/<id>/replay-<n>/`, and compares it cell by cell. Exit statuses
// (ExitStatus): 0 identical, 3 identical numbers (only text differs), 1 a
// divergence, 2 a record that cannot be used (missing, refused, a bad
// signature, a missing or changed input), 130 interrupted.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-execute a recorded run, confined to runs/<id>/replay-<n>/, and verify it.",
        discussion: """
            Exit status: 0 identical, 1 identical numbers (only text differs), 3 diverged, 2 the record cannot be used, \
            130 interrupted. The verdict is the first line of standard output; the rest goes to standard error.

            EXAMPLES:
              kymo replay last
              kymo replay b6daff --threads 1 --fail-fast
              kymo replay sweep-32b6239f0d8c --jobs 2
            """)

    @Argument(help: ArgumentHelp("The run: an id, a unique part of one, last, last~N, or a run folder.", valueName: "run"), completion: RunHandleCompletion.kind)
    var reference: String

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @OptionGroup var memory: MemoryOption

    @OptionGroup var runs: RunsFolderOption

    @Flag(help: "Also print the cells' output as they replay.")
    var verbose = false

    @Flag(help: "Stop at the first difference instead of comparing every cell.")
    var failFast = false

    @Flag(help: "Copy the artifacts whose bytes match the record into runs/<id>/replay-<n>/restored/ (or --restore-to), at their relative paths.")
    var restoreArtifacts = false

    @Option(help: ArgumentHelp("With --restore-artifacts: restore into this existing folder instead (never a folder the record names).",
                               valueName: "dir"))
    var restoreTo: String?

    @Flag(help: "Replay even when an input's bytes differ from the recorded SHA-256 (the changed file is then read).")
    var allowChangedInputs = false

    @Option(help: ArgumentHelp("Execute this notebook instead of the recorded text (an edited copy), with the recorded seed and overrides.",
                               valueName: "file"))
    var notebook: String?

    @Option(help: ArgumentHelp("Look for the record's inputs in this folder first (by the names the notebook gave); repeatable.",
                               valueName: "dir"))
    var inputsFrom: [String] = []

    @Flag(help: "Also look for inputs at the absolute paths the recording machine read them from.")
    var inputsAtRecordedPaths = false

    @Option(help: "A sweep: replay this many points at once (each in its own process).")
    var jobs: Int = 1

    func run() throws {
        if ReplaySweep.isSweepReference(reference, runs: runs) {
            try ReplaySweep(replay: self).run()
            return
        }
        try ThreadCount.configure(threads)
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
        console.sanitizing = true
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt)
        console.error("replaying \(record.id) (\(record.notebook.path), \(record.cells.count) cell\(record.cells.count == 1 ? "" : "s") recorded, \(Engine.threads) thread\(Engine.threads == 1 ? "" : "s"))\n")
        console.error("signed: \(RunListing.signatureText(record))\n")
        let replayFolder: String
        do { replayFolder = try Replayer.makeReplayFolder(runFolder: folder) } catch { throw recordFailure("replay", error) }
        console.error("confined to \(replayFolder)/\n")
        // The inputs first, before any cell runs (hashed once: the replay reuses these hashes).
        let hashes = FileHashCache()
        let search = InputSearch(recordFolder: folder, inputsFrom: inputsFrom, recordedPaths: inputsAtRecordedPaths,
                                 dataDirectories: Replayer.dataDirectories())
        let checks = search.check(record, hashes: hashes)
        if record.inputs == nil {
            console.error("inputs: not recorded (a format-1 record)\n")
        } else {
            let found = checks.filter { if case .found = $0.state { return true } else { return false } }.count
            console.error("inputs: \(found) of \(checks.count) found with their recorded SHA-256\n")
            for c in checks { console.error("  " + c.line + "\n") }
        }
        console.error("working folder: \(replayFolder)/files (recorded in \(record.notebook.workingDirectory))\n")
        let output: OutputSink = verbose ? console : BufferSink()
        let progress: ProgressReporter = console.isTerminal || verbose ? console : SilentProgress()
        let result: (report: ReplayReport, fresh: RecordedRunResult)
        do {
            var replay = ReplayOptions()
            replay.text = text
            replay.displayName = notebook   // errors in an edited copy point at that file
            replay.onCellStart = verbose ? { console.write($0.displayTitle + "\n") } : nil
            replay.replayFolder = replayFolder
            replay.failFast = failFast
            replay.allowChangedInputs = allowChangedInputs
            replay.inputs = search
            replay.inputChecks = checks   // checked once, above
            replay.hashes = hashes
            replay.onDifference = { d in
                console.error("first difference, \(d.line)\n")
                console.error(failFast ? "  stopping there (--fail-fast)\n"
                                       : "  comparison goes on (--fail-fast stops at the first difference)\n")
            }
            let host = RecordedRunHost.host(console: console, interrupt: interrupt, sharesRunID: false, output: output, progress: progress)
            result = try Replayer.run(record, host: host, replay)
        } catch {
            _ = rmdir(replayFolder)   // removed only while empty: refused before any cell ran
            throw recordFailure("replay", error)
        }
        let report = result.report
        console.write(report.render())
        VerdictWriter.write(report, record: record, replayFolder: replayFolder, console: console)
        if restoreArtifacts {
            let target = restoreTo ?? replayFolder + "/restored"
            if restoreTo == nil { _ = mkdir(target, 0o755) }
            for line in Replayer.restoreArtifacts(record: record, fresh: result.fresh.record, replayFolder: replayFolder, into: target) {
                console.write(line + "\n")
            }
        }
        if interrupt.isRequested { throw ExitStatus.interrupted.code }
        let status = report.verdict.exitStatus
        if status != .ok { throw status.code }
    }
}
