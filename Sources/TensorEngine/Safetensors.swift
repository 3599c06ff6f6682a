// safetensors read/write (the format PyTorch users exchange weights in):
//   u64 little-endian header length N | N bytes of JSON header | data
//   header: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, …,
//            "__metadata__": {"key": "value"}}
// Reads F32, F16, BF16, F64 (converted to Float32) and I64/I32/U8 (converted);
// writes F32. Tensors come back in file order (order of their data). A
// truncated, overlapping or inconsistent file is refused with a message naming
// the file; nothing here traps on bad input. Writes are atomic (temp + rename).
import Foundation
import KymoBase

public struct SafetensorsFile {
    /// Tensors in file order.
    public var tensors: [(name: String, tensor: Tensor)]
    public var metadata: [String: String]
    /// The dtype each tensor was stored as ("F32", "I64", "BOOL", …) when read
    /// from a file; empty for a file value built in memory (written as F32).
    public var dtypes: [String: String]

    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], dtypes: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.dtypes = dtypes
    }

    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
    public var names: [String] { tensors.map(\.name) }
}

public enum Safetensors {
    static let maxHeader = 100 << 20

    public static func read(path: String) throws -> SafetensorsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TensorError.badFile(path: path, detail: "cannot read the file (missing or unreadable)")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> SafetensorsFile {
        func bad(_ s: String) -> TensorError { .badFile(path: path, detail: "not a valid safetensors file: \(s)") }
        if let foreign = ForeignWeightsFormat.sniff(data) {
            throw TensorError.badFile(path: path, detail: foreign.explanation)
        }
        guard data.count >= 8 else { throw bad("shorter than its 8-byte header length") }
        var n: UInt64 = 0
        for (i, byte) in data.prefix(8).enumerated() { n |= UInt64(byte) << UInt64(8 * i) }
        guard n <= UInt64(maxHeader), Int(n) <= data.count - 8 else { throw bad("header length \(n) exceeds the file size \(data.count)") }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw bad("header is not a JSON object")
        }
        let dataStart = 8 + Int(n)
        let dataLen = data.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m { metadata[k] = (v as? String) ?? "\(v)" }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any], let offs = info["data_offsets"] as? [Any], offs.count == 2 else {
                throw bad("entry '\(key)' lacks dtype, shape or data_offsets")
            }
            let shape = try shapeAny.map { (v: Any) -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else { throw bad("entry '\(key)' has a bad shape") }
                return i
            }
            guard let b = (offs[0] as? NSNumber)?.intValue, let e = (offs[1] as? NSNumber)?.intValue, b >= 0, e >= b, e <= dataLen else {
                throw bad("entry '\(key)' has data offsets outside the data (\(dataLen) bytes; truncated?)")
            }
            guard let size = dtypeSize(dtype) else { throw bad("entry '\(key)' has unsupported dtype \(dtype)") }
            guard isAddressableShape(shape) else { throw bad("entry '\(key)' has shape \(describeShape(shape)), impossibly large") }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard count != Int.max, count * size == e - b else {
                throw bad("entry '\(key)' has \(e - b) bytes, but shape \(describeShape(shape)) of \(dtype) needs \(count == Int.max ? -1 : count * size)")
            }
            entries.append((key, dtype, shape, b, e))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for e in entries where e.end > e.begin {
            guard e.begin >= cursor else { throw bad("entry '\(e.name)' overlaps the previous tensor") }
            cursor = e.end
        }
        let tensors = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [(name: String, tensor: Tensor)] in
            try entries.map { e in
                let t = Tensor(uninitialized: e.shape)
                try convert(raw.baseAddress! + dataStart + e.begin, dtype: e.dtype, count: t.count, into: t.data, path: path)
                return (e.name, t)
            }
        }
        var dtypes: [String: String] = [:]
        for e in entries { dtypes[e.name] = e.dtype }
        return SafetensorsFile(tensors: tensors, metadata: metadata, dtypes: dtypes)
    }

    /// Float dtypes: what model weights may be stored as.
    public static let floatDtypes: Set<String> = ["F32", "F16", "BF16", "F64"]

    static func dtypeSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "F16", "BF16", "I16": return 2
        case "F64", "I64": return 8
        case "U8", "I8", "BOOL": return 1
        default: return nil
        }
    }

    static func convert(_ src: UnsafeRawPointer, dtype: String, count: Int, into dst: UnsafeMutablePointer<Float>, path: String) throws {
        switch dtype {
        case "F32": for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case "F64": for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case "F16": for i in 0..<count { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case "BF16": for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        case "I64": for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case "I32": for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case "I16": for i in 0..<count { dst[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case "U8", "BOOL": for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        case "I8": for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        default: throw TensorError.badFile(path: path, detail: "unsupported dtype \(dtype)")
        }
    }

    /// The file's bytes: F32 tensors in the given order, header padded to 8 bytes.
    public static func encode(_ file: SafetensorsFile) throws -> Data {
        var seen = Set<String>()
        var header = "{"
        if !file.metadata.isEmpty {
            header += "\"__metadata__\":{" + file.metadata.sorted { $0.key < $1.key }
                .map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",") + "},"
        }
        var offset = 0
        var parts: [String] = []
        for (name, t) in file.tensors {
            guard name != "__metadata__", seen.insert(name).inserted else {
                throw TensorError.invalidArgument(op: "save_tensors", detail: "duplicate or reserved tensor name '\(name)'")
            }
            let bytes = t.count * 4
            parts.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        while (header.utf8.count + 8) % 8 != 0 { header += " " }
        var out = Data(capacity: 8 + header.utf8.count + offset)
        var len = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        for (_, t) in file.tensors {
            let le = t.withContiguousData { c in   // the pointer once per tensor, not per element
                c.map { $0.bitPattern.littleEndian }
            }
            le.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    public static func write(_ file: SafetensorsFile, path: String) throws {
        do { try AtomicFile.write(try encode(file), to: path) } catch let f as AtomicFile.Failure {
            throw TensorError.badFile(path: path, detail: f.folderMissing ? "cannot write: folder \(f.folder) does not exist" : "cannot write: \(f.reason)")
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
