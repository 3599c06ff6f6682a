// Helpers shared by the Datasets tests: fixture paths (found via #filePath,
// so no Package.swift resources are needed), scratch folders, synthetic
// digits, and an assertion that a call throws a file error naming the file.
import Foundation
import TestSupport
import TensorEngine
import XCTest
import Datasets

let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

func fixture(_ name: String) -> String { fixturesDirectory + "/" + name }

/// A fresh empty folder under the system temporary directory, removed when the tests end.
func scratchDirectory(_ name: String = #function) throws -> String {
    ScratchFolders.make("datasets-tests-" + name)
}

func writeFile(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// `count` digits of 28×28 whose pixels encode their index: digit k is a solid
/// square of value 1 + k % 255 (so every lit pixel says which digit it is), label k % 10.
func syntheticDigits(_ count: Int, rows: Int = 28, columns: Int = 28) -> MNISTDigits {
    var px = [UInt8](); var lb = [UInt8]()
    for k in 0..<count {
        px += [UInt8](repeating: UInt8(1 + k % 255), count: rows * columns)
        lb.append(UInt8(k % 10))
    }
    return MNISTDigits(rows: rows, columns: columns, pixels: px, labels: lb, provenance: "synthetic")
}

/// Asserts that `body` throws `TensorError.badFile` for `path` whose detail contains `fragment`.
func assertBadFile<T>(_ path: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an error about \(path) mentioning \"\(fragment)\"", file: file, line: line)
    } catch let TensorError.badFile(p, detail) {
        XCTAssertEqual(p, path, "the error names another file", file: file, line: line)
        XCTAssertTrue(detail.contains(fragment), "\"\(detail)\" does not mention \"\(fragment)\"", file: file, line: line)
        XCTAssertTrue(TensorError.badFile(path: p, detail: detail).description.hasPrefix(path), file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
