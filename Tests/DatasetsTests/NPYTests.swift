// NPY reading and writing: Swift-written round trips, numpy-written goldens
// (dtypes, byte orders, versions 1.0/2.0, hand-made 3.0), header parsing, and
// the refusals (Fortran order, truncation, bad magic, unknown dtype).
import Foundation
import TensorEngine
import XCTest
import Datasets

final class NPYTests: XCTestCase {
    func testSwiftRoundTripUInt8AndFloat32() throws {
        let dir = try scratchDirectory()
        let bytes: [UInt8] = (0..<60).map { (i: Int) -> UInt8 in UInt8(i * 4) }
        try NPY.write(uint8: bytes, shape: [3, 4, 5], to: dir + "/u8.npy")
        let a = try NPYArray(path: dir + "/u8.npy")
        XCTAssertEqual(a.shape, [3, 4, 5])
        XCTAssertEqual(a.dtype, .uint8)
        XCTAssertEqual(a.header.dataOffset % 64, 0)
        XCTAssertEqual(try a.uint8Array(), bytes)
        XCTAssertEqual(a.tensor().toArray(), bytes.map(Float.init))

        let values: [Float] = [0, -1.5, .pi, 1e-30, -0.0, 65504, 3.25, 7]
        let t = try Tensor(values, shape: [2, 4])
        try NPY.write(t, to: dir + "/f4.npy")
        let back = try NPY.read(dir + "/f4.npy")
        XCTAssertEqual(back.shape, [2, 4])
        XCTAssertEqual(back.toArray().map(\.bitPattern), values.map(\.bitPattern))
        // 1-D shapes are written as Python's one-tuple "(n,)".
        let oneD = NPY.encode(shape: [3], float32: [1, 2, 3])
        XCTAssertTrue(String(decoding: oneD[10..<70], as: UTF8.self).contains("'shape': (3,)"))
    }

    func testNumpyGoldens() throws {
        let u8 = try NPYArray(path: fixture("npy_u8.npy"))
        XCTAssertEqual(u8.shape, [2, 3, 4])
        XCTAssertEqual(try u8.uint8Array(), (0..<24).map { UInt8($0) })

        let f4 = try NPY.read(fixture("npy_f4.npy"))
        XCTAssertEqual(f4.shape, [2, 3])
        XCTAssertEqual(f4.toArray(), [0.5, -1.25, 3.0, Float(1e-3), 0, 0x1p-20])

        let f8 = try NPYArray(path: fixture("npy_f8.npy"))
        XCTAssertEqual(f8.dtype, .float64)
        XCTAssertEqual(f8.tensor().toArray(), [1.5, -2.25, 1e10])

        let i8 = try NPYArray(path: fixture("npy_i8.npy"))
        XCTAssertEqual(i8.dtype, .int64)
        XCTAssertEqual(i8.tensor().toArray(), [-3, 0, 7, Float(1 << 40)])

        let big = try NPYArray(path: fixture("npy_f4_big.npy"))
        XCTAssertTrue(big.dtype.bigEndian)
        XCTAssertEqual(big.tensor().toArray(), [1.0, -0.5, 256.0])

        let v2 = try NPYArray(path: fixture("npy_v2.npy"))
        XCTAssertEqual(v2.header.version, 2)
        XCTAssertEqual(v2.shape, [3, 2])
        XCTAssertEqual(v2.tensor().toArray(), [0, 1, 2, 3, 4, 5])

        let scalar = try NPY.read(fixture("npy_scalar.npy"))
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(try scalar.item(), 4.5)
    }

    func testOwnWriterMatchesNumpyBytes() throws {
        // numpy 2.x writes exactly this header for a C-order uint8 [2, 3, 4] array.
        let golden = try DataFile.readRaw(fixture("npy_u8.npy"))
        XCTAssertEqual(NPY.encode(shape: [2, 3, 4], uint8: (0..<24).map { UInt8($0) }), golden)
    }

    func testVersion3AndPython2Header() throws {
        let dir = try scratchDirectory()
        // Version 3.0: UTF-8 header with a 4-byte length.
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".utf8)
        header += [UInt8](repeating: 0x20, count: 128 - 12 - header.count - 1) + [0x0A]
        var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [3, 0, UInt8(header.count), 0, 0, 0] + header
        for v: Float in [2.5, -8] { withUnsafeBytes(of: v.bitPattern.littleEndian) { file += $0 } }
        try writeFile(file, dir + "/v3.npy")
        XCTAssertEqual(try NPY.read(dir + "/v3.npy").toArray(), [2.5, -8])

        // Python 2 era: long integers with an L suffix, double-quoted keys, no trailing comma.
        var old = Array("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2L, 1L)}".utf8)
        old += [UInt8](repeating: 0x20, count: 128 - 10 - old.count - 1) + [0x0A]
        let py2: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(old.count), 0] + old + [5, 9]
        try writeFile(py2, dir + "/py2.npy")
        let a = try NPYArray(path: dir + "/py2.npy")
        XCTAssertEqual(a.shape, [2, 1])
        XCTAssertEqual(try a.uint8Array(), [5, 9])
        // A malformed header is refused with the header quoted.
        var broken = py2
        broken[20] = UInt8(ascii: "(")
        try writeFile(broken, dir + "/broken.npy")
        assertBadFile(dir + "/broken.npy", "malformed header") { try NPYArray(path: dir + "/broken.npy") }
    }

    func testRefusals() throws {
        let dir = try scratchDirectory()
        assertBadFile(fixture("npy_fortran.npy"), "fortran_order is True") { try NPYArray(path: fixture("npy_fortran.npy")) }

        let good = NPY.encode(shape: [4, 4], float32: [Float](repeating: 1, count: 16))
        let cut = dir + "/cut.npy"
        try writeFile(Array(good.dropLast(3)), cut)
        assertBadFile(cut, "truncated: shape [4, 4] of float32 needs 64 bytes of data but only 61") { try NPYArray(path: cut) }
        try writeFile(Array(good[0..<40]), cut)
        assertBadFile(cut, "truncated") { try NPYArray(path: cut) }
        try writeFile(Array(good[0..<5]), cut)
        assertBadFile(cut, "truncated") { try NPYArray(path: cut) }
        try writeFile(good + [0], cut)
        assertBadFile(cut, "inconsistent: 1 bytes follow") { try NPYArray(path: cut) }

        let notNpy = dir + "/x.npy"
        try writeFile(Array("PK\u{3}\u{4} this is a zip".utf8), notNpy)
        assertBadFile(notNpy, "not an .npy file") { try NPYArray(path: notNpy) }

        var complex = good
        let descr = Array("<f4".utf8), c8 = Array("<c8".utf8)
        if let at = (0..<(complex.count - 3)).first(where: { Array(complex[$0..<($0 + 3)]) == descr }) {
            complex.replaceSubrange(at..<(at + 3), with: c8)
        }
        try writeFile(complex, notNpy)
        assertBadFile(notNpy, "dtype '<c8' is not supported") { try NPYArray(path: notNpy) }

        var version9 = good
        version9[6] = 9
        try writeFile(version9, notNpy)
        assertBadFile(notNpy, "unsupported .npy format version 9.0") { try NPYArray(path: notNpy) }

        assertBadFile(dir + "/missing.npy", "no such file") { try NPYArray(path: dir + "/missing.npy") }
        assertBadFile(dir, "is a directory") { try NPYArray(path: dir) }
        assertBadFile(fixture("npy_f4.npy"), "not uint8") { try NPYArray(path: fixture("npy_f4.npy")).uint8Array() }
    }

    func testGzippedNpy() throws {
        let dir = try scratchDirectory()
        let bytes = NPY.encode(shape: [2, 2], float32: [1, 2, 3, 4])
        try writeFile(Gzip.deflate(bytes), dir + "/a.npy.gz")
        XCTAssertEqual(try NPY.read(dir + "/a.npy.gz").toArray(), [1, 2, 3, 4])
    }
}
