// CommandLineChecks: what `kymo` checks in its arguments before the parser
// sees them, so a mistake gets a pointed message and exit 64 rather than the
// default command's usage: a mistyped subcommand ("did you mean `run`?", also
// inside `runs` and `data`), a notebook given without `run` ("did you mean
// `kymo run NB.kymo`?"), `kymo help NOSUCH`, and a notebook name starting
// with `-` (which needs `--` before it).

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook

enum CommandLineChecks {
    /// The message for a usage mistake in `args` (the arguments after `kymo`), or nil.
    static func problem(_ args: [String]) -> String? {
        if let dash = args.prefix(while: { $0 != "--" }).first(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && looksLikeNotebook($0) }) {
            let before = args.prefix(while: { $0 != dash }).joined(separator: " ")
            return "'\(dash)' reads as options; put `--` before a notebook name that starts with '-': kymo \(before.isEmpty ? "" : before + " ")-- \(dash)"
        }
        if args.first == "help" { return helpProblem(Array(args.dropFirst())) }
        var command: ParsableCommand.Type = Kymo.self
        var path = ["kymo"]
        for word in args {
            if word == "--" || word.hasPrefix("-") { return nil }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: { $0._commandName == word }) {
                command = next
                path.append(word)
                continue
            }
            // A word the default subcommand takes as its argument is fine (`kymo bench models`).
            if let fallback = command.configuration.defaultSubcommand, takesArguments(fallback) { return nil }
            if command == Kymo.self, looksLikeNotebook(word) {
                return "'\(word)' is not a command; did you mean `kymo run \(word)`?"
            }
            let names = subcommands.map { $0._commandName }
            let suggestion = names.first { $0.hasPrefix(word) && word.count >= 2 } ?? EditDistance.suggestion(for: word, among: names)
            return "unknown command '\(word)' for `\(path.joined(separator: " "))`"
                + (suggestion.map { "; did you mean `\(path.joined(separator: " ")) \($0)`?" } ?? "")
                + " (`\(path.joined(separator: " ")) --help` lists them)"
        }
        return nil
    }

    /// `kymo help NAME` where NAME is a built-in (`kymo help load_sequences`,
    /// `kymo help save`), not a command: the REPL's `:help NAME` text.
    static func builtinHelp(_ args: [String]) -> String? {
        guard args.count == 2, args[0] == "help", !args[1].hasPrefix("-"),
              !Kymo.configuration.subcommands.contains(where: { $0._commandName == args[1] }) else { return nil }
        let session = Session()
        return session.hasHelp(args[1]) ? session.help(args[1]) : nil
    }

    /// `kymo help A B`: every word must name a subcommand.
    static func helpProblem(_ words: [String]) -> String? {
        var command: ParsableCommand.Type = Kymo.self
        var path = ["kymo"]
        for word in words where !word.hasPrefix("-") {
            let names = command.configuration.subcommands.map { $0._commandName }
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else {
                let suggestion = EditDistance.suggestion(for: word, among: names)
                return "no help for '\(word)': `\(path.joined(separator: " "))` has no such command" + (path.count == 1 ? " and Kymo no such built-in" : "")
                    + (suggestion.map { "; did you mean `kymo help \((path.dropFirst() + [$0]).joined(separator: " "))`?" } ?? "")
            }
            command = next
            path.append(word)
        }
        return nil
    }

    static func looksLikeNotebook(_ word: String) -> Bool {
        word.hasSuffix(".kymo") || word.hasSuffix(".ipynb")
    }

    /// Whether a command takes a positional argument (then an unknown word is its argument).
    static func takesArguments(_ command: ParsableCommand.Type) -> Bool {
        let mirror = Mirror(reflecting: command.init())
        return mirror.children.contains { String(describing: type(of: $0.value)).hasPrefix("Argument<") }
    }

    /// `--set` values the notebook cannot take (no such top-level `let`, not a
    /// literal): checked before anything is recorded, so a usage mistake leaves no record.
    static func overrideProblems(notebook: String, text: String, overrides: [(key: String, value: String)]) -> [Diagnostic] {
        guard !overrides.isEmpty else { return [] }
        var options = SessionOptions()
        options.overrides = overrides
        return Session(options: options).check(NotebookDocument(name: notebook, text: text)).filter { $0.kind == .override }
    }
}
