// `kymo run NB.kymo`: check the whole notebook, then run its cells in order,
// printing each cell's title and output, recording the run in
// runs/<id>/record.json; exit non-zero with the diagnostic when a cell fails
// (ExitStatus: 1 failed, 2 cannot read or record, 64 a bad --set, 130 interrupted).

import ArgumentParser
import Foundation
import Records
import KymoLanguage
import Notebook
import TensorEngine

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every cell of a notebook in order.",
        discussion: """
            Standard output carries the cells' titles and what the notebook prints; progress and the closing \
            `run <id>: complete, …` line go to standard error (progress fitted to the terminal; plain lines when \
            stderr is not a terminal or TERM=dumb; none with --quiet).

            Exit status: 0 complete, 1 a cell failed or the notebook has errors, 2 the notebook cannot be read or the \
            run cannot be recorded, 64 a usage error such as an unknown --set key (nothing recorded), 130/143 interrupted.

            EXAMPLES:
              kymo run notebooks/quickstart.kymo
              kymo run nb.kymo --set steps=3 --seed 7 > out.txt
              kymo run nb.kymo --quiet --runs /scratch/runs
              kymo run -- -odd-name.kymo
            """)

    @Argument(help: "The notebook (.kymo) to run.")
    var notebook: String

    @Option(help: "Root seed (default 0); refused when the notebook pins its seed with seed(n).")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: "Override a top-level let: --set steps=3 (repeatable).")
    var overrides: [String] = []

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @OptionGroup var memory: MemoryOption

    @Option(help: ArgumentHelp("Record the run in DIR/<id> (default: runs/ beside the notebook).", valueName: "dir"))
    var runs: String?

    @Flag(help: "Confine the notebook: it writes only inside runs/<id>/files/ and reads only the data folder and its own folder (for a notebook you did not write).")
    var confined = false
    @Option(help: ArgumentHelp("Run as N cooperating processes under mpirun (results never depend on it).", valueName: "n"))
    var procs: Int?

    @Flag(name: [.customShort("q"), .long], help: "No progress and no closing status line (the notebook's output and errors still show).")
    var quiet = false

    func run() throws {
        try MPIJob.relaunchIfAsked(procs: procs, command: "run")
        try ThreadCount.configure(threads)
        try memory.apply()
        let console = Console(silent: !MPIJob.isLeader, quiet: quiet)
        let text: String
        do { text = try NotebookFile.read(notebook) } catch {
            console.error("\(error)\n")
            throw ExitStatus.couldNot.code
        }
        if let seed, let pins = Optional(SeedPins.find(inNotebook: notebook, text: text)), !pins.isEmpty {
            console.error(SeedPins.refusal(path: notebook, pins: pins, what: "--seed \(seed)") + "\n")
            throw ExitStatus.couldNot.code
        }
        let parsedOverrides = try overrides.map { try Run.parseOverride($0) }
        let bad = CommandLineChecks.overrideProblems(notebook: notebook, text: text, overrides: parsedOverrides)
        if !bad.isEmpty {
            console.error(DiagnosticFormatter.render(bad))
            console.error("kymo run: nothing was run or recorded\n")
            throw ExitStatus.usage.code
        }
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt, termination: true)
        // Runs every cell and records the run (RunsCommands.swift).
        try RecordedRunHost.run(notebook: notebook, text: text, seed: seed ?? 0, overrides: parsedOverrides,
                                runsFolder: runs, workingDirectory: FileManager.default.currentDirectoryPath,
                                console: console, interrupt: interrupt, confined: confined)
    }

    static func parseOverride(_ s: String) throws -> (key: String, value: String) {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
            throw ValidationError("--set takes key=value, got '\(s)'")
        }
        return (String(s[..<eq]).trimmingCharacters(in: .whitespaces), String(s[s.index(after: eq)...]))
    }
}
