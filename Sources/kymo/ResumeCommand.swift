// `kymo resume RUN`: continues an interrupted run from its last checkpoint
// (a run made here by this user, or with `--trust`); the result is the
// uninterrupted run's.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue an interrupted run: re-execute (and check) the cells it finished, then run and record the rest.",
        discussion: """
            EXAMPLES:
              kymo resume last
              kymo resume b6daff --threads 2
            """)

    @Argument(help: ArgumentHelp("The run: an id, a unique part of one, last, last~N, or a run folder.", valueName: "run"), completion: RunHandleCompletion.kind)
    var reference: String

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @Option(help: ArgumentHelp("Continue as N cooperating processes under mpirun (results never depend on it).", valueName: "n"))
    var procs: Int?

    @Flag(help: "Resume a record that was not made on this machine by this user (its code then runs unconfined, as yours).")
    var trust = false

    @OptionGroup var memory: MemoryOption

    @OptionGroup var runs: RunsFolderOption

    @Flag(name: [.customShort("q"), .long], help: "No progress and no closing status line.")
    var quiet = false

    func run() throws {
        try MPIJob.relaunchIfAsked(procs: procs, command: "resume")
        try ThreadCount.configure(threads)
        try memory.apply()
        let folder: String, id: String
        do { (folder, id) = try { let l = try runs.load(self.reference); return (l.folder, l.record.id) }() } catch {
            throw recordFailure("resume", error)
        }
        // Resuming runs the record's code unconfined: only for records made here, by this user, unless trusted.
        if !trust && !RecordOrigin.isMadeHere(runFolder: folder, id: id) {
            throw recordFailure("resume", RecordError.cannotContinue(id: id, detail:
                "it was not recorded on this machine by this user (\(folder)/\(RecordOrigin.fileName) has no valid mark), and resuming "
                + "runs its code unconfined, with your files; check it with `kymo replay` (confined), or pass --trust to resume it anyway"))
        }
        let console = Console(silent: !MPIJob.isLeader, quiet: quiet)
        console.sanitizing = true
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt, termination: true)
        let result: RecordedRunResult
        do {
            result = try Replayer.resume(folder: folder, host: RecordedRunHost.host(console: console, interrupt: interrupt, sharesRunID: false),
                                         onCellStart: { console.write($0.displayTitle + "\n") },
                                         onCellEnd: { r in for d in r.diagnostics { console.error(DiagnosticFormatter.render(d)) } },
                                         follower: !MPIJob.isLeader)
        } catch {
            let code = recordFailure("resume", error)
            // One process of a job refusing must not leave the others waiting in a collective.
            if let g = MPIJob.current, g.size > 1 { g.world.abort(code: code.rawValue) }
            throw code
        }
        try RecordedRunHost.finish(result, console: console, verb: "resumed")
    }
}
