// StrictJSON: the check a record's bytes pass before any decoder sees them,
// so that every reader of one record reads the same thing. JSON parsers
// disagree on what a duplicated key means (`JSONDecoder` keeps the first
// copy, `JSONSerialization` the last): a record with one is refused, so a
// signature cannot cover one copy while a page shows the other. One pass,
// no recursion (an explicit stack), keys compared after unescaping
// (`"se\u0065d"` is `"seed"`); numbers must be finite.
// Deliberately not: a full JSON parser (the decoders still parse and refuse
// malformed text); this only finds what they would silently accept.

import Foundation

public enum StrictJSON {
    /// What the first problem found is, with its byte offset.
    public struct Problem: Error, Equatable, CustomStringConvertible, Sendable {
        public var offset: Int
        public var detail: String
        public var description: String { "\(detail) at byte \(offset)" }
    }

    /// Throws `Problem` for the first duplicated key of any object (or a
    /// number too large for a Double), else returns.
    public static func check(_ data: Data) throws {
        let bytes = [UInt8](data)
        // Per open container: the keys seen (nil for an array) and whether the next string is a key.
        var stack: [(keys: Set<String>?, expectKey: Bool)] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x7B: stack.append((Set<String>(), true)); i += 1
            case 0x5B: stack.append((nil, false)); i += 1
            case 0x7D, 0x5D: _ = stack.popLast(); i += 1
            case 0x2C:
                if let top = stack.last, top.keys != nil { stack[stack.count - 1].expectKey = true }
                i += 1
            case 0x22:
                let start = i
                let (s, end) = string(bytes, from: i)
                i = end
                if let top = stack.last, top.keys != nil, top.expectKey {
                    guard let key = s else { throw Problem(offset: start, detail: "an object key that is not a JSON string") }
                    if top.keys!.contains(key) {
                        throw Problem(offset: start, detail: "the key \(RecordLimits.quoted(key)) appears twice in one object")
                    }
                    stack[stack.count - 1].keys!.insert(key)
                    stack[stack.count - 1].expectKey = false
                }
            case 0x2D, 0x30...0x39:
                let start = i
                while i < bytes.count, isNumberByte(bytes[i]) { i += 1 }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                if let d = Double(text), !d.isFinite {
                    throw Problem(offset: start, detail: "the number \(text) is out of range")
                }
            default: i += 1
            }
        }
    }

    static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45
    }

    /// The unescaped string starting at the quote at `from` (nil when its
    /// escapes are malformed) and the index after its closing quote.
    static func string(_ b: [UInt8], from: Int) -> (String?, Int) {
        var i = from + 1
        var out: [UInt8] = []
        var ok = true
        var pendingHigh: UInt32?
        func append(_ v: UInt32) {
            if let u = Unicode.Scalar(v) { out += Array(String(u).utf8) } else { ok = false }
        }
        while i < b.count {
            let c = b[i]
            if c == 0x22 { if pendingHigh != nil { ok = false }; return (ok ? String(decoding: out, as: UTF8.self) : nil, i + 1) }
            if c != 0x5C {
                if pendingHigh != nil { ok = false; pendingHigh = nil }
                out.append(c); i += 1; continue
            }
            guard i + 1 < b.count else { return (nil, b.count) }
            let e = b[i + 1]
            i += 2
            if e == 0x75 {  // \uXXXX
                guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                    ok = false; continue
                }
                i += 4
                if let high = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(v) { append(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00)) } else { ok = false }
                } else if (0xD800...0xDBFF).contains(v) {
                    pendingHigh = v
                } else {
                    append(v)
                }
                continue
            }
            if pendingHigh != nil { ok = false; pendingHigh = nil }
            switch e {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            default: ok = false
            }
        }
        return (nil, b.count)
    }
}
