// `kymo runs diff A B`: two records' configuration, environment and metrics side by side.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

extension Runs {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Two runs' config, environment and metrics side by side, and where their cells first differ.",
            discussion: """
                With --exit-code, the exit status says whether the results differ: 0 the same, 1 they differ \
                (the notebook text, a --set, the seed, the status, a metric series, an input, or a cell's outputs, \
                values or artifacts; not the environment, the duration or the build).

                EXAMPLES:
                  kymo runs diff last~1 last
                  kymo runs diff b6daff 80d283 --exit-code && echo same
                  kymo runs diff last~1 last --json
                """)

        @Argument(help: ArgumentHelp("The first run.", valueName: "a"), completion: RunHandleCompletion.kind)
        var a: String

        @Argument(help: ArgumentHelp("The second run.", valueName: "b"), completion: RunHandleCompletion.kind)
        var b: String

        @OptionGroup var runs: RunsFolderOption

        @Flag(help: "Exit 1 when the runs' results differ, 0 when they are the same.")
        var exitCode = false

        @Flag(help: "Print the comparison as JSON (stable; docs/records.md, \"Machine-readable output\").")
        var json = false

        func run() throws {
            let ra: RunRecord, rb: RunRecord
            do { ra = try runs.load(a).record; rb = try runs.load(b).record } catch { throw recordFailure("runs diff", error) }
            if json {
                JSONOutput.print(JSONOutput.diff(ra, rb))
            } else {
                let text = TerminalText.safe(RunListing.diff(ra, rb))
                FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            }
            if exitCode, RunListing.resultsDiffer(ra, rb) { throw ExitStatus.failed.code }
        }
    }}
