// `kymo runs sign RUN`: signs a complete record with the user's Ed25519 key.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

extension Runs {
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a complete record with your Ed25519 key (created on first use under $XDG_CONFIG_HOME/kymo or ~/.config/kymo).",
            discussion: """
                EXAMPLES:
                  kymo runs sign last
                """)

        @Argument(help: ArgumentHelp("The run: an id, a unique part of one, last, last~N, or a run folder.", valueName: "run"), completion: RunHandleCompletion.kind)
        var reference: String

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            do {
                let (folder, _) = try runs.load(self.reference)
                let keys = RecordSigning.keyFolder()
                let (fingerprint, created) = try RecordSigning.signRun(folder: folder, keyFolder: keys)
                if created { FileHandle.standardError.write(Data("created a signing key in \(keys)/signing-key (mode 600)\n".utf8)) }
                FileHandle.standardOutput.write(Data("signed \(folder)/record.json with ed25519 key \(fingerprint)\n".utf8))
            } catch {
                throw recordFailure("runs sign", error)
            }
        }
    }
}
