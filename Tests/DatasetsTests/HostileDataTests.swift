// Hostile data files, made here: a gzip bomb stops at the inflate cap
// instead of allocating gigabytes, an .npy header of 300,000 `(` is refused
// without exhausting the stack (and an over-long header without reading
// it), and devices and FIFOs are never read as data.
import Foundation
import TensorEngine
import XCTest
import Datasets

final class HostileDataTests: XCTestCase {
    func testAGzipBombStopsAtTheCap() throws {
        // 64 MiB of zeros compress to ~64 KiB; eight members make 512 MiB of output.
        let member = Gzip.deflate([UInt8](repeating: 0, count: 64 << 20), level: 9)
        XCTAssertLessThan(member.count, 200_000)
        let bomb = [UInt8]((0..<8).map { _ in member }.joined())
        XCTAssertThrowsError(try Gzip.inflate(bomb, path: "bomb.gz", maxOutput: 16 << 20)) { e in
            XCTAssertTrue("\(e)".contains("bomb.gz: decompresses to more than 16777216 bytes"), "\(e)")
        }
        // Under the cap it still inflates, concatenated members and all.
        let small = Gzip.deflate([UInt8](repeating: 7, count: 1000))
        XCTAssertEqual(try Gzip.inflate(small + small, path: "ok.gz", maxOutput: 2000), [UInt8](repeating: 7, count: 2000))
        XCTAssertThrowsError(try Gzip.inflate(small + small, path: "ok.gz", maxOutput: 1999))
        XCTAssertEqual(Gzip.defaultMaxOutput, 1 << 30)
    }

    func testADeepOrLongNPYHeaderIsRefused() throws {
        let dir = try scratchDirectory()
        func npy(header: String) -> [UInt8] {
            let h = Array(header.utf8)
            let n = UInt32(h.count)
            return [0x93] + Array("NUMPY".utf8) + [2, 0] + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + h
        }
        let deep = dir + "/deep.npy"
        try writeFile(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 300_000) + "}"), deep)
        assertBadFile(deep, "the header is 300") { try NPYArray(path: deep) }
        // Within the length cap, nesting is bounded too (no recursion to the stack's end).
        let nested = dir + "/nested.npy"
        try writeFile(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 30_000) + "}"), nested)
        assertBadFile(nested, "nested deeper than 16 levels") { try NPYArray(path: nested) }
        // [0, Int.max]: no elements, but not a shape any op can index.
        let empty = dir + "/empty.npy"
        try writeFile(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775807), }"), empty)
        assertBadFile(empty, "impossibly large") { try NPYArray(path: empty) }
    }

    func testDevicesAndFIFOsAreNeverReadAsData() throws {
        let dir = try scratchDirectory()
        assertBadFile("/dev/zero", "not a regular file") { try DataFile.read("/dev/zero") }
        assertBadFile("/dev/zero", "not a regular file") { try NPYArray(path: "/dev/zero") }
        let fifo = dir + "/digits.csv.gz"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        assertBadFile(fifo, "not a regular file") { try DataFile.read(fifo) }
        assertBadFile(fifo, "not a regular file") { try NPYArray(path: fifo) }
    }
}
