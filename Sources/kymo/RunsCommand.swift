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
        discussion: """
            A RUN is a run handle: an id, any unique part of one, `last`, `last~N`, or a run folder.

            EXAMPLES:
              kymo runs                     the table of recorded runs
              kymo runs show last           the newest run in full
              kymo runs diff last~1 last    the two newest runs side by side
              kymo runs export last --tensorboard tb   its metric series for TensorBoard
            """,
        subcommands: [List.self, Show.self, Diff.self, Compare.self, Sign.self, Verify.self, Export.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A table of the recorded runs: id, notebook, status, seed, key metrics, duration.",
            discussion: """
                EXAMPLES:
                  kymo runs
                  kymo runs --runs notebooks/runs
                  kymo runs --json | jq -r '.runs[] | select(.status == "complete") | .id'
                """)

        @OptionGroup var runs: RunsFolderOption

        @Flag(help: "Print the list as JSON (stable; docs/records.md, \"Machine-readable output\").")
        var json = false

        func run() throws {
            if json { return JSONOutput.print(JSONOutput.runList(runs.stores)) }
            FileHandle.standardOutput.write(Data(Console.fittedTable(TerminalText.safe(RunListing.table(runs.list()))).utf8))
        }
    }
}
