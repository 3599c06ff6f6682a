// load_sequences' readers against files written by numpy, h5py and netCDF4
// (Fixtures/sequences, made by make_sequences.py): the same numbers from every
// format and layout, every element type, windows, PNG folders, and errors
// that name the file, the variable and the shape.
import Foundation
import TensorEngine
import XCTest
@testable import Datasets

final class SequenceFilesTests: XCTestCase {
    func seq(_ name: String) -> String { fixture("sequences/" + name) }

    /// Every sequence's Float bits, in order.
    func bits(_ d: Dataset) throws -> [[UInt32]] {
        try (0..<d.count).map { i in
            let t = try d.sequence(i).toArray()
            return t.map { $0.bitPattern }
        }
    }

    func load(_ name: String, layout: String = "NTCHW", variable: String? = nil, frames: Int? = nil, stride: Int? = nil) throws -> Dataset {
        try SequenceFiles.load(path: seq(name), layout: layout, variable: variable, frames: frames, stride: stride).dataset
    }

    /// field[n, t, c, y, x] as make_sequences.py defines it.
    func field(_ n: Int, _ t: Int, _ c: Int, _ y: Int, _ x: Int) -> Float {
        let k = (((n * 8 + t) * 2 + c) * 6 + y) * 10 + x
        return Float(Double(k % 97) / 8 - 3)
    }

    func testEveryFormatGivesTheSameBits() throws {
        let reference = try load("field_ntchw.npy")
        XCTAssertEqual(reference.count, 3)
        XCTAssertEqual(reference.sequenceShape, [8, 2, 6, 10])
        XCTAssertEqual(reference.channels, 2)
        let s1 = try reference.sequence(1).toArray()
        XCTAssertEqual(s1[((2 * 2 + 1) * 6 + 3) * 10 + 4], field(1, 2, 1, 3, 4))
        XCTAssertEqual(s1[((7 * 2 + 0) * 6 + 5) * 10 + 9], field(1, 7, 0, 5, 9))
        let want = try bits(reference)
        for (name, variable) in [("field.npz", "field"), ("field_compressed.npz", nil), ("field.h5", "/radar/field"),
                                 ("field.nc", "field"), ("field_classic.nc", "field")] as [(String, String?)] {
            XCTAssertEqual(try bits(try load(name, variable: variable)), want, name)
        }
    }

    func testEveryLayout() throws {
        let reference = try load("field_ntchw.npy")
        XCTAssertEqual(try bits(try load("field_nthwc.npy", layout: "NTHWC")), try bits(reference))
        let tchw = try load("field_tchw.npy", layout: "TCHW")
        XCTAssertEqual(tchw.count, 1)
        XCTAssertEqual(try bits(tchw), [try bits(reference)[0]])
        let tnhw = try load("field_tnhw.npy", layout: "TNHW")   // the standard Moving MNIST file's layout
        XCTAssertEqual(tnhw.count, 3)
        XCTAssertEqual(tnhw.sequenceShape, [8, 1, 6, 10])
        for n in 0..<3 {
            let s = try tnhw.sequence(n).toArray()
            for t in 0..<8 { for y in 0..<6 { for x in 0..<10 {
                XCTAssertEqual(s[(t * 6 + y) * 10 + x], field(n, t, 0, y, x))
            } } }
        }
    }

    func testElementTypesConvertAsTheyAre() throws {
        let want = try bits(try load("ints_float32.npy"))
        let first = try load("ints_uint8.npy").sequence(0).toArray()
        XCTAssertEqual(first[0], 0)     // (0/8 − 3)·8 + 24
        XCTAssertEqual(first[1], 1)     // no scaling: uint8 1 → 1.0
        XCTAssertEqual(first[96], 96)
        for t in ["uint8", "int16", "int32", "float64"] {
            XCTAssertEqual(try bits(try load("ints_\(t).npy")), want, t)
            XCTAssertEqual(try bits(try load("ints.h5", variable: t)), want, "h5 " + t)
        }
        assertFileError(try load("ints_int64.npy"), naming: "ints_int64.npy", contains: "int64")
    }

    func testWindows() throws {
        let series = try load("long_tchw.npy", layout: "TCHW")
        XCTAssertEqual(series.count, 1)
        XCTAssertEqual(series.frames, 60)
        let windows = try load("long_tchw.npy", layout: "TCHW", frames: 12, stride: 6)
        XCTAssertEqual(windows.count, 9)      // (60 − 12) / 6 + 1
        XCTAssertEqual(windows.frames, 12)
        let whole = try series.sequence(0).toArray(), w3 = try windows.sequence(3).toArray()
        for k in 0..<(12 * 16) { XCTAssertEqual(w3[k], whole[18 * 16 + k]) }   // window 3 starts at frame 18
        XCTAssertEqual(try load("long_tchw.npy", layout: "TCHW", frames: 12).count, 5)     // stride = frames
        XCTAssertEqual(try load("long_tchw.npy", layout: "TCHW", frames: 10, stride: 7).count, 8)   // (60 − 10) / 7 + 1
        XCTAssertEqual(try load("field_ntchw.npy", frames: 4, stride: 2).count, 9)    // 3 series × 3 windows
        let w = try load("field_ntchw.npy", frames: 4, stride: 2)
        let w4 = try w.sequence(4).toArray()
        XCTAssertEqual(w4[0], field(1, 2, 0, 0, 0))              // series 1, window 1 (frame 2)
        assertFileError(try load("long_tchw.npy", layout: "TCHW", frames: 61), naming: "long_tchw.npy", contains: "longer than a series of 60")
    }

    func testPNGFolders() throws {
        let grey = try SequenceFiles.load(path: seq("grey_frames")).dataset
        XCTAssertEqual(grey.count, 1)
        XCTAssertEqual(grey.sequenceShape, [3, 1, 5, 7])
        let g = try grey.sequence(0).toArray()
        for t in 0..<3 { for y in 0..<5 { for x in 0..<7 {
            XCTAssertEqual(g[(t * 5 + y) * 7 + x], Float((t * 50 + y * 7 + x) % 256))
        } } }
        let rgb = try SequenceFiles.load(path: seq("rgb_frames")).dataset
        XCTAssertEqual(rgb.sequenceShape, [2, 3, 3, 4])
        let r = try rgb.sequence(0).toArray()
        // frame 1, pixel (y 2, x 3): (10 + 3, 40, 255 − 5)
        let pixel: [Float] = (0..<3).map { c in r[((1 * 3 + c) * 3 + 2) * 4 + 3] }
        XCTAssertEqual(pixel, [13, 40, 250])
    }

    func testErrorsNameFileVariableAndShape() throws {
        assertFileError(try load("field_ntchw.npy", layout: "TNHW"), naming: "field_ntchw.npy", contains: "[3, 8, 2, 6, 10]")
        assertFileError(try load("field_ntchw.npy", layout: "NTXHW"), naming: "field_ntchw.npy", contains: "only the letters N T C H W")
        assertFileError(try load("field_ntchw.npy", layout: "NTCHT"), naming: "field_ntchw.npy", contains: "twice")
        assertFileError(try load("field.h5", variable: "/radar/fields"), naming: "field.h5", contains: "\"/radar/field\", \"/radar/notes\"")
        assertFileError(try load("field.h5"), naming: "field.h5", contains: "variable")
        assertFileError(try load("field.nc", variable: "rain"), naming: "field.nc", contains: "its variables are \"field\"")
        assertFileError(try load("field.npz"), naming: "field.npz", contains: "\"field\", \"other\"")
        assertFileError(try load("field.npz", variable: "rain"), naming: "field.npz", contains: "no array \"rain\"")
        assertFileError(try load("nan.npy"), naming: "nan.npy", contains: "NaN at index [1, 2, 1, 3, 4] of shape [3, 8, 2, 6, 10]")
        assertFileError(try load("not_hdf5.h5", variable: "x"), naming: "not_hdf5.h5", contains: "not an HDF5 file")
        assertFileError(try load("make_sequences.py"), naming: "make_sequences.py", contains: "\"py\"")
        assertFileError(try load("field_ntchw.npy", variable: "x"), naming: "field_ntchw.npy", contains: "does not apply")
        assertFileError(try load("missing.nc", variable: "x"), naming: "missing.nc", contains: "no such file")
        // files that are not what their extension says
        let dir = try scratchDirectory()
        for ext in ["nc", "npz", "npy", "h5"] {
            let path = dir + "/text." + ext
            try writeFile(Array("just some text, not an array file at all\n".utf8), path)
            assertFileError(try SequenceFiles.load(path: path, variable: ext == "npy" || ext == "npz" ? nil : "x"),
                            naming: path, contains: ["nc": "not a NetCDF file", "npz": "not a zip archive", "npy": "not an .npy file", "h5": "not an HDF5 file"][ext]!)
        }
        // HDF5 and NetCDF element types outside the five are refused naming the variable
        assertFileError(try load("ints.h5", variable: "nope"), naming: "ints.h5", contains: "\"/float64\", \"/int16\", \"/int32\", \"/uint8\"")
    }
}

/// Asserts that `body` throws an error whose text names the file and contains `fragment`.
func assertFileError<T>(_ body: @autoclosure () throws -> T, naming name: String, contains fragment: String,
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an error naming \(name) with \"\(fragment)\"", file: file, line: line)
    } catch {
        let text = "\(error)"
        XCTAssertTrue(text.contains(name), "\"\(text)\" does not name \(name)", file: file, line: line)
        XCTAssertTrue(text.contains(fragment), "\"\(text)\" does not contain \"\(fragment)\"", file: file, line: line)
    }
}
