// DigitFiles: which files a digit source reads, so that the notebook host can
// check a read against its path policy and record each file as an input of
// the run (path, size, SHA-256) before the digits are loaded.
// Deliberately not: reading the files (Digits.load does), the search order
// itself (DigitSource.swift).
import Foundation

extension Digits {
    /// The concrete source `source` reads (`.auto` searched in `directories`,
    /// default `dataDirectories()`) and its files. `.auto` with nothing found
    /// stays `.auto` with no files (loading it then names what was looked for).
    public static func resolve(_ source: DigitSource, searching directories: [String]? = nil) -> (source: DigitSource, files: [String]) {
        switch source {
        case let .csv(path):
            return (source, [path])
        case let .idx(directory), let .fashion(directory):
            let files = [("train", "images", "idx3"), ("train", "labels", "idx1"), ("t10k", "images", "idx3"), ("t10k", "labels", "idx1")]
                .compactMap { idxFile(directory, $0.0, $0.1, $0.2) }
            return (source, files)
        case .auto:
            for dir in directories ?? dataDirectories() {
                if hasIDX(dir + "/mnist") { return resolve(.idx(directory: dir + "/mnist")) }
                let csv = dir + "/" + csvName
                if FileManager.default.fileExists(atPath: csv) { return (.csv(path: csv), [csv]) }
            }
            return (.auto, [])
        }
    }
}
