// SVGSanitizer: an SVG file from a stranger's run folder made safe to inline
// in `kymo report`'s page. The markup is parsed (a small XML tokenizer, no
// entities but the five predefined and numeric ones, no DTD subset, no
// CDATA, no recursion) and written anew from a whitelist: drawing elements
// only (no script, style, foreignObject, a, animation, iframe…; a dropped
// element goes with everything inside it), their drawing attributes only (no
// event handlers), references only to ids inside the same figure (`#id`,
// `url(#id)`) and images only as `data:image/png;base64,…`. Every id and
// reference gets `idPrefix`, so two figures on one page never collide. Text
// and attribute values are re-escaped. Anything it cannot parse gives nil.
// A pure function of its input, so a fuzzer can drive it.
// Deliberately not: rendering checks (a whitelisted drawing may still be ugly).

import Foundation

public enum SVGSanitizer {
    /// Elements kept (case-sensitive, as SVG spells them).
    static let elements: Set<String> = [
        "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "clipPath", "mask", "pattern", "image", "linearGradient", "radialGradient", "stop", "title", "desc",
        "text", "tspan",
    ]
    /// Attributes kept (values checked further for references).
    static let attributes: Set<String> = [
        "id", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "width", "height",
        "points", "viewBox", "version", "transform", "style", "overflow", "preserveAspectRatio",
        "fill", "fill-rule", "fill-opacity", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
        "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity", "color",
        "clip-path", "clip-rule", "mask", "clipPathUnits", "maskUnits", "maskContentUnits", "patternUnits",
        "patternContentUnits", "patternTransform", "gradientUnits", "gradientTransform", "spreadMethod", "offset",
        "stop-color", "stop-opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
        "dominant-baseline", "dx", "dy", "href", "xlink:href", "xmlns", "xmlns:xlink", "role", "aria-label",
    ]
    /// Style properties kept inside `style="…"`.
    static let styleProperties: Set<String> = [
        "fill", "fill-rule", "fill-opacity", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
        "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity", "color",
        "clip-path", "clip-rule", "mask", "stop-color", "stop-opacity", "font-family", "font-size", "font-weight",
        "font-style", "text-anchor", "dominant-baseline", "overflow", "visibility", "display",
    ]
    static let namespaces: [String: String] = ["xmlns": "http://www.w3.org/2000/svg", "xmlns:xlink": "http://www.w3.org/1999/xlink"]
    /// Deeper nesting than this is refused (Cairo nests a handful of levels).
    public static let maxDepth = 128

    /// The safe markup of the `<svg>` element in `markup`, or nil when it is
    /// not SVG this tokenizer can read.
    public static func sanitize(_ markup: String, idPrefix: String = "") -> String? {
        var t = Tokenizer(bytes: Array(markup.utf8))
        var out = ""
        // Stack of open elements: (name, kept). Inside a dropped element everything is dropped.
        var stack: [(name: String, kept: Bool)] = []
        var sawRoot = false
        while let token = t.next() {
            let inDropped = stack.contains { !$0.kept }
            switch token {
            case .failure:
                return nil
            case .text(let s):
                if !stack.isEmpty && !inDropped { out += escape(s) }
            case .open(let name, let attrs, let selfClosing):
                if stack.isEmpty {
                    if sawRoot { continue }  // after the root: ignored
                    guard name == "svg" else { return nil }
                    sawRoot = true
                }
                guard stack.count < maxDepth else { return nil }
                let keep = !inDropped && elements.contains(name)
                if keep {
                    out += "<" + name
                    for (k, v) in attrs {
                        guard let value = attribute(k, v, element: name, prefix: idPrefix) else { continue }
                        out += " \(k)=\"\(escape(value))\""
                    }
                    out += selfClosing ? "/>" : ">"
                }
                if !selfClosing { stack.append((name, keep)) }
            case .close(let name):
                guard let top = stack.popLast(), top.name == name else { return nil }
                if top.kept { out += "</\(name)>" }
                if stack.isEmpty && sawRoot { return out }
            }
        }
        return nil  // the root never closed
    }

    /// The value kept for attribute `name` (nil: dropped).
    static func attribute(_ name: String, _ value: String, element: String, prefix: String) -> String? {
        guard attributes.contains(name) else { return nil }
        switch name {
        case "xmlns", "xmlns:xlink":
            return namespaces[name] == value ? value : nil
        case "id":
            return isID(value) ? prefix + value : nil
        case "href", "xlink:href":
            if value.hasPrefix("#"), isID(String(value.dropFirst())) { return "#" + prefix + value.dropFirst() }
            if element == "image", isPNGDataURI(value) { return value }
            return nil
        case "style":
            return style(value, prefix: prefix)
        default:
            return references(value, prefix: prefix)
        }
    }

    /// A value with every `url(…)` a local `url(#id)`, prefixed; nil if any is not.
    static func references(_ value: String, prefix: String) -> String? {
        var out = ""
        var rest = Substring(value)
        while let r = rest.range(of: "url(") {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            guard let close = rest.firstIndex(of: ")") else { return nil }
            let inner = rest[..<close].trimmingSpaces
            guard inner.hasPrefix("#"), isID(String(inner.dropFirst())) else { return nil }
            out += "#" + prefix + inner.dropFirst() + ")"
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        // `URL(` and other spellings than the one checked above: refused.
        guard value.lowercased().components(separatedBy: "url(").count == value.components(separatedBy: "url(").count else { return nil }
        // Anything that could still fetch or run: refused.
        let lower = out.lowercased()
        for bad in ["javascript:", "expression(", "\\", "@import", "<", ">"] where lower.contains(bad) { return nil }
        return out
    }

    /// `prop:value;…` with only drawing properties, each value checked for references.
    static func style(_ value: String, prefix: String) -> String? {
        var kept: [String] = []
        for decl in value.split(separator: ";") {
            guard let colon = decl.firstIndex(of: ":") else { continue }
            let prop = decl[..<colon].trimmingSpaces.lowercased()
            let v = decl[decl.index(after: colon)...].trimmingSpaces
            guard styleProperties.contains(prop), !v.contains("/*"), let safe = references(String(v), prefix: prefix) else { continue }
            kept.append(prop + ":" + safe)
        }
        return kept.isEmpty ? nil : kept.joined(separator: ";") + ";"
    }

    static func isID(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 256 && s.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95 || b == 46
        }
    }

    static func isPNGDataURI(_ s: String) -> Bool {
        let head = "data:image/png;base64,"
        guard s.hasPrefix(head) else { return false }
        return s.utf8.dropFirst(head.utf8.count).allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 43 || b == 47 || b == 61
                || b == 10 || b == 13 || b == 32
        }
    }

    /// Text or an attribute value for HTML: & < > " ' escaped, control characters dropped.
    static func escape(_ s: String) -> String {
        var kept = ""
        for c in s.unicodeScalars {
            if c == "\n" || c == "\t" { kept.unicodeScalars.append(c); continue }
            if c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0) || TerminalText.isBidiControl(c) { continue }
            kept.unicodeScalars.append(c)
        }
        return MarkupText.escape(kept)
    }

    // MARK: tokenizer

    enum Token {
        case open(String, [(String, String)], selfClosing: Bool)
        case close(String)
        case text(String)
        case failure
    }

    /// Tokens of XML markup; `.failure` for anything outside the small subset read.
    struct Tokenizer {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func starts(_ s: StaticString, at k: Int) -> Bool {
            let n = s.utf8CodeUnitCount
            guard k + n <= bytes.count else { return false }
            let p = s.utf8Start
            for m in 0..<n where bytes[k + m] != p[m] { return false }
            return true
        }

        func find(_ s: StaticString, from k: Int) -> Int? {
            var j = k
            while j + s.utf8CodeUnitCount <= bytes.count {
                if starts(s, at: j) { return j }
                j += 1
            }
            return nil
        }

        static func isNameByte(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95 || b == 46 || b == 58
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

        mutating func name() -> String? {
            let start = i
            while i < bytes.count, Tokenizer.isNameByte(bytes[i]) { i += 1 }
            guard i > start, i - start <= 128 else { return nil }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func skipSpace() { while i < bytes.count, Tokenizer.isSpace(bytes[i]) { i += 1 } }

        mutating func next() -> Token? {
            while i < bytes.count {
                if bytes[i] != 0x3C {  // text up to the next <
                    let start = i
                    while i < bytes.count, bytes[i] != 0x3C { i += 1 }
                    guard let text = SVGSanitizer.decodeEntities(bytes[start..<i]) else { return .failure }
                    return .text(text)
                }
                if starts("<?", at: i) {
                    guard let end = find("?>", from: i + 2) else { return .failure }
                    i = end + 2; continue
                }
                if starts("<!--", at: i) {
                    guard let end = find("-->", from: i + 4) else { return .failure }
                    i = end + 3; continue
                }
                if starts("<!DOCTYPE", at: i) {
                    // No internal subset: entity declarations are never read.
                    var j = i + 9
                    while j < bytes.count, bytes[j] != 0x3E { if bytes[j] == 0x5B { return .failure }; j += 1 }
                    guard j < bytes.count else { return .failure }
                    i = j + 1; continue
                }
                if starts("<!", at: i) { return .failure }  // CDATA and other declarations
                if starts("</", at: i) {
                    i += 2
                    guard let n = name() else { return .failure }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == 0x3E else { return .failure }
                    i += 1
                    return .close(n)
                }
                i += 1
                guard let n = name() else { return .failure }
                var attrs: [(String, String)] = []
                while true {
                    let hadSpace = i < bytes.count && Tokenizer.isSpace(bytes[i])
                    skipSpace()
                    guard i < bytes.count else { return .failure }
                    if bytes[i] == 0x3E { i += 1; return .open(n, attrs, selfClosing: false) }
                    if starts("/>", at: i) { i += 2; return .open(n, attrs, selfClosing: true) }
                    guard hadSpace, let a = name() else { return .failure }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == 0x3D else { return .failure }
                    i += 1
                    skipSpace()
                    guard i < bytes.count, bytes[i] == 0x22 || bytes[i] == 0x27 else { return .failure }
                    let q = bytes[i]
                    i += 1
                    let start = i
                    while i < bytes.count, bytes[i] != q { if bytes[i] == 0x3C { return .failure }; i += 1 }
                    guard i < bytes.count, let v = SVGSanitizer.decodeEntities(bytes[start..<i]) else { return .failure }
                    i += 1
                    guard !attrs.contains(where: { $0.0 == a }) else { return .failure }  // duplicate attribute
                    attrs.append((a, v))
                }
            }
            return nil
        }
    }

    /// Text with `&amp; &lt; &gt; &quot; &apos; &#N; &#xN;` decoded; nil for any other `&`.
    static func decodeEntities(_ raw: ArraySlice<UInt8>) -> String? {
        guard raw.contains(0x26) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var k = raw.startIndex
        while k < raw.endIndex {
            guard raw[k] == 0x26 else { out.append(raw[k]); k += 1; continue }
            guard let semi = raw[k...].prefix(12).firstIndex(of: 0x3B) else { return nil }
            let entity = String(decoding: raw[(k + 1)..<semi], as: UTF8.self)
            let scalar: UInt32?
            switch entity {
            case "amp": scalar = 0x26
            case "lt": scalar = 0x3C
            case "gt": scalar = 0x3E
            case "quot": scalar = 0x22
            case "apos": scalar = 0x27
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst(), radix: 10) }
                else { scalar = nil }
            }
            guard let v = scalar, let u = Unicode.Scalar(v) else { return nil }
            out += Array(String(u).utf8)
            k = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return s
    }
}
