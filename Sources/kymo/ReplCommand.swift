// `kymo` / `kymo repl`: the interactive loop. Reads a line (more while a
// bracket or block is open), runs it in one long-lived session, prints a
// bare expression's value, and survives every error. Commands: `:help
// [name]`, `:vars`, `:load NB.kymo`, `:quit`. With piped input it reads
// stdin without prompts and exits 1 if any input failed.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Interactive REPL (the default command).",
        discussion: """
            The session is recorded in runs/<id>/ (or --runs DIR) from its first input that runs, and replays \
            like a notebook; the banner and the exit say where. --no-record keeps no record (scratch work).

            EXAMPLES:
              kymo
              kymo repl --no-record
              kymo repl --seed 7 --runs /scratch/runs
              echo 'print(1 + 1)' | kymo repl
            """)

    @OptionGroup var settings: SessionCommandOptions

    @Flag(help: "Keep no record of this session (scratch work); run_id() is then empty.")
    var noRecord = false

    func run() throws {
        try settings.apply()
        let console = Console()
        var options = SessionOptions()
        options.seed = settings.seed
        options.interactive = true
        let recording = noRecord ? nil : ReplRecording(runsFolder: settings.runs, seed: settings.seed,
                                                       workingDirectory: FileManager.default.currentDirectoryPath,
                                                       report: { console.error($0) })
        options.runID = recording?.id ?? ""
        options.workingDirectory = FileManager.default.currentDirectoryPath
        options.output = console
        options.progress = console
        options.recordHooks = recording?.recorder
        options.figureWriter = HostEnvironment.figureWriter
        options.figureDate = recording?.recorder.startedAt
        Interrupts.install(options.interrupt)
        let session = Session(options: options)
        let editor = LineEditor(interrupt: options.interrupt) { line, word in ReplCompletion.complete(line: line, word: word, session: session) }
        defer {
            recording?.finish()
            if editor.interactive { console.error(ReplBanner.farewell(recording)) }
        }
        var failures = 0
        if editor.interactive { console.write(ReplBanner.banner(recording)) }
        loop: while true {
            var input = ""
            var prompt = "kymo> "
            while true {
                switch editor.readLine(prompt: prompt) {
                case .endOfInput:
                    if !input.isEmpty { failures += evaluate(input, session, console, recording) ? 0 : 1 }
                    break loop
                case .interrupted:
                    continue loop
                case .line(let line):
                    if input.isEmpty, let cells = ReplPaste.cells(line) {
                        // A pasted notebook (bracketed paste: one text): its cells in order.
                        editor.remember(line)
                        for cell in cells where !cell.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                            console.write(cell.displayTitle + "\n")
                            failures += evaluate(cell.source, session, console, recording) ? 0 : 1
                        }
                        continue loop
                    }
                    if input.isEmpty, ReplPaste.isCellMarker(line) { continue loop }   // `%% Title` on its own line
                    input += (input.isEmpty ? "" : "\n") + line
                }
                if input.trimmingCharacters(in: .whitespaces).hasPrefix(":") || !Session.needsMoreInput(input) { break }
                prompt = "  ... "
            }
            editor.remember(input)   // a multi-line input is one history entry
            let trimmed = input.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(":") {
                switch command(trimmed, session, console, recording) {
                case .quit: break loop
                case .failed: failures += 1
                case .ok: break
                }
                continue
            }
            if trimmed.isEmpty { continue }
            failures += evaluate(input, session, console, recording) ? 0 : 1
        }
        if !editor.interactive, failures > 0 { throw ExitStatus.failed.code }
    }

    /// Runs one input; true when it succeeded.
    private func evaluate(_ input: String, _ session: Session, _ console: Console, _ recording: ReplRecording?) -> Bool {
        session.interrupt.clear()
        let started = Date()
        let result = session.evaluate(input: input)
        recording?.record(result, session: session, startedAt: started)
        session.interrupt.clear()  // a Ctrl-C that stopped this input is spent
        for d in result.diagnostics { console.error(DiagnosticFormatter.render(d)) }
        if result.status == .complete, let v = result.value, !v.isNil {
            console.write(ValueFormatter.display(v) + "\n")
        }
        return result.status == .complete
    }

    private enum CommandOutcome { case ok, failed, quit }

    private func command(_ text: String, _ session: Session, _ console: Console, _ recording: ReplRecording?) -> CommandOutcome {
        let parts = text.dropFirst().split(separator: " ", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        let name = parts.first ?? ""
        let argument = parts.count > 1 ? parts[1] : ""
        switch name {
        case "quit", "q", "exit":
            return .quit
        case "help", "h":
            console.write(argument.isEmpty
                ? "Commands: :help [name], :vars, :load NB.kymo, :quit\nBuilt-ins:\n" + session.help()
                : session.help(argument))
            return .ok
        case "vars":
            let vars = session.globals
            if vars.isEmpty { console.write("(no variables)\n") }
            let width = vars.map(\.name.count).max() ?? 0
            for (n, v) in vars {
                console.write(n.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v.typeName + "  "
                              + ValueFormatter.inline(v) + "\n")
            }
            return .ok
        case "load", "l":
            let argument = ReplCompletion.unquoted(argument)   // `:load "my nb.kymo"`
            guard !argument.isEmpty else {
                console.error(":load needs a notebook path: :load NB.kymo\n")
                return .failed
            }
            let text: String
            do { text = try NotebookFile.read(argument) } catch {
                console.error("\(error)\n")
                return .failed
            }
            recording?.notebookLoaded(path: argument)
            session.interrupt.clear()
            var started = Date()
            let (results, diagnostics) = session.run(NotebookDocument(name: argument, text: text), onCellStart: { cell in
                started = Date()
                console.write(cell.displayTitle + "\n")
            }, onCellEnd: { r in
                for d in r.diagnostics { console.error(DiagnosticFormatter.render(d)) }
                recording?.record(r, session: session, startedAt: started)
            })
            console.error(DiagnosticFormatter.render(diagnostics))
            return diagnostics.isEmpty && results.allSatisfy({ $0.status == .complete }) ? .ok : .failed
        default:
            let known = ["help", "vars", "load", "quit"]
            let suggestion = known.first { $0.hasPrefix(name) && !name.isEmpty }
                ?? EditDistance.suggestion(for: name, among: known)
            console.error("unknown command ':\(name)'" + (suggestion.map { "; did you mean ':\($0)'?" }
                ?? " (the commands are :help, :vars, :load, :quit)") + "\n")
            return .failed
        }
    }
}
