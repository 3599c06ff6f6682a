// `kymo runs show RUN`: one record in full (what was checked, build, environment, cells, metrics, inputs).

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

extension Runs {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One recorded run in full.",
            discussion: """
                EXAMPLES:
                  kymo runs show last
                  kymo runs show b6daff --json
                """)

        @Argument(help: ArgumentHelp("The run: an id, a unique part of one, last, last~N, or a run folder.", valueName: "run"), completion: RunHandleCompletion.kind)
        var reference: String

        @OptionGroup var runs: RunsFolderOption

        @Flag(help: "Print the record as JSON (stable; docs/records.md, \"Machine-readable output\").")
        var json = false

        func run() throws {
            do {
                let (folder, record) = try runs.load(self.reference)
                if json {
                    return JSONOutput.print(JSONOutput.Show(folder: folder, signature: RecordChecks.signatureShort(record), record: record))
                }
                FileHandle.standardOutput.write(Data(TerminalText.safe(RunListing.show(record, folder: folder)).utf8))
            } catch {
                throw recordFailure("runs show", error)
            }
        }
    }
}
