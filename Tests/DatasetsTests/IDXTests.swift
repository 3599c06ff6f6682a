// MNIST IDX reading: round trips (plain and gzip), a Python-gzipped golden,
// and every refusal (missing, truncated, trailing bytes, wrong magic,
// inconsistent pair, corrupt gzip) naming the file.
import Foundation
import TensorEngine
import XCTest
import Datasets

final class IDXTests: XCTestCase {
    let pixels: [UInt8] = (0..<2352).map { (i: Int) -> UInt8 in UInt8((i * 7 + 3) % 256) }
    let labels: [UInt8] = [3, 1, 4]

    func testRoundTripPlainAndGzip() throws {
        let dir = try scratchDirectory()
        let images = IDX.encode(shape: [3, 28, 28], bytes: pixels)
        let labelBytes = IDX.encode(shape: [3], bytes: labels)
        XCTAssertEqual(Array(images[0..<8]), [0, 0, 8, 3, 0, 0, 0, 3])  // magic 2051, N = 3
        for gz in [false, true] {
            let ip = dir + "/images\(gz ? ".gz" : "")", lp = dir + "/labels\(gz ? ".gz" : "")"
            try writeFile(gz ? Gzip.deflate(images) : images, ip)
            try writeFile(gz ? Gzip.deflate(labelBytes) : labelBytes, lp)
            if gz { XCTAssertTrue(Gzip.isGzip(try DataFile.readRaw(ip))) }
            let d = try IDX.readDigits(images: ip, labels: lp)
            XCTAssertEqual(d.count, 3)
            XCTAssertEqual(d.rows, 28)
            XCTAssertEqual(d.columns, 28)
            XCTAssertEqual(d.pixels, pixels)
            XCTAssertEqual(d.labels, labels)
            let t = d.images()
            XCTAssertEqual(t.shape, [3, 28, 28])
            XCTAssertEqual(t[1, 2, 3], Float(pixels[784 + 2 * 28 + 3]) / 255)
            XCTAssertEqual(d.labelTensor().toArray(), [3, 1, 4])
        }
    }

    func testPythonGzippedGolden() throws {
        let d = try IDX.readDigits(images: fixture("idx_images.gz"), labels: fixture("idx_labels.gz"))
        XCTAssertEqual(d.labels, [7, 0, 9])
        let expected = try NPYArray(path: fixture("idx_pixels.npy")).uint8Array()
        XCTAssertEqual(d.pixels, expected)
    }

    func testMissingFile() {
        assertBadFile("/nonexistent/train-images-idx3-ubyte", "no such file") {
            try IDX.readImages("/nonexistent/train-images-idx3-ubyte")
        }
    }

    func testTruncatedAndTrailing() throws {
        let dir = try scratchDirectory()
        let full = IDX.encode(shape: [3, 28, 28], bytes: pixels)
        let cut = dir + "/cut"
        try writeFile(Array(full.dropLast(100)), cut)
        assertBadFile(cut, "truncated") { try IDX.readImages(cut) }
        try writeFile(Array(full[0..<10]), cut)
        assertBadFile(cut, "truncated") { try IDX.readImages(cut) }
        try writeFile([0, 0], cut)
        assertBadFile(cut, "truncated") { try IDX.readImages(cut) }
        let long = dir + "/long"
        try writeFile(full + [1, 2, 3], long)
        assertBadFile(long, "3 bytes follow") { try IDX.readImages(long) }
        // A truncated gzip stream is refused too (not silently shortened).
        let gz = dir + "/cut.gz"
        try writeFile(Array(Gzip.deflate(full).dropLast(40)), gz)
        assertBadFile(gz, "truncated") { try IDX.readImages(gz) }
        var corrupt = Gzip.deflate(full)
        for i in 20..<40 { corrupt[i] ^= 0xA5 }
        try writeFile(corrupt, gz)
        assertBadFile(gz, "corrupt") { try IDX.readImages(gz) }
    }

    func testWrongMagic() throws {
        let dir = try scratchDirectory()
        let labelsPath = dir + "/labels", imagesPath = dir + "/images", junk = dir + "/junk"
        try writeFile(IDX.encode(shape: [3], bytes: labels), labelsPath)
        try writeFile(IDX.encode(shape: [3, 28, 28], bytes: pixels), imagesPath)
        try writeFile(Array("hello, world".utf8), junk)
        assertBadFile(labelsPath, "wrong magic number 2049") { try IDX.readImages(labelsPath) }
        assertBadFile(labelsPath, "expected 2051") { try IDX.readImages(labelsPath) }
        assertBadFile(imagesPath, "this is an IDX images file") { try IDX.readLabels(imagesPath) }
        assertBadFile(junk, "not an IDX file") { try IDX.readImages(junk) }
        // Swapped arguments: the images reader names the labels file.
        assertBadFile(labelsPath, "wrong magic") { try IDX.readDigits(images: labelsPath, labels: imagesPath) }
    }

    func testInconsistentPair() throws {
        let dir = try scratchDirectory()
        let ip = dir + "/images", lp = dir + "/labels"
        try writeFile(IDX.encode(shape: [3, 28, 28], bytes: pixels), ip)
        try writeFile(IDX.encode(shape: [2], bytes: [1, 2]), lp)
        assertBadFile(lp, "holds 2 labels but \(ip) holds 3 images") { try IDX.readDigits(images: ip, labels: lp) }
        try writeFile(IDX.encode(shape: [3], bytes: [1, 12, 2]), lp)
        assertBadFile(lp, "label 12 at index 1") { try IDX.readDigits(images: ip, labels: lp) }
        // A header announcing an impossible size is refused without overflow.
        try writeFile([0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255], ip)
        assertBadFile(ip, "impossible size") { try IDX.readImages(ip) }
    }

    func testGzipRoundTripIsByteStable() throws {
        let data: [UInt8] = (0..<100_000).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: (i * i) >> 3) }
        let a = Gzip.deflate(data), b = Gzip.deflate(data)
        XCTAssertEqual(a, b)
        XCTAssertEqual(try Gzip.inflate(a, path: "x"), data)
        // Two concatenated members decompress to the concatenation, as gunzip does.
        XCTAssertEqual(try Gzip.inflate(a + Gzip.deflate([1, 2, 3]), path: "x"), data + [1, 2, 3])
        XCTAssertEqual(try Gzip.inflate(Gzip.deflate([]), path: "x"), [])
    }
}
