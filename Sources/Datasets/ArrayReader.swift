// ArrayReader: an n-dimensional array in a file (an .npy, an .npz member, an
// HDF5 dataset, a NetCDF variable, a folder of PNG frames), read by blocks.
// `readBlock` converts a C-order block (start and count per axis, in the
// file's own axis order) to Float, values as they are (uint8 200 → 200.0, no
// scaling): the same conversion (`convertToFloat`) for every format, so the
// same numbers stored in any of them give the same Float bits.
// HDF5 and NetCDF are not thread-safe libraries (and netCDF-4 reads through
// HDF5), so every call into either holds `ArrayReaders.libraryLock`.
import Foundation
import TensorEngine

public protocol ArrayReader: AnyObject, Sendable {
    /// The file (and member or variable) in messages, e.g. "rain.h5:/radar/field".
    var name: String { get }
    var shape: [Int] { get }
    /// The stored element type, as numpy spells it ("uint8", "float32", …).
    var dtypeName: String { get }
    /// Writes the block into `dst` (∏ count Floats, C order in file axis order).
    func readBlock(start: [Int], count: [Int], into dst: UnsafeMutablePointer<Float>) throws
}

public enum ArrayReaders {
    /// Serializes every call into the HDF5 and NetCDF C libraries.
    static let libraryLock = NSLock()

    /// The element types load_sequences takes, by numpy's name.
    static let acceptedTypes = ["uint8", "int16", "int32", "float32", "float64"]

    /// Refuses an element type outside `acceptedTypes`, naming the file.
    static func checkType(_ dtype: String, name: String, shape: [Int]) throws {
        guard acceptedTypes.contains(dtype) else {
            throw TensorError.badFile(path: name, detail: "holds \(dtype) values of shape \(describeShape(shape)); " +
                                      "load_sequences reads \(acceptedTypes.joined(separator: ", "))")
        }
    }

    /// Calls `run(start, n)` for every C-order run of the last axis of the
    /// block (flat start index in the whole array, run length), in order.
    static func forEachRun(shape: [Int], start: [Int], count: [Int], _ run: (_ flat: Int, _ n: Int, _ offset: Int) -> Void) {
        let r = shape.count
        var strides = [Int](repeating: 1, count: r)
        for a in stride(from: r - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * shape[a + 1] }
        let n = count[r - 1]
        let runs = count.dropLast().reduce(1, *)
        var idx = [Int](repeating: 0, count: max(r - 1, 0))
        for k in 0..<runs {
            var flat = start[r - 1]
            for a in 0..<(r - 1) { flat += (start[a] + idx[a]) * strides[a] }
            run(flat, n, k * n)
            var a = r - 2
            while a >= 0 {
                idx[a] += 1
                if idx[a] < count[a] { break }
                idx[a] = 0
                a -= 1
            }
        }
    }
}

extension NPYDType {
    /// numpy's name for the type ("uint8", "float32", …); big-endian is converted alike.
    var numpyName: String {
        switch kind {
        case "b": return "bool"
        case "u": return "uint\(size * 8)"
        case "i": return "int\(size * 8)"
        default: return "float\(size * 8)"
        }
    }
}

extension NPYArray: ArrayReader {
    public var name: String { path }
    public var dtypeName: String { dtype.numpyName }

    public func readBlock(start: [Int], count: [Int], into dst: UnsafeMutablePointer<Float>) throws {
        ArrayReaders.forEachRun(shape: shape, start: start, count: count) { flat, n, offset in
            copyFloats(from: flat, count: n, into: dst + offset)
        }
    }
}
