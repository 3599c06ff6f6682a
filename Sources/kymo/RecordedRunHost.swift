// RecordedRunHost: how `kymo run` records what it runs (the runs folder
// checked, every cell run and recorded, the run id printed), and
// ReplRecording: a REPL session's record, one cell per accepted input.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

/// Recording for the hosts that run notebooks (`kymo run`) and sessions (the REPL).
enum RecordedRunHost {
    /// The one host value of this process: built here, once per command, and
    /// passed down whole to every run, replay and resume it starts.
    static func host(console: Console, interrupt: InterruptFlag, sharesRunID: Bool,
                     output: OutputSink? = nil, progress: ProgressReporter? = nil) -> RunHost {
        var h = RunHost(stamp: HostEnvironment.stamp())
        h.output = output ?? console
        h.progress = progress ?? console
        h.interrupt = interrupt
        h.registry = BuiltinCatalog.registry()
        h.figureWriter = HostEnvironment.figureWriter
        h.originKeyFolder = RecordSigning.keyFolder()
        return MPIJob.host(h, sharesRunID: sharesRunID)
    }

    /// `kymo run`: checks the runs folder, runs and records every cell, prints
    /// each cell's title and output and the run id at the end. Throws
    /// `ExitCode` 1 for a failed run, 130 interrupted, 2 when it cannot record.
    static func run(notebook path: String, text: String, seed: UInt64, overrides: [(key: String, value: String)],
                    runsFolder: String?, workingDirectory: String, console: Console, interrupt: InterruptFlag,
                    confined: Bool = false) throws {
        var o = RecordedRunOptions(notebookPath: path, text: text, workingDirectory: workingDirectory,
                                   host: RecordedRunHost.host(console: console, interrupt: interrupt, sharesRunID: true))
        if confined {
            // Writes inside runs/<id>/files/; reads from the data folder and the notebook's folder only.
            let notebookFolder = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory)).deletingLastPathComponent().path
            o.paths = .confinedRun(notebookFolder: notebookFolder)
            o.confineWritesToRunFolder = true
        }
        o.seed = seed
        o.overrides = overrides.map { Override(key: $0.key, value: $0.value) }
        o.runsFolder = RunStore.folder(forNotebook: path, runs: runsFolder)
        o.onCellStart = { console.write($0.displayTitle + "\n") }
        o.onCellEnd = { r in for d in r.diagnostics { console.error(DiagnosticFormatter.render(d)) } }
        let result: RecordedRunResult
        do { result = try RecordRunner.run(o) } catch { throw recordFailure("run", error) }
        if !result.diagnostics.isEmpty {
            console.error(DiagnosticFormatter.render(result.diagnostics))
            console.error("kymo run: \(result.diagnostics.count) error\(result.diagnostics.count == 1 ? "" : "s"); nothing was run (recorded as run \(result.record.id))\n")
            throw ExitStatus.failed.code
        }
        try finish(result, console: console, verb: "run")
    }

    /// The closing line (`run <id>: complete, 3/3 cells in 1.2 s, runs/<id>`) and the exit code.
    static func finish(_ result: RecordedRunResult, console: Console, verb: String) throws {
        let r = result.record
        let done = r.cells.filter { $0.status == .complete }.count
        var line = "\(verb) \(r.id): \(r.status.rawValue), \(done)/\(r.cells.count) cells in \(RunListing.duration(r))"
        if let folder = result.runFolder { line += ", recorded in \(TerminalText.quotedPath(folder))" }
        console.status(line + "\n")
        if let e = result.recordError {
            console.error("kymo \(verb): \(e)\n")
            throw ExitStatus.couldNot.code
        }
        switch r.status {
        case .complete: return
        case .interrupted: throw Interrupts.interruptedStatus.code
        case .failed, .running: throw ExitStatus.failed.code
        }
    }
}

/// A REPL or kernel session's record (`runs/<id>/record.json` under `--runs`,
/// default `runs`): written from the first input that runs, one cell per
/// input. If the record can no longer be written, that is said once (through
/// `report`: the console's stderr, or the kernel's stderr stream) and the
/// session goes on unrecorded.
final class ReplRecording {
    let recorder: ReplRecorder
    private let report: (String) -> Void
    private var broken = false

    init(runsFolder: String?, seed: UInt64, workingDirectory: String, report: @escaping (String) -> Void) {
        recorder = ReplRecorder(runsFolder: runsFolder ?? "runs", seed: seed, workingDirectory: workingDirectory,
                                host: HostEnvironment.stamp())
        self.report = report
    }

    /// The id `run_id()` returns in this session.
    var id: String { recorder.id }

    /// After `session.evaluate(input:)`, or for each cell a `:load` ran:
    /// records the input if it ran (inputs rejected by the checker did not).
    /// `title`: the cell's title in the record (nil: `input N`).
    /// Returns whether it was recorded.
    @discardableResult
    func record(_ result: CellResult, session: Session, startedAt: Date, title: String? = nil) -> Bool {
        guard !broken, result.status != .skipped, result.index < session.results.count else { return false }
        do {
            try recorder.accepted(result, session: session, startedAt: startedAt, title: title)
            return true
        } catch {
            broken = true
            report("kymo: this session is no longer recorded: \(error)\n")
            return false
        }
    }

    /// `:load FILE` read a notebook: recorded as an input of the session.
    func notebookLoaded(path: String) {
        guard !broken else { return }
        do { try recorder.notebookLoaded(path: path) } catch {
            broken = true
            report("kymo: this session is no longer recorded: \(error)\n")
        }
    }

    /// The session ended (`:quit`, end of input).
    func finish() {
        guard !broken else { return }
        do { try recorder.finish() } catch { report("kymo: \(error)\n") }
    }
}
