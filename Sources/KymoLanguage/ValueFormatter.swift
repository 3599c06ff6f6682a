// ValueFormatter: how values read when printed. Short lists and records stay
// on one line; longer or nested ones break into indented lines. Floats use
// Swift's shortest round-trip spelling (stable bytes on every machine).
// Strings are bare at the top level of `print` and quoted inside containers.
//
//     {
//       train: dataset (2000 sequences)
//       losses: [0.5, 0.25, 0.125]
//     }

public enum ValueFormatter {
    public static let lineWidth = 72
    public static let maxItems = 100
    public static let maxDepth = 24

    /// What `print` shows: strings bare, everything else as `display`.
    public static func plain(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return display(v)
    }

    /// At most this many values are shown by one `display` (shared structure
    /// can make a small value print as an enormous one).
    public static let maxShown = 20_000

    /// The readable, possibly multi-line form.
    public static func display(_ v: Value, indent: Int = 0) -> String {
        var budget = maxShown
        return format(v, indent: indent, depth: 0, budget: &budget)
    }

    /// A one-line form (signatures, messages, `:vars`).
    public static func inline(_ v: Value, depth: Int = 0) -> String {
        switch v {
        case .list(let xs):
            if depth > 3 { return "[…]" }
            return "[" + xs.prefix(8).map { inline($0, depth: depth + 1) }.joined(separator: ", ") + (xs.count > 8 ? ", …" : "") + "]"
        case .record(let r):
            if depth > 3 { return "{…}" }
            return "{" + r.pairs.prefix(8).map { "\($0): \(inline($1, depth: depth + 1))" }.joined(separator: ", ") + (r.count > 8 ? ", …" : "") + "}"
        case .host(let h): return h.describe(indent: 0).split(separator: "\n").first.map(String.init) ?? h.kindName
        default: return scalar(v)
        }
    }

    public static func number(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return "\(d)"
    }

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            if let letter = StringEscapes.letter(for: c) {
                out += "\\"
                out.unicodeScalars.append(letter)
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    private static func scalar(_ v: Value) -> String {
        switch v {
        case .int(let i): return String(i)
        case .float(let f): return number(f)
        case .string(let s): return quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "nil"
        case let .range(lo, hi): return "\(lo)..<\(hi)"
        case .function(let f):
            switch f.body {
            case .builtin(let b): return "<built-in \(b.signature.name)>"
            case .user(let d, _): return "<fn \(d.name ?? "")(\(d.parameters.map(\.name).joined(separator: ", ")))>"
            }
        case .list: return "[…]"
        case .record: return "{…}"
        case .host(let h): return "<\(h.kindName)>"
        }
    }

    private static func format(_ v: Value, indent: Int, depth: Int, budget: inout Int) -> String {
        let pad = String(repeating: " ", count: indent)
        budget -= 1
        if budget < 0 { return "…" }
        switch v {
        case .list(let xs):
            if xs.isEmpty { return "[]" }
            if depth >= maxDepth { return "[…]" }
            let shown = xs.prefix(maxItems).map { format($0, indent: indent + 2, depth: depth + 1, budget: &budget) }
            let more = xs.count > maxItems ? ["… \(xs.count - maxItems) more"] : []
            let one = "[" + (shown + more).joined(separator: ", ") + "]"
            if !one.contains("\n"), one.count + indent <= lineWidth { return one }
            return "[\n" + (shown + more).map { pad + "  " + $0 }.joined(separator: ",\n") + "\n" + pad + "]"
        case .record(let r):
            if r.count == 0 { return "{}" }
            if depth >= maxDepth { return "{…}" }
            let shown = r.pairs.prefix(maxItems).map { k, x in
                "\(key(k)): " + format(x, indent: indent + 2, depth: depth + 1, budget: &budget)
            }
            let more = r.count > maxItems ? ["… \(r.count - maxItems) more"] : []
            let one = "{" + (shown + more).joined(separator: ", ") + "}"
            if !one.contains("\n"), one.count + indent <= lineWidth { return one }
            return "{\n" + (shown + more).map { pad + "  " + $0 }.joined(separator: "\n") + "\n" + pad + "}"
        case .host(let h):
            return h.describe(indent: indent)
        default:
            return scalar(v)
        }
    }

    /// Record keys print bare when they are identifiers, quoted otherwise.
    private static func key(_ k: String) -> String {
        guard let first = k.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
              k.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else { return quoted(k) }
        return k
    }
}
