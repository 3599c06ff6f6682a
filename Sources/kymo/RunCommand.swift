// `kymo run NB.kymo`: check the whole notebook, then run its cells in order,
// printing each cell's title and output, recording the run in
// runs/<id>/record.json; exit non-zero with the diagnostic when a cell fails
// (130 when interrupted, 2 when the run cannot be recorded).

import ArgumentParser
import Foundation
import Records
import KymoLanguage
import Notebook
import TensorEngine

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every cell of a notebook in order.")

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

    func run() throws {
        try MPIJob.relaunchIfAsked(procs: procs, command: "run")
        Engine.configure(threads: threads)
        try memory.apply()
        let console = Console(silent: !MPIJob.isLeader)
        let text: String
        do { text = try NotebookFile.read(notebook) } catch {
            console.error("\(error)\n")
            throw ExitStatus.failed.code
        }
        if let seed, let pins = Optional(SeedPins.find(inNotebook: notebook, text: text)), !pins.isEmpty {
            console.error(SeedPins.refusal(path: notebook, pins: pins, what: "--seed \(seed)") + "\n")
            throw ExitCode(2)
        }
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt, termination: true)
        // Runs every cell and records the run (RunsCommands.swift).
        try RecordedRunHost.run(notebook: notebook, text: text, seed: seed ?? 0, overrides: try overrides.map { try Run.parseOverride($0) },
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
