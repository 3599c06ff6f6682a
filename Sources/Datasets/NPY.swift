// NPY: NumPy's `.npy` array format, read and written.
// Layout: magic "\x93NUMPY", version (1.0, 2.0 or 3.0), header length
// (UInt16 little-endian for 1.0, UInt32 for 2.0/3.0), an ASCII (3.0: UTF-8)
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (…)}
// padded with spaces and a newline, then the raw C-order data.
// Reading memory-maps the file (the standard Moving MNIST test file is 820 MB;
// nothing is copied until asked) — or, for a gzipped .npy, inflates it into
// memory. Element types: bool, (u)int8/16/32/64 and float32/64, little- or
// big-endian, converted to Float on request. Every defect is a thrown
// `TensorError.badFile` naming the file. Writing produces version 1.0 files
// (2.0 when the header needs it) aligned to 64 bytes, as numpy writes them.
// Deliberately not: structured or object dtypes, Fortran order (.npz
// archives are NPZArchive's; their members are NPYArrays).
import Foundation
import TensorEngine

/// An element type, parsed from a descr string like '<f4' or '|u1'.
public struct NPYDType: Equatable, Sendable, CustomStringConvertible {
    /// "b" bool, "u" unsigned integer, "i" signed integer, "f" floating point.
    public let kind: Character
    /// Bytes per element.
    public let size: Int
    public let bigEndian: Bool

    public static let uint8 = NPYDType(kind: "u", size: 1, bigEndian: false)
    public static let float32 = NPYDType(kind: "f", size: 4, bigEndian: false)
    public static let float64 = NPYDType(kind: "f", size: 8, bigEndian: false)
    public static let int64 = NPYDType(kind: "i", size: 8, bigEndian: false)

    public init(kind: Character, size: Int, bigEndian: Bool) {
        self.kind = kind
        self.size = size
        self.bigEndian = bigEndian
    }

    /// Parses a numpy descr; nil for types this reader does not convert.
    public init?(descr: String) {
        let chars = Array(descr)
        guard chars.count >= 2 else { return nil }
        var order = chars[0], rest = chars[1...]
        if !"<>|=".contains(order) { order = "="; rest = chars[0...] }
        guard let kind = rest.first, let size = Int(String(rest.dropFirst())) else { return nil }
        switch (kind, size) {
        case ("b", 1), ("u", 1), ("i", 1), ("u", 2), ("i", 2), ("u", 4), ("i", 4),
             ("u", 8), ("i", 8), ("f", 4), ("f", 8): break
        default: return nil
        }
        self.init(kind: kind, size: size, bigEndian: order == ">" && size > 1)
    }

    /// The descr numpy writes for this type: '|u1', '<f4', '>i8', …
    public var descr: String {
        (size == 1 ? "|" : (bigEndian ? ">" : "<")) + String(kind) + String(size)
    }

    public var description: String {
        switch kind {
        case "b": return "bool"
        case "u": return "uint\(size * 8)"
        case "i": return "int\(size * 8)"
        default: return "float\(size * 8)" + (bigEndian ? " (big-endian)" : "")
        }
    }
}

public struct NPYHeader: Equatable, Sendable {
    public let version: Int
    public let dtype: NPYDType
    public let shape: [Int]
    /// Byte offset of the first element.
    public let dataOffset: Int
    public var count: Int { shape.reduce(1, *) }
}

/// A read-only `.npy` array, memory-mapped (or inflated, for .npy.gz).
public final class NPYArray: @unchecked Sendable {
    public let path: String
    public let header: NPYHeader
    public var shape: [Int] { header.shape }
    public var dtype: NPYDType { header.dtype }
    public var count: Int { header.count }

    private let base: UnsafeRawPointer
    private let length: Int
    private let mapped: Bool
    /// For an array inside another buffer (an .npz member): what keeps it alive.
    private let owner: AnyObject?

    /// An .npy held in `length` bytes at `base`, which `owner` keeps alive
    /// (never freed here); `path` names it in errors, e.g. "data.npz:x.npy".
    init(path: String, bytes base: UnsafeRawPointer, length: Int, owner: AnyObject) throws {
        self.path = path
        self.base = base
        self.length = length
        self.mapped = false
        self.owner = owner
        header = try NPY.parseHeader(UnsafeRawBufferPointer(start: base, count: length), path: path)
    }

    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TensorError.badFile(path: path, detail: "no such file")
        }
        guard !isDirectory.boolValue else { throw TensorError.badFile(path: path, detail: "is a directory, not an .npy file") }
        owner = nil

        // O_NONBLOCK: a FIFO must not block the open; only a regular file is read.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw TensorError.badFile(path: path, detail: "cannot be opened for reading") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TensorError.badFile(path: path, detail: "cannot be inspected (fstat failed)") }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw TensorError.badFile(path: path, detail: "is not a regular file (a device, FIFO or socket is never read)")
        }
        let size = Int(st.st_size)
        guard size >= 10 else {
            throw TensorError.badFile(path: path, detail: "truncated: \(size) bytes, too short for an .npy header")
        }
        var magic: (UInt8, UInt8) = (0, 0)
        guard pread(fd, &magic, 2, 0) == 2 else { throw TensorError.badFile(path: path, detail: "read failed") }

        if magic.0 == 0x1F && magic.1 == 0x8B {
            let bytes = try DataFile.read(path)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            base = UnsafeRawPointer(buffer)
            length = bytes.count
            mapped = false
        } else {
            guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
                  p != UnsafeMutableRawPointer(bitPattern: -1) else {
                throw TensorError.badFile(path: path, detail: "cannot be memory-mapped")
            }
            base = UnsafeRawPointer(p)
            length = size
            mapped = true
        }
        do {
            header = try NPY.parseHeader(UnsafeRawBufferPointer(start: base, count: length), path: path)
        } catch {
            if mapped { munmap(UnsafeMutableRawPointer(mutating: base), length) } else { base.deallocate() }
            throw error
        }
    }

    deinit {
        if owner != nil { return }
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), length) } else { base.deallocate() }
    }

    /// The raw bytes of the data (C order, `dtype`'s byte order).
    public var rawData: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + header.dataOffset, count: count * dtype.size)
    }

    /// Converts elements `start ..< start + n` (flat C-order index) to Float.
    public func copyFloats(from start: Int, count n: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(start >= 0 && n >= 0 && start + n <= count, "copyFloats: \(start)..<\(start + n) outside 0..<\(count)")
        let p = base + header.dataOffset + start * dtype.size
        convertToFloat(p, dtype: dtype, count: n, into: dst)
    }

    /// The whole array as a Float tensor of the same shape (values unchanged).
    public func tensor() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.withMutableData { copyFloats(from: 0, count: count, into: $0.baseAddress!) }
        return t
    }

    /// The whole array as bytes, for uint8 arrays.
    public func uint8Array() throws -> [UInt8] {
        guard dtype.kind == "u" && dtype.size == 1 else {
            throw TensorError.badFile(path: path, detail: "holds \(dtype) values, not uint8")
        }
        return Array(UnsafeRawBufferPointer(rebasing: rawData[0..<count]))
    }
}

/// Element conversion for every supported dtype.
func convertToFloat(_ p: UnsafeRawPointer, dtype: NPYDType, count n: Int, into dst: UnsafeMutablePointer<Float>) {
    @inline(__always) func each<T: FixedWidthInteger>(_: T.Type, _ f: (T) -> Float) {
        for i in 0..<n {
            let raw = p.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
            dst[i] = f(dtype.bigEndian ? T(bigEndian: raw) : T(littleEndian: raw))
        }
    }
    switch (dtype.kind, dtype.size) {
    case ("u", 1), ("b", 1):
        let b = p.assumingMemoryBound(to: UInt8.self)
        for i in 0..<n { dst[i] = Float(b[i]) }
    case ("i", 1):
        let b = p.assumingMemoryBound(to: Int8.self)
        for i in 0..<n { dst[i] = Float(b[i]) }
    case ("u", 2): each(UInt16.self) { Float($0) }
    case ("i", 2): each(Int16.self) { Float($0) }
    case ("u", 4): each(UInt32.self) { Float($0) }
    case ("i", 4): each(Int32.self) { Float($0) }
    case ("u", 8): each(UInt64.self) { Float($0) }
    case ("i", 8): each(Int64.self) { Float($0) }
    case ("f", 4): each(UInt32.self) { Float(bitPattern: $0) }
    case ("f", 8): each(UInt64.self) { Float(Double(bitPattern: $0)) }
    default: preconditionFailure("unsupported dtype \(dtype.descr)")
    }
}

public enum NPY {
    /// The longest header read (numpy writes a few hundred bytes; its own
    /// reader stops at 10,000 by default).
    public static let maxHeaderBytes = 1 << 16

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Reads a whole .npy file into a Float tensor (values unchanged).
    public static func read(_ path: String) throws -> Tensor {
        try NPYArray(path: path).tensor()
    }

    /// Parses the preamble and header of an .npy file held in `bytes`
    /// (which must hold the whole file: its length is checked against the shape).
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NPYHeader {
        func bad(_ s: String) -> TensorError { .badFile(path: path, detail: s) }
        guard bytes.count >= 10 else { throw bad("truncated: \(bytes.count) bytes, too short for an .npy header") }
        guard Array(bytes[0..<6]) == magic else {
            throw bad("not an .npy file (it does not start with \"\\x93NUMPY\")")
        }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated: too short for an .npy \(major).0 header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw bad("unsupported .npy format version \(major).\(minor) (this reader knows 1.0, 2.0 and 3.0)")
        }
        guard headerLength <= NPY.maxHeaderBytes else {
            throw bad("the header is \(headerLength) bytes; Kymo reads headers of at most \(NPY.maxHeaderBytes) bytes")
        }
        guard bytes.count >= start + headerLength else {
            throw bad("truncated: the header is \(headerLength) bytes but the file has only \(bytes.count - start) after the preamble")
        }
        let headerBytes = Array(bytes[start..<(start + headerLength)])
        guard let text = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw bad("the header is not valid text")
        }
        let value: PyLiteral
        do {
            var parser = PyLiteralParser(text)
            value = try parser.parseTop()
        } catch let e as PyLiteralParser.Failure {
            let shown = text.trimmingCharacters(in: .whitespacesAndNewlines)
            throw bad("malformed header \(shown.prefix(200))\(shown.count > 200 ? "…" : ""): \(e.message)")
        }
        guard case let .dict(entries) = value else { throw bad("the header is not a dict: \(text)") }
        func entry(_ key: String) throws -> PyLiteral {
            guard let v = entries.first(where: { $0.0 == key })?.1 else { throw bad("the header has no '\(key)' entry") }
            return v
        }
        guard case let .string(descr) = try entry("descr") else {
            throw bad("structured dtypes are not supported (descr is not a simple type string)")
        }
        guard let dtype = NPYDType(descr: descr) else {
            throw bad("dtype '\(descr)' is not supported; supported: bool, uint8–64, int8–64, float32, float64")
        }
        guard case let .bool(fortran) = try entry("fortran_order") else { throw bad("'fortran_order' is not True or False") }
        if fortran {
            throw bad("fortran_order is True (column-major data); only C order is supported — save it with numpy.ascontiguousarray(a)")
        }
        guard case let .tuple(dims) = try entry("shape") else { throw bad("'shape' is not a tuple") }
        var shape: [Int] = []
        for d in dims {
            guard case let .int(n) = d, n >= 0 else { throw bad("'shape' holds a value that is not a non-negative integer") }
            shape.append(n)
        }
        let dataOffset = start + headerLength
        guard isAddressableShape(shape), let count = checkedProduct(shape), let dataBytes = checkedProduct([count, dtype.size]) else {
            throw bad("shape \(describeShape(shape)) is impossibly large")
        }
        let have = bytes.count - dataOffset
        if have < dataBytes {
            throw bad("truncated: shape \(describeShape(shape)) of \(dtype) needs \(dataBytes) bytes of data but only \(have) follow the header")
        }
        if have > dataBytes {
            throw bad("inconsistent: \(have - dataBytes) bytes follow the \(dataBytes) bytes of data that shape \(describeShape(shape)) of \(dtype) needs")
        }
        return NPYHeader(version: major, dtype: dtype, shape: shape, dataOffset: dataOffset)
    }

    /// Serialises raw little-endian element bytes as an .npy file.
    public static func encode(shape: [Int], dtype: NPYDType, data: [UInt8]) -> [UInt8] {
        precondition(shape.reduce(1, *) * dtype.size == data.count, "NPY.encode: \(data.count) bytes do not fill \(describeShape(shape)) of \(dtype)")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so that the data starts at a multiple of 64, newline last.
        var preamble = 10
        if (preamble + dict.utf8.count + 1 + 63) / 64 * 64 - preamble > 65535 { preamble = 12 }
        let total = (preamble + dict.utf8.count + 1 + 63) / 64 * 64
        dict += String(repeating: " ", count: total - preamble - dict.utf8.count - 1) + "\n"
        var out = magic
        let n = dict.utf8.count
        if preamble == 10 {
            out += [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)]
        } else {
            out += [2, 0, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        }
        out += Array(dict.utf8)
        out += data
        return out
    }

    public static func encode(shape: [Int], uint8 values: [UInt8]) -> [UInt8] {
        encode(shape: shape, dtype: .uint8, data: values)
    }

    public static func encode(shape: [Int], float32 values: [Float]) -> [UInt8] {
        var data = [UInt8](); data.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        return encode(shape: shape, dtype: .float32, data: data)
    }

    /// Writes a tensor as a float32 .npy file.
    public static func write(_ tensor: Tensor, to path: String) throws {
        try DataFile.write(encode(shape: tensor.shape, float32: tensor.toArray()), to: path)
    }

    /// Writes bytes as a uint8 .npy file.
    public static func write(uint8 values: [UInt8], shape: [Int], to path: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw TensorError.shapeMismatch(op: "npy write", shapes: [[values.count], shape], detail: "\(values.count) bytes do not fill the shape")
        }
        try DataFile.write(encode(shape: shape, uint8: values), to: path)
    }
}

// MARK: - The header's Python literal

enum PyLiteral: Equatable {
    case dict([(String, PyLiteral)])
    case tuple([PyLiteral])
    case list([PyLiteral])
    case string(String)
    case int(Int)
    case bool(Bool)
    case none

    static func == (a: PyLiteral, b: PyLiteral) -> Bool {
        switch (a, b) {
        case let (.dict(x), .dict(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.none, .none): return true
        default: return false
        }
    }
}

/// A recursive-descent parser for the literals numpy writes in headers:
/// dicts, tuples, lists, quoted strings, integers (with Python 2's 'L'
/// suffix), True, False, None. Its recursion is bounded: brackets nested
/// deeper than `maxDepth` are refused before they can exhaust the stack.
struct PyLiteralParser {
    struct Failure: Error { let message: String }
    let chars: [Character]
    var i = 0
    var depth = 0
    /// numpy's headers nest 3 levels (a structured dtype a few more).
    static let maxDepth = 16

    init(_ text: String) { chars = Array(text) }

    mutating func parseTop() throws -> PyLiteral {
        let v = try value()
        skipSpace()
        guard i == chars.count else { throw Failure(message: "unexpected text after the dict") }
        return v
    }

    mutating func skipSpace() {
        while i < chars.count, chars[i].isWhitespace { i += 1 }
    }

    mutating func expect(_ c: Character) throws {
        skipSpace()
        guard i < chars.count, chars[i] == c else { throw Failure(message: "expected '\(c)' at character \(i)") }
        i += 1
    }

    mutating func peek() -> Character? {
        skipSpace()
        return i < chars.count ? chars[i] : nil
    }

    /// Items up to `close`, separated by commas, with an optional trailing comma.
    mutating func items(_ close: Character, _ item: (inout PyLiteralParser) throws -> Void) throws {
        guard depth < PyLiteralParser.maxDepth else {
            throw Failure(message: "brackets nested deeper than \(PyLiteralParser.maxDepth) levels at character \(i)")
        }
        depth += 1
        defer { depth -= 1 }
        i += 1
        while true {
            if peek() == close { i += 1; return }
            try item(&self)
            if peek() == "," { i += 1; continue }
            try expect(close)
            return
        }
    }

    mutating func value() throws -> PyLiteral {
        guard let c = peek() else { throw Failure(message: "unexpected end of header") }
        switch c {
        case "{":
            var entries: [(String, PyLiteral)] = []
            try items("}") { p in
                guard case let .string(key) = try p.value() else { throw Failure(message: "dict key is not a string") }
                try p.expect(":")
                entries.append((key, try p.value()))
            }
            return .dict(entries)
        case "(":
            var xs: [PyLiteral] = []
            try items(")") { p in xs.append(try p.value()) }
            return .tuple(xs)
        case "[":
            var xs: [PyLiteral] = []
            try items("]") { p in xs.append(try p.value()) }
            return .list(xs)
        case "'", "\"":
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c {
                if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                s.append(chars[i])
                i += 1
            }
            guard i < chars.count else { throw Failure(message: "unterminated string") }
            i += 1
            return .string(s)
        case "-", "0"..."9":
            var s = ""
            if c == "-" { s = "-"; i += 1 }
            while i < chars.count, chars[i].isASCII, chars[i].isNumber { s.append(chars[i]); i += 1 }
            if i < chars.count, chars[i] == "L" { i += 1 }
            guard let n = Int(s) else { throw Failure(message: "bad integer '\(s)'") }
            return .int(n)
        default:
            var word = ""
            while i < chars.count, chars[i].isLetter || chars[i] == "_" { word.append(chars[i]); i += 1 }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw Failure(message: "unexpected '\(word.isEmpty ? String(c) : word)' at character \(i)")
            }
        }
    }
}
