// InputSearch: where a replay looks for the files a record read. A record's
// inputs are found by content, relative to the record being replayed, never
// by trusting where the recording machine kept them:
// 1. each `--inputs-from DIR` the reader named (DIR/name, then DIR/file name);
// 2. beside the record: the nearest folder, from the record folder upwards,
//    that holds the input's name (`figures/paper-sweep/…/sweep.json` for a
//    record in `<copy>/figures/paper-figures-run` is `<copy>/figures/paper-sweep/…`);
// 3. the folder the replay is run from (name relative to it);
// 4. the recorded absolute path, only when asked (`--inputs-at-recorded-paths`);
// 5. the data folders, by file name (digits, test sets).
// The first of 1–4 that exists decides: the recorded bytes there are found,
// other bytes are a changed input (named, never looked past); when none of
// them exists, a data folder holding the recorded bytes finds it; else it is
// missing. Each check says where the file was found.
// Deliberately not: reading anything (the replay does, through PathPolicy).

import Foundation
import Records

public struct InputSearch: Sendable {
    /// The record folder being replayed (`runs/<id>`, `figures/paper-run`); nil: not known.
    public var recordFolder: String?
    /// The folder the replay is run from.
    public var currentDirectory: String
    /// `--inputs-from DIR`: looked in first, in order.
    public var inputsFrom: [String]
    /// `--inputs-at-recorded-paths`: also the path the recording machine read.
    public var recordedPaths: Bool
    public var dataDirectories: [String]

    /// The place of an input found by file name in a data folder.
    public static let dataFolderPlace = "in the data folder"

    public init(recordFolder: String?, currentDirectory: String = FileManager.default.currentDirectoryPath,
                inputsFrom: [String] = [], recordedPaths: Bool = false, dataDirectories: [String]) {
        self.recordFolder = recordFolder.map(InputSearch.absolute)
        self.currentDirectory = currentDirectory
        self.inputsFrom = inputsFrom.map(InputSearch.absolute)
        self.recordedPaths = recordedPaths
        self.dataDirectories = dataDirectories
    }

    static func absolute(_ p: String) -> String {
        URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardized.path
    }

    /// The places `input` may lie, in order, each with a phrase saying where.
    func candidates(for input: InputRecord) -> (decisive: [(String, String)], data: [(String, String)]) {
        let fm = FileManager.default
        let relative = input.name.hasPrefix("/") ? (input.name as NSString).lastPathComponent : input.name
        var decisive: [(String, String)] = []
        for dir in inputsFrom {
            decisive.append((dir + "/" + relative, "under --inputs-from \(dir)"))
            if relative != input.fileName { decisive.append((dir + "/" + input.fileName, "under --inputs-from \(dir)")) }
        }
        if var dir = recordFolder {
            while true {
                let c = dir == "/" ? "/" + relative : dir + "/" + relative
                if fm.fileExists(atPath: c) { decisive.append((c, "beside the record")); break }
                if dir == "/" || dir.isEmpty { break }
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        decisive.append((currentDirectory + "/" + relative, "in the current folder"))
        if recordedPaths { decisive.append((input.path, "at its recorded path")) }
        var data: [(String, String)] = []
        for dir in dataDirectories {
            data.append((dir + "/" + input.fileName, InputSearch.dataFolderPlace))
            data.append((dir + "/mnist/" + input.fileName, InputSearch.dataFolderPlace))
        }
        return (decisive, data)
    }

    /// Where each input of `record` is here (REPL `:load`ed notebooks are in the record's text).
    public func check(_ record: RunRecord, hashes: FileHashCache = FileHashCache()) -> [InputCheck] {
        (record.inputs ?? []).filter { $0.kind != "notebook" }.map { check($0, hashes: hashes) }
    }

    public func check(_ input: InputRecord, hashes: FileHashCache = FileHashCache()) -> InputCheck {
        let (decisive, data) = candidates(for: input)
        for (path, place) in decisive where FileManager.default.fileExists(atPath: path) {
            guard let (sha, _) = try? hashes.hash(path) else { continue }
            if sha == input.sha256 { return InputCheck(input: input, state: .found(path: path), place: place) }
            return InputCheck(input: input, state: .changed(path: path, sha256: sha), place: place)
        }
        for (path, place) in data where FileManager.default.fileExists(atPath: path) {
            if let (sha, _) = try? hashes.hash(path), sha == input.sha256 {
                return InputCheck(input: input, state: .found(path: path), place: place)
            }
        }
        return InputCheck(input: input, state: .missing)
    }
}
