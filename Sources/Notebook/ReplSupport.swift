// ReplSupport: what a REPL host needs from the language without reading a
// terminal itself — whether an input is complete (or a bracket or block is
// still open), completion candidates for names and members, and `:help`
// text for a built-in.

import KymoLanguage

extension Session {
    /// True while the text has an unclosed `(`, `[` or `{`, or ends with a
    /// binary operator, `=` or `,`: the host should read a continuation line
    /// instead of running it.
    public static func needsMoreInput(_ text: String) -> Bool {
        let file = SourceFile(name: "repl", text: text)
        var scanner = Scanner(file: file)
        var depth = 0
        let tokens = scanner.scanAll()
        let significant = tokens.last { $0.kind != .newline && $0.kind != .eof }
        if let last = significant?.kind {
            switch last {
            case .plus, .minus, .star, .slash, .percent, .equal, .equalEqual, .bangEqual, .less, .lessEqual,
                 .greater, .greaterEqual, .halfOpenRange, .closedRange, .plusEqual, .minusEqual, .starEqual,
                 .slashEqual, .comma, .dot, .kwAnd, .kwOr, .kwNot, .kwElse, .kwIn:
                return true
            default: break
            }
        }
        for t in tokens {
            switch t.kind {
            case .lparen, .lbracket, .lbrace: depth += 1
            case .rparen, .rbracket, .rbrace: depth -= 1
            default: break
            }
            if depth < 0 { return false }
        }
        return depth > 0
    }

    /// Completions for the word ending at the cursor: `pri` → `print`,
    /// `data.tr` → `data.train`, `t.res` → `t.reshape`. Sorted, no duplicates.
    public func completions(for word: String) -> [String] {
        if let dot = word.lastIndex(of: ".") {
            let path = word[..<dot].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let prefix = String(word[word.index(after: dot)...])
            guard let first = path.first, !first.isEmpty, var v = value(named: first) else { return [] }
            for name in path.dropFirst() {
                switch v {
                case .record(let r): guard let x = r[name] else { return [] }; v = x
                case .host(let h): guard let x = (try? h.property(name)) ?? nil else { return [] }; v = x
                default: return []
                }
            }
            let head = String(word[...dot])
            return Session.memberNames(of: v).filter { $0.hasPrefix(prefix) }.map { head + $0 }
        }
        let names = Set(globals.map(\.name) + registry.names + ["let", "var", "fn", "if", "else", "for", "in", "return",
                                                                 "and", "or", "not", "true", "false", "nil"])
        return names.filter { $0.hasPrefix(word) }.sorted()
    }

    static func memberNames(of v: Value) -> [String] {
        switch v {
        case .record(let r): return r.keys
        case .host(let h): return h.propertyNames + h.methods.map(\.signature.name)
        case .list: return ["count", "append"]
        case .string, .range: return ["count"]
        default: return []
        }
    }

    /// Whether `help(name)` has a built-in's (or a method's) text to give.
    public func hasHelp(_ name: String) -> Bool { helpSignature(name) != nil }

    /// The built-in named `name`, else the first host kind's method of that
    /// name (by kind name), written `kind.method`.
    private func helpSignature(_ name: String) -> BuiltinSignature? {
        if let s = registry.builtin(name)?.signature { return s }
        for (kind, hk) in registry.hostKinds.sorted(by: { $0.key < $1.key }) {
            if var m = hk.methods.first(where: { $0.name == name }) {
                m.name = "\(kind).\(m.name)"
                return m
            }
        }
        return nil
    }

    /// `:help` text: every built-in's usage line, or one built-in's usage,
    /// doc and parameters.
    public func help(_ name: String? = nil) -> String {
        guard let name, !name.isEmpty else {
            return registry.names.compactMap { registry.builtin($0) }.map { "  \($0.signature.usage)" }.joined(separator: "\n") + "\n"
        }
        guard let s = helpSignature(name) else {
            let suggestion = EditDistance.suggestion(for: name, among: registry.names)
            return "no built-in named '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + "\n"
        }
        var out = s.usage + "\n  " + s.doc + "\n"
        for p in s.parameters where !p.doc.isEmpty || p.range != nil || p.choices != nil {
            var line = "  \(p.name): \(p.doc)"
            if let r = p.range { line += (p.doc.isEmpty ? "" : "; ") + "must be \(r)" }
            if let c = p.choices { line += (p.doc.isEmpty && p.range == nil ? "" : "; ") + "one of " + c.map { "\"\($0)\"" }.joined(separator: ", ") }
            out += line + "\n"
        }
        return out
    }
}
