// Where a replay finds a record's inputs (InputSearch): beside the record
// being replayed (the nearest folder upwards that holds the name decides,
// even when its bytes differ: changed, never looked past), then the current
// folder, then the recorded absolute path only when asked, and digits in the
// data folder by file name; `--inputs-from DIR` comes first. Each check says where.
import Foundation
import XCTest
import Records
import TestSupport
import KymoLanguage
@testable import Notebook

final class InputSearchTests: XCTestCase {
    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testInputsAreFoundBesideTheRecordNotAtTheirRecordedPath() throws {
        let dir = RecordFixtures.scratch()
        let name = "figures/sweep/point.json"
        // The recording machine's file, at the recorded absolute path, and the reviewer's copy.
        try write("points", dir + "/orig/" + name)
        try write("points", dir + "/copy/" + name)
        try FileManager.default.createDirectory(atPath: dir + "/copy/figures/run", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/cwd", withIntermediateDirectories: true)
        let input = InputRecord(name: name, path: dir + "/orig/" + name, kind: "record", cell: 0, size: 6, sha256: RecordHash.hex(of: "points"))
        let search = InputSearch(recordFolder: dir + "/copy/figures/run", currentDirectory: dir + "/cwd", dataDirectories: [])
        var c = search.check(input)
        XCTAssertEqual(c.state, .found(path: dir + "/copy/" + name))
        XCTAssertEqual(c.place, "beside the record")
        XCTAssertTrue(c.line.contains("found beside the record (\(dir)/copy/\(name))"), c.line)
        // Edited in the copy: changed, though the recorded path holds the right bytes.
        try write("edited", dir + "/copy/" + name)
        c = search.check(input)
        guard case .changed(let p, let sha) = c.state else { return XCTFail(c.line) }
        XCTAssertEqual(p, dir + "/copy/" + name)
        XCTAssertEqual(sha, RecordHash.hex(of: "edited"))
        // Deleted from the copy: missing, unless the recorded path is asked for.
        try FileManager.default.removeItem(atPath: dir + "/copy/figures/sweep")
        XCTAssertEqual(search.check(input).state, .missing)
        XCTAssertTrue(search.check(input).line.contains("is missing"), search.check(input).line)
        var asked = search
        asked.recordedPaths = true
        XCTAssertEqual(asked.check(input).state, .found(path: dir + "/orig/" + name))
        XCTAssertEqual(asked.check(input).place, "at its recorded path")
        // The folder the replay is run from.
        try write("points", dir + "/cwd/" + name)
        XCTAssertEqual(search.check(input).place, "in the current folder")
        // --inputs-from first.
        try write("points", dir + "/mine/" + name)
        let from = InputSearch(recordFolder: dir + "/copy/figures/run", currentDirectory: dir + "/cwd", inputsFrom: [dir + "/mine"], dataDirectories: [])
        XCTAssertEqual(from.check(input).state, .found(path: dir + "/mine/" + name))
    }

    func testTheNearestFolderDecidesAndDigitsComeFromTheDataFolder() throws {
        let dir = RecordFixtures.scratch()
        try write("right", dir + "/tree/w.safetensors")
        try write("wrong", dir + "/tree/runs/w.safetensors")
        let input = InputRecord(name: "w.safetensors", path: "/elsewhere/w.safetensors", kind: "tensors", cell: 0, size: 5, sha256: RecordHash.hex(of: "right"))
        let search = InputSearch(recordFolder: dir + "/tree/runs/20260101-000000-abcdef", currentDirectory: dir, dataDirectories: [])
        guard case .changed(let p, _) = search.check(input).state else { return XCTFail(search.check(input).line) }
        XCTAssertEqual(p, dir + "/tree/runs/w.safetensors")
        // Digits: by file name in a data folder when nothing beside the record holds it.
        try write("digits", dir + "/data/mnist_5k.csv.gz")
        let digits = InputRecord(name: "mnist_5k.csv.gz", path: "/home/ann/.local/share/kymo/mnist_5k.csv.gz", kind: "digits", cell: 0, size: 6,
                                 sha256: RecordHash.hex(of: "digits"))
        let d = InputSearch(recordFolder: dir + "/tree/runs/x", currentDirectory: dir + "/tree", dataDirectories: [dir + "/data"]).check(digits)
        XCTAssertEqual(d.state, .found(path: dir + "/data/mnist_5k.csv.gz"))
        XCTAssertEqual(d.place, "in the data folder")
    }

    func testFolderRedirectsMapTheNamedFoldersToWhereTheInputsWere() {
        let input = InputRecord(name: "figures/sweep/s.json", path: "/orig/figures/sweep/s.json", kind: "sweep", cell: 0, size: 1, sha256: "")
        let map = Replayer.folderRedirects([InputCheck(input: input, state: .found(path: "/copy/figures/sweep/s.json"))], workingDirectory: "/r/files")
        XCTAssertEqual(map, ["/r/files/figures/sweep": "/copy/figures/sweep", "/r/files/figures": "/copy/figures", "/r/files": "/copy"])
        // Digits found by file name in a data folder map no folder of the notebook's.
        let digits = InputRecord(name: "mnist_5k.csv.gz", path: "/home/a/mnist_5k.csv.gz", kind: "digits", cell: 0, size: 1, sha256: "")
        XCTAssertEqual(Replayer.folderRedirects([InputCheck(input: digits, state: .found(path: "/data/kymo/mnist_5k.csv.gz"), place: InputSearch.dataFolderPlace)],
                                                workingDirectory: "/r/files"), [:])
        var policy = PathPolicy()
        policy.folderRedirects = map
        XCTAssertEqual(policy.lookIn("/r/files/figures/sweep/"), "/copy/figures/sweep")
        XCTAssertEqual(policy.lookIn("/r/files/other"), "/r/files/other")
    }
}
