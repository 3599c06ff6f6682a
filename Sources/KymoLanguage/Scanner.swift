// Scanner: text → tokens with line/column spans, one pass, no backtracking
// beyond one character of lookahead. Reports its own diagnostics (bad
// characters, unterminated strings, malformed numbers) and keeps going, so a
// single typo yields a single message.
//
// Newlines are tokens (statements end at them); runs of blank lines and
// comment lines collapse into one. The parser decides where newlines are
// insignificant (inside brackets, after a binary operator).
// A string may hold `\(expression)` or `\(expression, format: spec)`: the
// scanner keeps the source between the parentheses (nested parentheses and
// strings included) with its location, and the parser parses it.
// Deliberately not: multi-line strings.

public struct Scanner {
    private let file: SourceFile
    private let chars: [Unicode.Scalar]
    private var index = 0
    private var line: Int
    private var column = 1
    public private(set) var diagnostics: [Diagnostic] = []

    /// Scans `file`'s text, or `text` (a cell's lines) starting at `firstLine`.
    public init(file: SourceFile, text: String? = nil, firstLine: Int = 1, firstColumn: Int = 1) {
        self.file = file
        self.chars = Array((text ?? file.text).unicodeScalars)
        self.line = firstLine
        self.column = firstColumn
    }

    public mutating func scanAll() -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = next()
            if token.kind == .newline, let last = tokens.last, last.kind == .newline { continue }
            if token.kind == .newline, tokens.isEmpty { continue }
            tokens.append(token)
            if token.kind == .eof { break }
        }
        return tokens
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    private mutating func advance() -> Unicode.Scalar {
        let c = chars[index]
        index += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    private func location() -> SourceLocation { SourceLocation(line: line, column: column) }

    private mutating func error(_ message: String, at start: SourceLocation, length: Int = 1, suggestion: String? = nil) {
        diagnostics.append(Diagnostic(.syntax, message, at: SourceSpan(file, start, length: length), suggestion: suggestion))
    }

    private func make(_ kind: TokenKind, _ text: String, _ start: SourceLocation) -> Token {
        Token(kind: kind, text: text, span: SourceSpan(file, start, length: max(1, text.unicodeScalars.count)))
    }

    private mutating func next() -> Token {
        while let c = peek() {
            let start = location()
            switch c {
            case " ", "\t", "\r":
                _ = advance()
            case "#":
                while let d = peek(), d != "\n" { _ = advance() }
            case "\n":
                _ = advance()
                return make(.newline, "\n", start)
            case "\"":
                return string(start)
            case "0"..."9":
                return number(start)
            default:
                if isIdentifierStart(c) { return identifier(start) }
                if let token = punctuation(start) { return token }
            }
        }
        return make(.eof, "", location())
    }

    private func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.isASCII ? (("a"..."z").contains(c) || ("A"..."Z").contains(c)) : c.properties.isAlphabetic)
    }

    private func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || ("0"..."9").contains(c)
    }

    private mutating func identifier(_ start: SourceLocation) -> Token {
        var text = ""
        while let c = peek(), isIdentifierPart(c) { text.unicodeScalars.append(advance()) }
        return make(TokenKind.keywords[text] ?? .identifier, text, start)
    }

    private mutating func number(_ start: SourceLocation) -> Token {
        var text = ""
        var isFloat = false
        func digits() { while let c = peek(), ("0"..."9").contains(c) || c == "_" { text.unicodeScalars.append(advance()) } }
        digits()
        if peek() == ".", let d = peek(1), ("0"..."9").contains(d) {
            isFloat = true
            text.unicodeScalars.append(advance())
            digits()
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1)
            let hasSign = sign == "+" || sign == "-"
            if let d = peek(hasSign ? 2 : 1), ("0"..."9").contains(d) {
                isFloat = true
                text.unicodeScalars.append(advance())
                if hasSign { text.unicodeScalars.append(advance()) }
                digits()
            }
        }
        if let c = peek(), isIdentifierPart(c) {
            while let c = peek(), isIdentifierPart(c) { text.unicodeScalars.append(advance()) }
            error("invalid number literal '\(text)'", at: start, length: text.unicodeScalars.count)
            return make(.integer, text, start)
        }
        var token = make(isFloat ? .float : .integer, text, start)
        let clean = text.replacingOccurrences(of: "_", with: "")
        if isFloat {
            if let v = Double(clean), v.isFinite { token.floatValue = v } else {
                error("float literal '\(text)' is out of range", at: start, length: text.unicodeScalars.count)
            }
        } else if let v = Int(clean) {
            token.intValue = v
        } else {
            error("integer literal '\(text)' overflows a 64-bit integer", at: start, length: text.unicodeScalars.count)
        }
        return token
    }

    private mutating func string(_ start: SourceLocation) -> Token {
        var text = String(advance())
        var value = ""
        var segments: [InterpolationSegment] = []
        func finish() -> Token {
            var token = make(.string, text, start)
            token.stringValue = value
            if !segments.isEmpty {
                if !value.isEmpty { segments.append(.text(value)) }
                token.interpolation = segments
            }
            return token
        }
        while true {
            guard let c = peek(), c != "\n" else {
                error("unterminated string literal", at: start)
                return finish()
            }
            text.unicodeScalars.append(advance())
            if c == "\"" { break }
            if c == "\\" {
                let escapeStart = location()
                guard let e = peek(), e != "\n" else { continue }
                text.unicodeScalars.append(advance())
                if e == "(" {
                    if !value.isEmpty { segments.append(.text(value)); value = "" }
                    let codeStart = location()
                    guard let code = interpolatedCode(&text) else {
                        error("unterminated '\\(' in a string: expected ')'", at: SourceLocation(line: escapeStart.line, column: escapeStart.column - 1), length: 2)
                        return finish()
                    }
                    segments.append(.code(code, codeStart))
                } else if let scalar = StringEscapes.scalar(for: e) {
                    value.unicodeScalars.append(scalar)
                } else {
                    error("unknown escape sequence '\\\(e)'", at: SourceLocation(line: escapeStart.line, column: escapeStart.column - 1), length: 2)
                }
                continue
            }
            value.unicodeScalars.append(c)
        }
        return finish()
    }

    /// The source after `\(` up to its matching `)` (consumed), skipping
    /// nested parentheses and string literals; nil at the end of the line.
    private mutating func interpolatedCode(_ text: inout String) -> String? {
        var code = ""
        var depth = 0
        var inString = false
        while let c = peek(), c != "\n" {
            _ = advance()
            text.unicodeScalars.append(c)
            if inString {
                if c == "\\", let d = peek(), d != "\n" {
                    _ = advance(); text.unicodeScalars.append(d)
                    code.unicodeScalars.append(c); code.unicodeScalars.append(d)
                    continue
                }
                if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                if depth == 0 { return code }
                depth -= 1
            }
            code.unicodeScalars.append(c)
        }
        return nil
    }

    private mutating func punctuation(_ start: SourceLocation) -> Token? {
        let c = advance()
        func match(_ s: Unicode.Scalar) -> Bool {
            if peek() == s { _ = advance(); return true }
            return false
        }
        switch c {
        case "(": return make(.lparen, "(", start)
        case ")": return make(.rparen, ")", start)
        case "[": return make(.lbracket, "[", start)
        case "]": return make(.rbracket, "]", start)
        case "{": return make(.lbrace, "{", start)
        case "}": return make(.rbrace, "}", start)
        case ",": return make(.comma, ",", start)
        case ":": return make(.colon, ":", start)
        case ";": return make(.semicolon, ";", start)
        case "%": return make(.percent, "%", start)
        case "+": return match("=") ? make(.plusEqual, "+=", start) : make(.plus, "+", start)
        case "-":
            if match(">") {
                error("unexpected '->'", at: start, length: 2)
                return nil
            }
            return match("=") ? make(.minusEqual, "-=", start) : make(.minus, "-", start)
        case "*": return match("=") ? make(.starEqual, "*=", start) : make(.star, "*", start)
        case "/": return match("=") ? make(.slashEqual, "/=", start) : make(.slash, "/", start)
        case "=": return match("=") ? make(.equalEqual, "==", start) : make(.equal, "=", start)
        case "<": return match("=") ? make(.lessEqual, "<=", start) : make(.less, "<", start)
        case ">": return match("=") ? make(.greaterEqual, ">=", start) : make(.greater, ">", start)
        case "!":
            if match("=") { return make(.bangEqual, "!=", start) }
            error("unexpected '!'", at: start, suggestion: "not")
            return make(.kwNot, "!", start)
        case "&" where peek() == "&":
            _ = advance()
            error("unexpected '&&'", at: start, length: 2, suggestion: "and")
            return make(.kwAnd, "&&", start)
        case "|" where peek() == "|":
            _ = advance()
            error("unexpected '||'", at: start, length: 2, suggestion: "or")
            return make(.kwOr, "||", start)
        case ".":
            if peek() == ".", peek(1) == "<" { _ = advance(); _ = advance(); return make(.halfOpenRange, "..<", start) }
            if peek() == ".", peek(1) == "." { _ = advance(); _ = advance(); return make(.closedRange, "...", start) }
            return make(.dot, ".", start)
        default:
            error("unexpected character '\(c.escaped(asASCII: false))'", at: start)
            return nil
        }
    }
}
