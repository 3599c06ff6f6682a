// SeedPins: the `seed(n)` calls of a notebook, found before it runs. A call
// with an argument pins the root seed, so a run's `--seed` (and a sweep's
// `--seeds`) would change nothing after it; `seed()` takes the run's seed and
// is not a pin. `kymo run --seed` and `kymo sweep --seeds` refuse a notebook
// that pins, naming the line (docs/language.md, "Randomness").
// Deliberately not: evaluating the argument (any `seed(expr)` pins).

import Foundation
import KymoLanguage

public struct SeedPin: Sendable, Equatable {
    public let line: Int
    public let column: Int
    /// The call's source line, trimmed (e.g. `seed(7)`).
    public let text: String
}

public enum SeedPins {
    /// Every `seed(…)` call with an argument in `text`, in source order.
    public static func find(inNotebook name: String, text: String) -> [SeedPin] {
        let doc = NotebookDocument(name: name, text: text)
        var pins: [SeedPin] = []
        for cell in doc.cells { for s in cell.statements { visit(s, &pins) } }
        return pins.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// The refusal for a run that sets the seed from outside (`what`: `--seed 3`, `--seeds 1,2`).
    public static func refusal(path: String, pins: [SeedPin], what: String) -> String {
        let first = pins[0]
        return "\(path):\(first.line):\(first.column): error: `\(first.text)` pins the root seed, so \(what) would change nothing; " +
            "write seed() there to take the run's seed"
    }

    /// `seed(…)` as written from `column` (1-based, in Unicode scalars) to its closing
    /// parenthesis on that line; the rest of the line when it closes on another.
    static func callText(_ line: Substring, column: Int) -> String {
        let scalars = Array(line.unicodeScalars.dropFirst(max(0, column - 1)))
        var depth = 0, out = String.UnicodeScalarView()
        for c in scalars {
            out.append(c)
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1; if depth == 0 { break } }
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }

    private static func visit(_ s: Stmt, _ pins: inout [SeedPin]) {
        switch s.kind {
        case .declaration(_, let v, _): visit(v, &pins)
        case .function(let f): visit(f, &pins)
        case .assign(let t, _, let v): visit(t, &pins); visit(v, &pins)
        case .ifElse(let c, let a, let b):
            visit(c, &pins)
            for x in a { visit(x, &pins) }
            for x in b ?? [] { visit(x, &pins) }
        case .forIn(_, let seq, let body): visit(seq, &pins); for x in body { visit(x, &pins) }
        case .returnValue(let e): if let e { visit(e, &pins) }
        case .expression(let e): visit(e, &pins)
        }
    }

    private static func visit(_ f: FunctionDecl, _ pins: inout [SeedPin]) {
        for p in f.parameters { if let d = p.defaultValue { visit(d, &pins) } }
        for x in f.body { visit(x, &pins) }
    }

    private static func visit(_ e: Expr, _ pins: inout [SeedPin]) {
        switch e.kind {
        case .int, .float, .string, .bool, .null, .name: break
        case .list(let xs): for x in xs { visit(x, &pins) }
        case .record(let fs): for f in fs { visit(f.value, &pins) }
        case .unary(_, let x): visit(x, &pins)
        case .binary(_, let a, let b), .range(let a, let b, _), .index(let a, let b): visit(a, &pins); visit(b, &pins)
        case .call(let callee, let args):
            if case .name("seed") = callee.kind, !args.isEmpty {
                let line = e.span.start.line
                let text = callText(e.span.file.line(line), column: e.span.start.column)
                pins.append(SeedPin(line: line, column: e.span.start.column, text: text))
            }
            visit(callee, &pins)
            for a in args { visit(a.value, &pins) }
        case .member(let x, _): visit(x, &pins)
        case .function(let f): visit(f, &pins)
        case .slice(let a, let b, _): if let a { visit(a, &pins) }; if let b { visit(b, &pins) }
        case .interpolation(let parts):
            for case let .value(x, format) in parts { visit(x, &pins); if let format { visit(format, &pins) } }
        }
    }
}
