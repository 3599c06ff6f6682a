// RunsFolderOption: `--runs DIR` (which must exist) and how a RUN argument
// (a run handle: an id, a unique part of one, `last`, `last~N`, or a run
// folder; RunStore.resolve) is found under it (default: `runs` and every
// `*/runs` one level down, where `kymo run` records notebooks in subfolders);
// `recordFailure` prints a record problem and gives exit status 2.

import ArgumentParser
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

struct RunsFolderOption: ParsableArguments {
    @Option(name: .customLong("runs"), help: ArgumentHelp(
        "The runs folder (default: ./runs and every */runs one level down, such as notebooks/runs).", valueName: "dir"))
    var folder: String?

    /// The runs folders looked in, in a fixed order.
    var stores: [RunStore] {
        if let folder { return [RunStore(folder: folder)] }
        return RunsFolderOption.defaultStores()
    }

    /// `./runs` and every `*/runs` one level down, in a fixed order.
    static func defaultStores() -> [RunStore] {
        let fm = FileManager.default
        var folders = ["runs"]
        let names = ((try? fm.contentsOfDirectory(atPath: ".")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: name + "/runs", isDirectory: &isDir), isDir.boolValue { folders.append(name + "/runs") }
        }
        return folders.map(RunStore.init)
    }

    /// The run a handle names (an id, a unique part of one, `last`, `last~N`,
    /// a run folder) in any of the folders (RunStore.resolve).
    func load(_ reference: String) throws -> (folder: String, record: RunRecord) {
        let dir = try RunStore.resolve(reference, in: stores)
        return (dir, try RunStore.read(recordAt: dir + "/record.json"))
    }

    /// A `--runs` folder that is missing or a file is an error (exit 2), not an empty list.
    func validate() throws {
        guard let folder else { return }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDir)
        guard !exists || !isDir.boolValue else { return }
        let what = exists ? "is a file, not a runs folder" : "no such folder"
        FileHandle.standardError.write(Data("kymo: error: --runs \(TerminalText.quotedPath(folder)): \(what)\n".utf8))
        throw ExitStatus.couldNot.code
    }

    /// Every run of every folder, oldest first.
    func list() -> [(id: String, record: Result<RunRecord, RecordError>)] {
        stores.flatMap { $0.list() }.sorted { $0.id < $1.id }
    }
}

/// Prints a record problem on standard error and exits 2.
func recordFailure(_ command: String, _ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("kymo \(command): \(TerminalText.safe("\(error)"))\n".utf8))
    return ExitStatus.couldNot.code
}
