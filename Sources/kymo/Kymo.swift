// kymo: the command-line host (owned by the language work; the lead adds Bench).
import ArgumentParser

@main
struct Kymo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kymo",
        abstract: "A REPL and notebook runner for spatiotemporal prediction research.",
        subcommands: [Bench.self])
}
