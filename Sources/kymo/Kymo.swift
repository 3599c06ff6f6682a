// kymo: the command-line host. `kymo` alone starts the REPL; `run`, `check`
// and `repl` are the language's commands, `replay`, `runs` and `resume` the
// records', `bench` the engine's.
import ArgumentParser
import Foundation
import TensorEngine

@main
struct Kymo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kymo",
        abstract: "A REPL and notebook runner for spatiotemporal prediction research.",
        subcommands: [Repl.self, Run.self, Check.self, Replay.self, Runs.self, Resume.self, Sweep.self, Report.self, DataCommand.self, Bench.self, KernelCommand.self, JupyterCommand.self, Convert.self],
        defaultSubcommand: Repl.self)

    static func main() {
        // A CPU without AVX2/FMA gets a clear message, not SIGILL (CKymoGEMM's
        // constructor says the same before main; this is the message Swift can give).
        if let problem = Numerics.checkCPU() {
            FileHandle.standardError.write(Data("kymo: error: \(problem)\n".utf8))
            Foundation.exit(ExitStatus.failed.rawValue)
        }
        let args = Array(CommandLine.arguments.dropFirst())
        if args == ["--version"] || args == ["-V"] || args == ["version"] {
            print(HostEnvironment.versionText())
            return
        }
        Self.main(nil)
    }
}
