// RunsFolderOption: `--runs DIR` and how a RUN argument (a run id, a unique
// id prefix, or a run folder) is found under it (default: `runs` and every
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
        let fm = FileManager.default
        var folders = ["runs"]
        let names = ((try? fm.contentsOfDirectory(atPath: ".")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: name + "/runs", isDirectory: &isDir), isDir.boolValue { folders.append(name + "/runs") }
        }
        return folders.map(RunStore.init)
    }

    /// The run a reference names: a run folder, an id, or a unique id prefix in any of the folders.
    func load(_ reference: String) throws -> (folder: String, record: RunRecord) {
        let stores = self.stores
        if reference.contains("/") || stores.count == 1 { return try stores[0].load(reference) }
        var exact: [String] = [], prefixed: [String] = []
        for store in stores {
            for id in store.runIDs() {
                if id == reference { exact.append(store.runFolder(id)) } else if id.hasPrefix(reference) { prefixed.append(store.runFolder(id)) }
            }
        }
        let found = exact.isEmpty ? prefixed : exact
        if found.count > 1 { throw RecordError.ambiguous(reference: reference, candidates: found) }
        guard let dir = found.first else {
            throw RecordError.notFound(reference: reference, folder: stores.map(\.folder).joined(separator: ", "))
        }
        return (dir, try RunStore.read(recordAt: dir + "/record.json"))
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
