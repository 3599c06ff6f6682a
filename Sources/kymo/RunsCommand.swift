// `kymo runs`: the group of record commands (list, show, diff, sign, verify,
// compare) and its default, the table of recorded runs.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect and compare recorded runs.",
        subcommands: [List.self, Show.self, Diff.self, Compare.self, Sign.self, Verify.self, Export.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A table of the recorded runs: id, notebook, status, seed, key metrics, duration.")

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            FileHandle.standardOutput.write(Data(TerminalText.safe(RunListing.table(runs.list())).utf8))
        }
    }
}
