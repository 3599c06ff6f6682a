// ExactValues: metric series stored bit for bit in a record (hex IEEE-754
// bits authoritative, readable decimals beside them).

import Foundation

/// Numbers stored bit for bit: the IEEE-754 bit patterns (hex, 16 digits
/// per f64 value, 8 per f32) are authoritative; `values` is the same numbers
/// in readable decimal (`"nan"`, `"inf"`, `"-inf"` for non-finite values).
/// NaN payloads, signed zeros and subnormals all survive.
public struct ExactValues: Codable, Equatable, Sendable {
    public enum Width: String, Codable, Sendable { case f64, f32 }

    public var width: Width
    /// Bit patterns (f32 patterns in the low 32 bits).
    public var bits: [UInt64]

    public init(_ values: [Double]) {
        width = .f64
        bits = values.map(\.bitPattern)
    }

    public init(_ values: [Float]) {
        width = .f32
        bits = values.map { UInt64($0.bitPattern) }
    }

    public init(width: Width, bits: [UInt64]) {
        self.width = width
        self.bits = bits
    }

    public var count: Int { bits.count }

    /// The values as Doubles (f32 widened, exactly).
    public var doubles: [Double] {
        switch width {
        case .f64: return bits.map { Double(bitPattern: $0) }
        case .f32: return bits.map { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        }
    }

    public func double(at i: Int) -> Double {
        width == .f64 ? Double(bitPattern: bits[i]) : Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits[i])))
    }

    /// Readable decimal text of value `i` (shortest form that reads back).
    public func text(at i: Int) -> String {
        switch width {
        case .f64: return ExactValues.text(Double(bitPattern: bits[i]))
        case .f32: return ExactValues.text(Float(bitPattern: UInt32(truncatingIfNeeded: bits[i])))
        }
    }

    static func text<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    enum CodingKeys: String, CodingKey { case width, bits, values }

    /// One readable number: a JSON number, or a string for non-finite values.
    enum Readable: Codable, Equatable {
        case number(Double)
        case word(String)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .word(try c.decode(String.self)) }
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let d): try c.encode(d)
            case .word(let w): try c.encode(w)
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        let digits = width == .f64 ? 16 : 8
        try c.encode(bits.map { ExactValues.hex($0, digits: digits) }.joined(), forKey: .bits)
        let readable: [Readable] = (0..<count).map { i in
            let d = double(at: i)
            return d.isFinite ? .number(Double(text(at: i))!) : .word(text(at: i))
        }
        try c.encode(readable, forKey: .values)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        width = try c.decode(Width.self, forKey: .width)
        let hex = try c.decode(String.self, forKey: .bits)
        let digits = width == .f64 ? 16 : 8
        guard hex.utf8.count % digits == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .bits, in: c,
                debugDescription: "bit patterns are not a whole number of \(digits)-digit values")
        }
        var out: [UInt64] = []
        out.reserveCapacity(hex.utf8.count / digits)
        let bytes = Array(hex.utf8)
        var i = 0
        while i < bytes.count {
            guard let v = UInt64(String(decoding: bytes[i..<i + digits], as: UTF8.self), radix: 16) else {
                throw DecodingError.dataCorruptedError(forKey: .bits, in: c,
                    debugDescription: "not a hexadecimal bit pattern at value \(i / digits)")
            }
            out.append(v)
            i += digits
        }
        bits = out
        // The readable numbers must say the same as the bits.
        let readable = try c.decode([Readable].self, forKey: .values)
        guard readable.count == bits.count else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: c,
                debugDescription: "\(readable.count) readable values but \(bits.count) bit patterns")
        }
        for (i, r) in readable.enumerated() where !ExactValues.agrees(r, with: double(at: i), width: width) {
            throw DecodingError.dataCorruptedError(forKey: .values, in: c,
                debugDescription: "value \(i) reads \(r) but its bits say \(text(at: i))")
        }
    }

    static func agrees(_ r: Readable, with v: Double, width: Width) -> Bool {
        switch r {
        case .word(let w):
            switch w {
            case "nan": return v.isNaN
            case "inf": return v == .infinity
            case "-inf": return v == -.infinity
            default: return false
            }
        case .number(let d):
            guard v.isFinite else { return false }
            // f64: exact. f32: the decimal was written from the float's shortest
            // form; reading it as a Double and rounding may differ by one ulp.
            if width == .f64 { return d.bitPattern == v.bitPattern }
            let f = Float(d), g = Float(v)
            return f == g || f.nextUp == g || f.nextDown == g
        }
    }

    static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return s.count >= digits ? s : String(repeating: "0", count: digits - s.count) + s
    }
}
