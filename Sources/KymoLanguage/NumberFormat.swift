// NumberFormat: `format(x, spec)` — a subset of Python's format-spec
// mini-language, computed from the exact decimal expansion of the Double, so
// the text is the same on every machine and locale and matches Python's
// `format()` digit for digit (Tests/NotebookTests/FormatGoldens.swift holds
// Python's answers).
//
//     spec   := [[fill]align][sign][0][width][,|_][.precision][type]
//     align  := "<" left | ">" right | "^" centre | "=" pad after the sign
//     sign   := "-" (default) | "+" | " "
//     type   := f F (fixed) | e E (exponent) | g G (general) | % (percent)
//               | d (integer) | s (string) | none
//
// Numbers align right and strings left by default; `0` before the width pads
// with zeros after the sign. Rounding is half-to-even on the exact binary
// value (so 0.125 → "0.12" but 0.135 → "0.14": 0.135 is slightly above).
// `g` drops trailing zeros; no type with no precision prints the value as
// `print` does. Ints take d (default), f, e, g, %; floats take f, e, g, %.
// Deliberately not: locale, `#`, `n`, `x`/`o`/`b`, nested fields.

public struct FormatSpec: Equatable {
    public var fill: Character = " "
    public var align: Character?
    public var sign: Character = "-"
    public var width = 0
    public var grouping: Character?
    public var precision: Int?
    public var type: Character?

    public struct Invalid: Error { public var message: String }

    public init(_ text: String) throws {
        var cs = Array(text)
        var i = 0
        func isAlign(_ c: Character) -> Bool { "<>^=".contains(c) }
        if cs.count >= 2, isAlign(cs[1]) {
            fill = cs[0]; align = cs[1]; i = 2
        } else if cs.count >= 1, isAlign(cs[0]) {
            align = cs[0]; i = 1
        }
        if i < cs.count, "+- ".contains(cs[i]) { sign = cs[i]; i += 1 }
        if i < cs.count, cs[i] == "0" {
            if align == nil { fill = "0"; align = "=" }
            i += 1
        }
        var w = ""
        while i < cs.count, cs[i].isASCII, cs[i].isNumber { w.append(cs[i]); i += 1 }
        if !w.isEmpty {
            guard let n = Int(w), n <= 1000 else { throw Invalid(message: "width \(w) is too large (at most 1000)") }
            width = n
        }
        if i < cs.count, cs[i] == "," || cs[i] == "_" { grouping = cs[i]; i += 1 }
        if i < cs.count, cs[i] == "." {
            i += 1
            var p = ""
            while i < cs.count, cs[i].isASCII, cs[i].isNumber { p.append(cs[i]); i += 1 }
            guard !p.isEmpty else { throw Invalid(message: "'.' must be followed by a precision, as in \".3f\"") }
            guard let n = Int(p), n <= 100 else { throw Invalid(message: "precision \(p) is too large (at most 100)") }
            precision = n
        }
        if i < cs.count, "fFeEgGd%s".contains(cs[i]) { type = cs[i]; i += 1 }
        guard i == cs.count else {
            cs = Array(cs[i...])
            throw Invalid(message: "unexpected '\(String(cs))' in format spec \"\(text)\"; the spec is "
                + "[[fill]align][sign][0][width][,][.precision][type] with type one of f, e, g, %, d, s")
        }
    }

    /// Formats a number or a string; throws for combinations Python rejects.
    public func apply(_ value: Value) throws -> String {
        switch value {
        case .int(let n):
            switch type ?? "_" {
            case "_", "d":
                guard precision == nil else { throw Invalid(message: "precision is not allowed for an int with type 'd'; use \".2f\" for decimals") }
                let magnitude = n.magnitude.description
                return pad(signPrefix(negative: n < 0), grouped(magnitude), numeric: true)
            case "s": throw Invalid(message: "type 's' formats strings, got int")
            default: return try float(Double(n))
            }
        case .float(let x):
            if type == "d" { throw Invalid(message: "type 'd' formats ints, got float; use int(x) or \".0f\"") }
            if type == "s" { throw Invalid(message: "type 's' formats strings, got float") }
            return try float(x)
        case .string(let s):
            guard type == nil || type == "s" else { throw Invalid(message: "type '\(type!)' formats numbers, got string") }
            guard sign == "-" else { throw Invalid(message: "a sign is not allowed with a string") }
            guard grouping == nil else { throw Invalid(message: "'\(grouping!)' is not allowed with a string") }
            guard align != "=" else { throw Invalid(message: "'=' alignment is not allowed with a string") }
            let shown = precision.map { String(s.prefix($0)) } ?? s
            return pad("", shown, numeric: false)
        default:
            throw Invalid(message: "format takes a number or a string, got \(value.typeName)")
        }
    }

    private func float(_ x0: Double) throws -> String {
        let negative = x0.sign == .minus && !x0.isNaN
        var x = Swift.abs(x0)
        var t = type
        let upper = t == "F" || t == "E" || t == "G"
        if t == "%" { x *= 100 }  // as Python does: in floating point (so it may overflow to inf)
        if x.isNaN || x.isInfinite {
            var s = x.isNaN ? "nan" : "inf"
            if upper { s = s.uppercased() }
            if t == "%" { s += "%" }
            return pad(signPrefix(negative: negative), s, numeric: true)
        }
        var suffix = ""
        if t == "%" { t = "f"; suffix = "%" }
        var body: String
        switch t ?? "_" {
        case "f", "F": body = DecimalExpansion(x).fixed(precision ?? 6)
        case "e", "E": body = DecimalExpansion(x).exponent(precision ?? 6, upper: upper)
        case "g", "G": body = DecimalExpansion(x).general(precision ?? 6, upper: upper)
        default:
            if let p = precision {
                // Python's no-type with a precision: like g, but keeps at least one decimal.
                body = DecimalExpansion(x).general(Swift.max(p, 1), upper: false, repr: true)
                if !body.contains(".") && !body.contains("e") && !body.contains("n") { body += ".0" }
            } else {
                body = DecimalExpansion.shortest(x)
            }
        }
        // Group the integer digits only.
        let end = body.firstIndex { $0 == "." || $0 == "e" || $0 == "E" } ?? body.endIndex
        body = grouped(String(body[..<end])) + body[end...]
        return pad(signPrefix(negative: negative), body + suffix, numeric: true)
    }

    private func signPrefix(negative: Bool) -> String {
        if negative { return "-" }
        return sign == "+" ? "+" : sign == " " ? " " : ""
    }

    private func grouped(_ digits: String) -> String {
        guard let g = grouping, digits.count > 3 else { return digits }
        var out: [Character] = []
        for (k, c) in digits.reversed().enumerated() {
            if k > 0, k % 3 == 0 { out.append(g) }
            out.append(c)
        }
        return String(out.reversed())
    }

    private func pad(_ prefix: String, _ body: String, numeric: Bool) -> String {
        let length = prefix.count + body.count
        guard width > length else { return prefix + body }
        let n = width - length
        let a = align ?? (numeric ? ">" : "<")
        let fillN = { (k: Int) in String(repeating: fill, count: k) }
        switch a {
        case "<": return prefix + body + fillN(n)
        case "^": return fillN(n / 2) + prefix + body + fillN(n - n / 2)
        case "=": return prefix + fillN(n) + body
        default: return fillN(n) + prefix + body
        }
    }
}

/// The exact decimal value of a finite, non-negative Double: `digits` with the
/// decimal point `pointAt` digits from the left (which may be ≤ 0 or past the
/// end), computed with a small big-integer: x = m·2^e = m·5^-e / 10^-e.
public struct DecimalExpansion {
    /// Decimal digits (0–9), no leading zeros; empty for zero.
    public var digits: [UInt8]
    /// Position of the decimal point: value = 0.d1d2… × 10^pointAt.
    public var pointAt: Int

    public init(_ x: Double) {
        precondition(x.isFinite && x >= 0)
        if x == 0 { digits = []; pointAt = 0; return }
        var e = -1074  // subnormal: significandBitPattern × 2^-1074
        var m = x.significandBitPattern
        if x.isNormal {
            m |= 1 << UInt64(Double.significandBitCount)
            e = Int(x.exponent) - Double.significandBitCount
        }
        var big = BigUInt(m)
        var point: Int
        if e >= 0 {
            big.multiply(byPowerOf: 2, e)
            point = 0
        } else {
            big.multiply(byPowerOf: 5, -e)
            point = e  // divide by 10^-e
        }
        let ds = big.decimalDigits()
        digits = ds
        pointAt = ds.count + point
        while digits.last == 0 { digits.removeLast() }
    }

    /// Python's `repr` of a finite non-negative Double: the shortest digits
    /// that round-trip (Swift finds the same ones), fixed when the exponent is
    /// in -4 ..< 16, else d.ddde±XX.
    public static func shortest(_ x: Double) -> String {
        if x == 0 { return "0.0" }
        let text = "\(x)"
        var mantissa = Substring(text)
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp10 = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intDigits = Array(parts[0].utf8).map { $0 - 48 }
        let fracDigits = parts.count > 1 ? Array(parts[1].utf8).map { $0 - 48 } : []
        var ds = intDigits + fracDigits
        var point = intDigits.count + exp10
        while ds.first == 0 { ds.removeFirst(); point -= 1 }
        while ds.last == 0 { ds.removeLast() }
        let exp = point - 1
        let s = ds.map { String($0) }.joined()
        if -4 <= exp && exp < 16 {
            if point <= 0 { return "0." + String(repeating: "0", count: -point) + s }
            if point >= ds.count { return s + String(repeating: "0", count: point - ds.count) + ".0" }
            return String(s.prefix(point)) + "." + s.dropFirst(point)
        }
        let m = ds.count > 1 ? String(s.prefix(1)) + "." + s.dropFirst() : s
        return m + "e" + (exp < 0 ? "-" : "+") + (Swift.abs(exp) < 10 ? "0" : "") + String(Swift.abs(exp))
    }

    /// Rounds to keep `n` digits before the cut at `cut` (digits index),
    /// half to even on the exact remainder; returns digits and new pointAt.
    public static func round(_ digits: [UInt8], _ pointAt: Int, keep n: Int) -> (digits: [UInt8], pointAt: Int) {
        if n < 0 { return ([], pointAt) }
        if n >= digits.count { return (digits + [UInt8](repeating: 0, count: n - digits.count), pointAt) }
        var kept = Array(digits[..<n])
        let next = digits[n]
        let restNonZero = digits[(n + 1)...].contains { $0 != 0 }
        let roundUp = next > 5 || (next == 5 && (restNonZero || (kept.last.map { $0 % 2 == 1 } ?? false)))
        var point = pointAt
        if roundUp {
            var i = kept.count - 1
            while i >= 0 {
                if kept[i] == 9 { kept[i] = 0; i -= 1 } else { kept[i] += 1; break }
            }
            if i < 0 { kept.insert(1, at: 0); kept.removeLast(); point += 1 }  // 9.99 → 10.0: still n digits
        }
        return (kept, point)
    }

    /// Fixed notation with `p` digits after the point.
    public func fixed(_ p: Int) -> String {
        // Keep digits up to position pointAt + p.
        let n = pointAt + p
        var (ds, point) = (digits, pointAt)
        if n < 0 {
            ds = []
        } else if n == 0 {
            // Only a carry can survive: 0.5… rounds to 1 when above half (or half with odd 0 → even: stays 0).
            let first = digits.first ?? 0
            let rest = digits.dropFirst().contains { $0 != 0 }
            if first > 5 || (first == 5 && rest) { ds = [1]; point += 1 } else { ds = [] }
            if ds.isEmpty { point = pointAt }
        } else {
            (ds, point) = DecimalExpansion.round(digits, pointAt, keep: n)
        }
        // Now the value is ds × 10^(point - ds.count); lay out with p decimals.
        var intPart = ""
        var fracPart = ""
        let total = point + p  // number of digits up to the last decimal
        var all = ds
        if all.count < total { all += [UInt8](repeating: 0, count: total - all.count) }
        if all.count > total { all = Array(all.prefix(Swift.max(total, 0))) }
        if point > 0 {
            intPart = all.prefix(point).map { String($0) }.joined()
            fracPart = all.dropFirst(point).map { String($0) }.joined()
        } else {
            intPart = "0"
            fracPart = String(repeating: "0", count: Swift.min(-point, p)) + all.map { String($0) }.joined()
            fracPart = String(fracPart.prefix(p))
        }
        if intPart.isEmpty { intPart = "0" }
        if fracPart.count < p { fracPart += String(repeating: "0", count: p - fracPart.count) }
        return p == 0 ? intPart : intPart + "." + fracPart
    }

    /// The decimal exponent and `sig` significant digits, rounded.
    private func significant(_ sig: Int) -> (digits: [UInt8], exponent: Int) {
        if digits.isEmpty { return ([UInt8](repeating: 0, count: sig), 0) }
        let (ds, point) = DecimalExpansion.round(digits, pointAt, keep: sig)
        return (ds, point - 1)
    }

    /// Exponent notation with `p` digits after the point: d.ddde±XX.
    public func exponent(_ p: Int, upper: Bool) -> String {
        let (ds, exp) = significant(p + 1)
        return mantissa(ds) + exponentSuffix(exp, upper: upper)
    }

    private func mantissa(_ ds: [UInt8]) -> String {
        let s = ds.map { String($0) }.joined()
        return ds.count > 1 ? String(s.prefix(1)) + "." + s.dropFirst() : s
    }

    private func exponentSuffix(_ exp: Int, upper: Bool) -> String {
        let mag = Swift.abs(exp)
        return (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (mag < 10 ? "0" : "") + String(mag)
    }

    /// Python's `g`: `p` significant digits; fixed when -4 ≤ exponent < p,
    /// else exponent; trailing zeros (and a bare point) removed.
    /// `repr`: Python's no-type spec with a precision, which switches to the
    /// exponent form one digit earlier (exponent ≥ p - 1).
    public func general(_ p0: Int, upper: Bool, repr: Bool = false) -> String {
        let p = p0 == 0 ? 1 : p0
        let (ds, exp) = significant(p)
        var s: String
        if digits.isEmpty {
            s = "0"
        } else if -4 <= exp && exp < (repr ? p - 1 : p) {
            s = DecimalExpansion(digits: ds, pointAt: exp + 1).fixed(Swift.max(p - 1 - exp, 0))
        } else {
            s = mantissa(ds)
            if s.contains(".") {
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return s + exponentSuffix(exp, upper: upper)
        }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    private init(digits: [UInt8], pointAt: Int) {
        self.digits = digits
        self.pointAt = pointAt
        while self.digits.last == 0 { self.digits.removeLast() }
    }
}

/// Just enough of an unsigned big integer for `DecimalExpansion`: multiply by
/// small powers, convert to decimal. Little-endian 32-bit limbs.
public struct BigUInt {
    private var limbs: [UInt32]

    public init(_ x: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: x >> 32)]
        trim()
    }

    private mutating func trim() { while limbs.count > 1, limbs.last == 0 { limbs.removeLast() } }

    private mutating func multiply(by k: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let p = UInt64(limbs[i]) * UInt64(k) + carry
            limbs[i] = UInt32(truncatingIfNeeded: p)
            carry = p >> 32
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
    }

    /// self ×= base^n for base 2 or 5.
    public mutating func multiply(byPowerOf base: UInt32, _ n: Int) {
        // Largest power of base that fits a limb: 2^31, 5^13.
        let (chunk, step): (UInt32, Int) = base == 2 ? (1 << 31, 31) : (1_220_703_125, 13)
        var left = n
        while left >= step { multiply(by: chunk); left -= step }
        var last: UInt32 = 1
        for _ in 0..<left { last *= base }
        if last > 1 { multiply(by: last) }
    }

    /// Decimal digits, most significant first (no leading zeros; [0] for zero).
    public func decimalDigits() -> [UInt8] {
        var n = limbs
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !(n.count == 1 && n[0] == 0) {
            var rem: UInt64 = 0
            for i in n.indices.reversed() {
                let cur = (rem << 32) | UInt64(n[i])
                n[i] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            chunks.append(UInt32(rem))
            while n.count > 1, n.last == 0 { n.removeLast() }
        }
        if chunks.isEmpty { return [0] }
        var out: [UInt8] = []
        for (k, c) in chunks.reversed().enumerated() {
            var s = Array(String(c).utf8).map { $0 - 48 }
            if k > 0 { s = [UInt8](repeating: 0, count: 9 - s.count) + s }
            out += s
        }
        return out
    }
}

/// `format(x, spec)` for hosts (the HTML report): the same text the language prints.
public enum NumberText {
    /// `x` by a format spec; the shortest round-trip text when the spec is invalid.
    public static func format(_ x: Double, _ spec: String) -> String {
        (try? FormatSpec(spec).apply(.float(x))) ?? ValueFormatter.number(x)
    }
}
