// kymo: the command-line host. `kymo` alone starts the REPL; `run`, `check`
// and `repl` are the language's commands, `replay`, `runs` and `resume` the
// records', `bench` the engine's.
import ArgumentParser

@main
struct Kymo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kymo",
        abstract: "A REPL and notebook runner for spatiotemporal prediction research.",
        subcommands: [Repl.self, Run.self, Check.self, Replay.self, Runs.self, Resume.self, Sweep.self, Bench.self],
        defaultSubcommand: Repl.self)

    static func main() {
        Self.main(nil)
    }
}
