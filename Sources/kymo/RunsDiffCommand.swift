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
            abstract: "Two runs' config, environment and metrics side by side, and where their cells first differ.")

        @Argument(help: "The first run.")
        var a: String

        @Argument(help: "The second run.")
        var b: String

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            do {
                let ra = try runs.load(a).record, rb = try runs.load(b).record
                let text = TerminalText.safe(RunListing.diff(ra, rb))
                FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            } catch {
                throw recordFailure("runs diff", error)
            }
        }
    }}
