// kymo: the command-line host. `kymo` alone starts the REPL; `run`, `check`
// and `repl` are the language's commands, `replay`, `runs` and `resume` the
// records', `bench` the engine's. Before the parser: the CPU check,
// `--version` (`-V`, `version`, with `--json`) and the usage checks
// (CommandLineChecks: subcommand typos, `kymo NB.kymo`, `kymo help NOSUCH`).
import ArgumentParser
import Foundation
import TensorEngine

@main
struct Kymo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kymo",
        abstract: "A REPL and notebook runner for spatiotemporal prediction research.",
        discussion: """
            Standard output carries what a notebook prints and the commands' results \
            (`--json` where a command prints a list or a record); progress, status lines \
            and notes go to standard error.

            \(ExitStatus.helpText)

            ENVIRONMENT:
              KYMO_THREADS     worker threads when --threads is not given
              KYMO_MEMORY      the memory budget (as --memory: 8G, 512M, 75%)
              KYMO_DATA        the data folder (else $XDG_DATA_HOME/kymo,
                               else ~/.local/share/kymo)
              KYMO_HISTORY     the REPL's history file (else $XDG_STATE_HOME/kymo/history,
                               else ~/.local/state/kymo/history)
              XDG_CONFIG_HOME  where the signing key lives (kymo/)
              TERM, COLUMNS    TERM=dumb (or stderr not a terminal): plain progress lines;
                               COLUMNS: the width when the terminal does not say
              KYMO_BUILD_COMMIT  the commit stamped into records (else the build's)

            EXAMPLES:
              kymo run notebooks/quickstart.kymo --set steps=3
              kymo runs --json                  the recorded runs, as JSON
              kymo replay last                  re-execute the newest run and verify it
              kymo report last -o -             the run's HTML page on standard output
              kymo completion bash > ~/.local/share/bash-completion/completions/kymo

            `kymo --version` (`-V`, `--version --json`) names the build and the numerics.
            """,
        subcommands: [Repl.self, Run.self, Check.self, Replay.self, Runs.self, Resume.self, Sweep.self, Report.self, DataCommand.self,
                      Bench.self, Completion.self, KernelCommand.self, JupyterCommand.self, Convert.self],
        defaultSubcommand: Repl.self)

    static func main() {
        // A CPU without AVX2/FMA gets a clear message, not SIGILL (CKymoGEMM's
        // constructor says the same before main; this is the message Swift can give).
        if let problem = Numerics.checkCPU() {
            FileHandle.standardError.write(Data("kymo: error: \(problem)\n".utf8))
            Foundation.exit(ExitStatus.couldNot.rawValue)
        }
        let args = Array(CommandLine.arguments.dropFirst())
        let versionWords: Set<String> = ["--version", "-V", "version"]
        if let first = args.first, versionWords.contains(first), args.count == 1 || (args.count == 2 && args[1] == "--json") {
            print(args.count == 2 ? JSONOutput.text(HostEnvironment.versionJSON()) : HostEnvironment.versionText())
            return
        }
        if let text = CommandLineChecks.builtinHelp(args) {
            print(text, terminator: "")
            return
        }
        if let problem = CommandLineChecks.problem(args) {
            FileHandle.standardError.write(Data("kymo: error: \(problem)\n".utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        Self.main(nil)
    }
}
