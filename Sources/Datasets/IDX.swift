// IDX: the MNIST file format (LeCun et al.): a big-endian header of magic
// number (0, 0, element type, rank), then one UInt32 per dimension, then the
// data. MNIST images are magic 2051 (0x00000803: unsigned bytes, rank 3
// [N, 28, 28]); labels are 2049 (0x00000801: unsigned bytes, rank 1 [N]).
// Files may be plain or gzipped (detected by content). Every defect — missing,
// truncated, trailing bytes, wrong magic, images/labels counts that disagree —
// is a thrown `TensorError.badFile` naming the file. Deliberately not: the
// other IDX element types (int16/int32/float), which MNIST never uses.
import TensorEngine

public enum IDX {
    public static let imagesMagic: UInt32 = 2051
    public static let labelsMagic: UInt32 = 2049

    /// Reads an IDX images file: (count, rows, columns, pixels row-major).
    public static func readImages(_ path: String) throws -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        let bytes = try DataFile.read(path)
        let dims = try header(bytes, path: path, magic: imagesMagic, kind: "images")
        let (n, r, c) = (dims[0], dims[1], dims[2])
        guard r > 0, c > 0 else {
            throw TensorError.badFile(path: path, detail: "IDX images of size \(r)×\(c): empty images")
        }
        guard let elements = checkedProduct([n, r, c]) else {
            throw TensorError.badFile(path: path, detail: "inconsistent: the header announces \(n) images of \(r)×\(c), an impossible size")
        }
        let body = try payload(bytes, path: path, rank: 3, elements: elements, what: "\(n) images of \(r)×\(c)")
        return (n, r, c, body)
    }

    /// Reads an IDX labels file.
    public static func readLabels(_ path: String) throws -> [UInt8] {
        let bytes = try DataFile.read(path)
        let dims = try header(bytes, path: path, magic: labelsMagic, kind: "labels")
        return try payload(bytes, path: path, rank: 1, elements: dims[0], what: "\(dims[0]) labels")
    }

    /// Reads a matching pair of images and labels files.
    public static func readDigits(images imagesPath: String, labels labelsPath: String) throws -> MNISTDigits {
        let img = try readImages(imagesPath)
        let labels = try readLabels(labelsPath)
        guard labels.count == img.count else {
            throw TensorError.badFile(path: labelsPath,
                detail: "holds \(labels.count) labels but \(imagesPath) holds \(img.count) images")
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw TensorError.badFile(path: labelsPath, detail: "label \(labels[bad]) at index \(bad) is not a digit 0–9")
        }
        return MNISTDigits(rows: img.rows, columns: img.columns, pixels: img.pixels, labels: labels,
                           provenance: "IDX \(imagesPath.split(separator: "/").last.map(String.init) ?? imagesPath) + \(labelsPath.split(separator: "/").last.map(String.init) ?? labelsPath)")
    }

    /// Serialises unsigned-byte data as IDX (for tests and for exporting digits).
    public static func encode(shape: [Int], bytes: [UInt8]) -> [UInt8] {
        precondition(shape.reduce(1, *) == bytes.count && shape.count < 256, "IDX.encode: shape does not fit the data")
        var out: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
        for d in shape { appendBigEndian(UInt32(d), to: &out) }
        return out + bytes
    }

    /// Checks the magic number and returns the dimensions.
    static func header(_ bytes: [UInt8], path: String, magic: UInt32, kind: String) throws -> [Int] {
        guard bytes.count >= 4 else {
            throw TensorError.badFile(path: path, detail: "truncated: \(bytes.count) bytes, too short for an IDX header")
        }
        let found = readBigEndian(bytes, 0)
        guard found == magic else {
            var hint = ""
            if found == imagesMagic { hint = " (this is an IDX images file)" }
            else if found == labelsMagic { hint = " (this is an IDX labels file)" }
            else if bytes[0] != 0 || bytes[1] != 0 { hint = " (not an IDX file)" }
            throw TensorError.badFile(path: path,
                detail: "wrong magic number \(found) (0x\(hex(found))); expected \(magic) for IDX \(kind)\(hint)")
        }
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else {
            throw TensorError.badFile(path: path, detail: "truncated: the IDX header needs \(4 + 4 * rank) bytes, the file has \(bytes.count)")
        }
        return (0..<rank).map { Int(readBigEndian(bytes, 4 + 4 * $0)) }
    }

    /// The data after the header, checked to be exactly `elements` bytes long.
    static func payload(_ bytes: [UInt8], path: String, rank: Int, elements: Int, what: String) throws -> [UInt8] {
        let start = 4 + 4 * rank
        let have = bytes.count - start
        if have < elements {
            throw TensorError.badFile(path: path,
                detail: "truncated: the header announces \(what) (\(elements) bytes) but only \(have) bytes follow")
        }
        if have > elements {
            throw TensorError.badFile(path: path,
                detail: "inconsistent: \(have - elements) bytes follow the \(what) the header announces")
        }
        return Array(bytes[start...])
    }
}

@inline(__always) func readBigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

func appendBigEndian(_ v: UInt32, to out: inout [UInt8]) {
    out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
}

/// The product of non-negative dimensions, or nil when it overflows Int.
func checkedProduct(_ dims: [Int]) -> Int? {
    var p = 1
    for d in dims {
        guard d >= 0 else { return nil }
        let (r, overflow) = p.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        p = r
    }
    return p
}

func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}
