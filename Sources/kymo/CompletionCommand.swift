// `kymo completion bash|zsh|fish`: the shell completion script (from
// swift-argument-parser): subcommands, options, `bench` suites and, through
// `kymo` itself at completion time, the run ids of the runs folders.

import ArgumentParser
import Foundation
import Records

struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            EXAMPLES:
              kymo completion bash > ~/.local/share/bash-completion/completions/kymo
              kymo completion zsh > "${fpath[1]}/_kymo"
              kymo completion fish > ~/.config/fish/completions/kymo.fish
            """)

    @Argument(help: ArgumentHelp("The shell: bash, zsh or fish.", valueName: "shell"), completion: .list(["bash", "zsh", "fish"]))
    var shell: String

    func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else {
            throw ValidationError("unknown shell '\(shell)' (choose bash, zsh or fish)")
        }
    }

    func run() throws {
        print(Kymo.completionScript(for: CompletionShell(rawValue: shell)!))
    }
}

/// Completion of a RUN argument: `last` and the run ids of the default runs folders.
enum RunHandleCompletion {
    static let kind: CompletionKind = .custom { _, _, prefix in
        let ids = RunsFolderOption.defaultStores().flatMap { $0.runIDs() }.sorted()
        return (["last"] + ids.reversed()).filter { $0.hasPrefix(prefix) }
    }
}
