// EverydayBuiltins: len, str, int, float, abs, min, max, round, sorted,
// keys, format and table — the small functions every script reaches for.
// Conversions follow Python's rules where there is a question (int(2.7) is 2,
// round is half to even, int("3.0") is an error); `format` and `table` print
// numbers through NumberFormat, never through the locale.

import KymoBase
import KymoLanguage
import TensorEngine
import Datasets

enum EverydayBuiltins {
    static func len(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        switch args["x"] {
        case .list(let xs): return .int(xs.count)
        case .string(let s): return .int(s.count)
        case .record(let r): return .int(r.count)
        case let .range(lo, hi):
            let (n, overflow) = hi.subtractingReportingOverflow(lo)
            guard !overflow else { throw BuiltinError("len: range \(lo)..<\(hi) has more than \(Int.max) elements", kind: .range) }
            return .int(n)
        case .host(let d as DatasetValue): return .int(d.dataset.count)
        case .host(let t as TensorValue): return .int(t.tensor.shape.first ?? 1)
        case let other:
            throw BuiltinError("len takes a list, string, record, range, dataset or tensor, got \(other.typeName)", kind: .type)
        }
    }

    static func str(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        .string(ValueFormatter.plain(args["x"]))
    }

    static func int(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        switch args["x"] {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let f): return .int(try toInt(f, "int"))
        case .string(let s):
            let t = s.trimmingSpaces()
            if let i = Int(t.hasPrefix("+") ? String(t.dropFirst()) : t) { return .int(i) }
            throw BuiltinError("int: cannot read \(ValueFormatter.inline(.string(s))) as an int"
                + (Double(t) != nil ? "; write int(float(s)) to truncate a decimal" : ""), kind: .range)
        case let other:
            throw BuiltinError("int takes a number, bool or string, got \(other.typeName)", kind: .type)
        }
    }

    static func float(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        switch args["x"] {
        case .int(let i): return .float(Double(i))
        case .float(let f): return .float(f)
        case .bool(let b): return .float(b ? 1 : 0)
        case .string(let s):
            let t = s.trimmingSpaces().lowercased()
            let special: [String: Double] = ["nan": .nan, "inf": .infinity, "+inf": .infinity, "-inf": -.infinity,
                                             "infinity": .infinity, "-infinity": -.infinity]
            if let x = special[t] { return .float(x) }
            if !t.isEmpty, t.allSatisfy({ "0123456789.e+-_".contains($0) }), let x = Double(t.replacingUnderscores()) {
                return .float(x)
            }
            throw BuiltinError("float: cannot read \(ValueFormatter.inline(.string(s))) as a number", kind: .range)
        case let other:
            throw BuiltinError("float takes a number, bool or string, got \(other.typeName)", kind: .type)
        }
    }

    static func abs(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        switch args["x"] {
        case .int(let i):
            guard i != Int.min else { throw BuiltinError("abs: \(i) has no positive int counterpart", kind: .range) }
            return .int(Swift.abs(i))
        case .float(let f): return .float(Swift.abs(f))
        case .host(let t as TensorValue): return .host(TensorValue(AnalysisBuiltins.map(t.tensor) { Swift.abs($0) }))
        case let other: throw BuiltinError("abs takes a number or a tensor, got \(other.typeName)", kind: .type)
        }
    }

    static func min(_ args: BoundArguments, _ context: CallContext) throws -> Value { try extreme(args, "min", <) }
    static func max(_ args: BoundArguments, _ context: CallContext) throws -> Value { try extreme(args, "max", >) }

    /// `min(a, b, …)` or `min(list)`: the first of the smallest (largest) values.
    private static func extreme(_ args: BoundArguments, _ name: String, _ better: (Double, Double) -> Bool) throws -> Value {
        var items = args.extra
        if items.count == 1 {
            switch items[0] {
            case .list(let xs): items = xs
            case let .range(lo, hi): items = (lo..<hi).map { .int($0) }
            default: break
            }
        }
        guard !items.isEmpty else {
            throw BuiltinError("\(name) needs a non-empty list or at least one argument", kind: .range)
        }
        if items.allSatisfy({ if case .string = $0 { return true }; return false }) {
            let strings = items.map { v -> String in if case .string(let s) = v { return s }; return "" }
            var best = 0
            for (i, s) in strings.enumerated() where name == "min" ? s < strings[best] : s > strings[best] { best = i }
            return items[best]
        }
        var best = 0
        var bestX = 0.0
        for (i, v) in items.enumerated() {
            guard let x = v.numberValue else {
                throw BuiltinError("\(name) compares numbers (or strings), got \(v.typeName)", kind: .type)
            }
            if x.isNaN { throw BuiltinError("\(name): nan cannot be compared", kind: .range) }
            if i == 0 || better(x, bestX) { best = i; bestX = x }
        }
        return items[best]
    }

    /// `round(x)` → int; `round(x, digits: n)` → float with n decimals (the
    /// nearest Double to the decimal `format(x, ".nf")` prints). Half to even.
    static func round(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let x = args["x"]
        guard let d = x.numberValue else { throw BuiltinError("round takes a number, got \(x.typeName)", kind: .type) }
        if case .int(let i) = x, args["digits"].isNil { return .int(i) }
        guard case .int(let n) = args["digits"] else {
            guard d.isFinite else { throw BuiltinError("round: \(ValueFormatter.number(d)) has no nearest int", kind: .range) }
            return .int(try toInt(d.rounded(.toNearestOrEven), "round"))
        }
        guard d.isFinite else { return .float(d) }
        guard (0...100).contains(n) else { throw BuiltinError("round: digits must be between 0 and 100, got \(n)", kind: .range) }
        let text = try FormatSpec(".\(n)f").apply(.float(d))
        return .float(Double(text) ?? d)
    }

    static func sorted(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        var items: [Value]
        switch args["xs"] {
        case .list(let xs): items = xs
        case let .range(lo, hi): items = (lo..<hi).map { .int($0) }
        case let other: throw BuiltinError("sorted takes a list, got \(other.typeName)", kind: .type)
        }
        let reverse = try args.bool("reverse")
        var keys = items
        if case .function(let f) = args["key"] {
            guard args["by"].isNil else { throw BuiltinError("sorted takes by: or key:, not both", kind: .argument) }
            keys = try items.map { try context.call(f, [$0], by: "sorted") }
        } else if case .string(let field) = args["by"] {
            keys = try items.enumerated().map { i, v in
                guard case .record(let r) = v else {
                    throw BuiltinError("sorted(by: \"\(field)\"): element \(i) must be a record, got \(v.typeName)", kind: .type)
                }
                guard let k = r[field] else {
                    throw BuiltinError("sorted(by: \"\(field)\"): element \(i) has no key '\(field)'", kind: .unknownName,
                                       suggestion: EditDistance.suggestion(for: field, among: r.keys))
                }
                return k
            }
        }
        let allStrings = keys.allSatisfy { if case .string = $0 { return true }; return false }
        if !allStrings {
            for (i, k) in keys.enumerated() {
                guard let x = k.numberValue else {
                    throw BuiltinError("sorted compares numbers or strings, got \(k.typeName) \(args["key"].isNil ? "at" : "from key(x) of") element \(i)"
                        + (k.typeName == "record" ? "; pass by: \"key\" to sort records by one key" : ""), kind: .type)
                }
                if x.isNaN { throw BuiltinError("sorted: nan at element \(i) cannot be ordered", kind: .range) }
            }
        }
        func less(_ a: Value, _ b: Value) -> Bool {
            if case .string(let x) = a, case .string(let y) = b { return x < y }
            return a.numberValue! < b.numberValue!
        }
        // Stable: ties keep their order (also when reversed).
        let order = keys.indices.sorted { i, j in
            if less(keys[i], keys[j]) { return !reverse }
            if less(keys[j], keys[i]) { return reverse }
            return i < j
        }
        return .list(order.map { items[$0] })
    }

    static func keys(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        guard case .record(let r) = args["r"] else {
            throw BuiltinError("keys takes a record, got \(args["r"].typeName)", kind: .type)
        }
        return .list(r.keys.map { .string($0) })
    }

    static func format(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let spec = try args.string("spec")
        do {
            return .string(try FormatSpec(spec).apply(args["x"]))
        } catch let e as FormatSpec.Invalid {
            throw BuiltinError("format: \(e.message)", kind: .range)
        }
    }

    static func table(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let text = try Table.render(args["rows"], columns: args["columns"], format: args["format"], label: try args.string("label"))
        context.write(text)
        return .null
    }

    static func toInt(_ f: Double, _ name: String) throws -> Int {
        guard f.isFinite else { throw BuiltinError("\(name): \(ValueFormatter.number(f)) cannot be an int", kind: .range) }
        let t = f.rounded(.towardZero)
        guard t >= -9.223372036854775808e18, t < 9.223372036854775808e18 else {
            throw BuiltinError("\(name): \(ValueFormatter.number(f)) is out of the int range", kind: .range)
        }
        return Int(t)
    }
}

/// `table(rows, columns:, format:, label:)`: aligned columns, a header and a
/// rule. Rows: a list of records, a record of records (its keys become the
/// first column, headed `label`), or one record (one row). Columns: the
/// given names, else every key with a number, string, bool or nil value, in
/// first-seen order. Numbers right-aligned, the rest left-aligned; floats
/// through `format` (one spec, or a record of specs by column; default ".4g").
enum Table {
    static let defaultFloat = ".4g"

    static func render(_ rows: Value, columns: Value, format: Value, label: String) throws -> String {
        var records: [Record] = []
        var rowLabels: [String]?
        switch rows {
        case .list(let xs):
            records = try xs.enumerated().map { i, v in
                guard case .record(let r) = v else {
                    throw BuiltinError("table: row \(i) must be a record, got \(v.typeName)", kind: .type)
                }
                return r
            }
        case .record(let r):
            if !r.values.isEmpty, r.values.allSatisfy({ if case .record = $0 { return true }; return false }) {
                rowLabels = r.keys
                records = r.values.map { if case .record(let x) = $0 { return x }; return Record() }
            } else {
                records = [r]
            }
        case let other:
            throw BuiltinError("table takes a list of records or a record, got \(other.typeName)", kind: .type)
        }
        var names: [String] = []
        switch columns {
        case .null:
            for r in records {
                for (k, v) in r.pairs where !names.contains(k) && isScalar(v) { names.append(k) }
            }
        case .list(let cs):
            names = try cs.map { c in
                guard case .string(let s) = c else { throw BuiltinError("table: columns must be strings, got \(c.typeName)", kind: .type) }
                return s
            }
            let known = records.flatMap(\.keys)
            for n in names where !known.contains(n) {
                throw BuiltinError("table: no row has a column '\(n)'", kind: .unknownName,
                                   suggestion: EditDistance.suggestion(for: n, among: known))
            }
        default:
            throw BuiltinError("table: columns must be a list of strings, got \(columns.typeName)", kind: .type)
        }
        func spec(_ column: String) throws -> FormatSpec {
            var text = defaultFloat
            switch format {
            case .null: break
            case .string(let s): text = s
            case .record(let r):
                if let v = r[column] {
                    guard case .string(let s) = v else { throw BuiltinError("table: format for '\(column)' must be a string", kind: .type) }
                    text = s
                }
            default: throw BuiltinError("table: format must be a spec string or a record of them, got \(format.typeName)", kind: .type)
            }
            do { return try FormatSpec(text) } catch let e as FormatSpec.Invalid { throw BuiltinError("table: \(e.message)", kind: .range) }
        }
        let specs = try names.map(spec)
        var header = names
        var cells: [[(String, Bool)]] = []  // text, right-aligned
        for (i, r) in records.enumerated() {
            var row: [(String, Bool)] = []
            for (c, n) in names.enumerated() {
                guard let v = r[n] else { row.append(("", false)); continue }
                switch v {
                case .float:
                    do { row.append((try specs[c].apply(v), true)) } catch let e as FormatSpec.Invalid {
                        throw BuiltinError("table: column '\(n)': \(e.message)", kind: .range)
                    }
                case .int(let k):
                    row.append((String(k), true))
                case .null: row.append(("", false))
                case .string(let s): row.append((s, false))
                default: row.append((ValueFormatter.inline(v), false))
                }
            }
            if let rowLabels { row.insert((rowLabels[i], false), at: 0) }
            cells.append(row)
        }
        if rowLabels != nil { header.insert(label, at: 0) }
        // A column is right-aligned when every filled cell in it is a number.
        let align: [TextTable.Alignment] = header.indices.map { c in
            cells.contains { $0[c].1 } && cells.allSatisfy { $0[c].1 || $0[c].0.isEmpty } ? .right : .left
        }
        return TextTable.render([header] + cells.map { $0.map(\.0) }, align: align, rule: true)
    }

    static func isScalar(_ v: Value) -> Bool {
        switch v {
        case .int, .float, .string, .bool, .null: return true
        default: return false
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s.removeLast() }
        return String(s)
    }

    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
