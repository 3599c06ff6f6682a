// `kymo runs show RUN`: one record in full (what was checked, build, environment, cells, metrics, inputs).

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

extension Runs {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One recorded run in full.")

        @Argument(help: ArgumentHelp("The run: an id, a unique id prefix, or a run folder.", valueName: "run"))
        var reference: String

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            do {
                let (folder, record) = try runs.load(self.reference)
                FileHandle.standardOutput.write(Data(TerminalText.safe(RunListing.show(record, folder: folder)).utf8))
            } catch {
                throw recordFailure("runs show", error)
            }
        }
    }
}
