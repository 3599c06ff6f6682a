// Parser: tokens → statements, by recursive descent with one token of
// lookahead. On a syntax error it records one diagnostic, unwinds to the
// statement being parsed (panic mode) and skips to the next statement
// boundary (`synchronize()`), so each mistake yields one message. Errors
// about a missing closing bracket or brace carry a note pointing back to
// where it opened.
//
// Grammar (lowest precedence first):
//   statement  := let|var NAME = expr | fn NAME(params) block | if expr block [else (if…|block)]
//              |  for NAME in expr block | return [expr] | target (=|+=|-=|*=|/=) expr | expr
//   expr       := or;  or := and ('or' and)*;  and := not ('and' not)*;  not := 'not' not | compare
//   compare    := range [(==|!=|<|<=|>|>=) range];  range := sum [(..<|...) sum]
//   sum        := product ((+|-) product)*;  product := unary ((*|/|%) unary)*
//   unary      := - unary | postfix;  postfix := primary ( (args) | [index] | .NAME )*
//   index      := expr | (..<|...) sum | sum (..<|...)      (the last two: open slices)
//   primary    := literal | NAME | (expr) | [list] | {record} | fn(params) block
//   string     := "text \(expr) text \(expr, format: expr)"  (interpolation)
// Newlines end statements, except inside brackets and after a binary operator.
// Deliberately not: operator overloading, user-defined types, trailing closures.

public struct Parser {
    private var tokens: [Token]
    private var current = 0
    public private(set) var diagnostics: [Diagnostic] = []
    private var depth = 0
    private var functionDepth = 0
    /// The nesting depth at which a range may leave its upper bound open
    /// (`xs[a...]`): the top of an index expression.
    private var sliceDepth = -1
    /// Nesting limit for brackets, blocks and operators (keeps the stack bounded on any input).
    public static let maxDepth = 120

    private struct PanicError: Error {}

    public init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Parses a whole cell or REPL input.
    public mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        skipTerminators()
        while !check(.eof) {
            if let s = statementOrRecover(topLevel: true) { statements.append(s) }
            skipTerminators()
        }
        return statements
    }

    /// Parses a lone expression (a `--set` value); nil with diagnostics on failure.
    public mutating func parseLoneExpression() -> Expr? {
        skipNewlines()
        do {
            let e = try expression()
            skipNewlines()
            if !check(.eof) { try fail("unexpected \(peek.kind.display) after the value", at: peek.span) }
            return e
        } catch {
            return nil
        }
    }

    // MARK: statements

    private mutating func statementOrRecover(topLevel: Bool) -> Stmt? {
        let start = current
        do {
            let s = try statement()
            try endOfStatement()
            return s
        } catch {
            if current == start { advance() }  // always make progress
            synchronize()
            return nil
        }
    }

    private mutating func endOfStatement() throws {
        switch peek.kind {
        case .newline, .semicolon, .eof, .rbrace: return
        default:
            try fail("consecutive statements on a line must be separated by ';'", at: peek.span)
        }
    }

    /// Skips to the start of the next statement: past a newline or ';', or up
    /// to a statement keyword or a closing brace.
    private mutating func synchronize() {
        while !check(.eof) {
            switch peek.kind {
            case .newline, .semicolon:
                advance()
                return
            case .kwLet, .kwVar, .kwFn, .kwIf, .kwFor, .kwReturn, .rbrace:
                return
            default:
                advance()
            }
        }
    }

    private mutating func statement() throws -> Stmt {
        switch peek.kind {
        case .kwLet, .kwVar:
            let keyword = advance()
            let name = try consume(.identifier, "expected a name after '\(keyword.text)'")
            if check(.colon) {
                try fail("type annotations are not supported; write '\(keyword.text) \(name.text) = value'", at: peek.span)
            }
            try consume(.equal, "expected '=' after '\(keyword.text) \(name.text)'")
            skipNewlines()
            let value = try expression()
            return Stmt(kind: .declaration(name: name.text, value: value, constant: keyword.kind == .kwLet), span: name.span)
        case .kwFn where peekNext.kind == .identifier:
            let keyword = advance()
            let name = advance()
            let decl = try functionRest(name: name.text, span: name.span, keyword: keyword)
            return Stmt(kind: .function(decl), span: name.span)
        case .kwIf:
            return try ifStatement()
        case .kwFor:
            let keyword = advance()
            let variable = try consume(.identifier, "expected a loop variable name after 'for'")
            try consume(.kwIn, "expected 'in' after 'for \(variable.text)'")
            let sequence = try expression()
            let body = try block(after: keyword)
            return Stmt(kind: .forIn(variable: variable.text, sequence: sequence, body: body), span: variable.span)
        case .kwReturn:
            let keyword = advance()
            if functionDepth == 0 {
                try fail("'return' outside a function", at: keyword.span, kind: .declaration)
            }
            switch peek.kind {
            case .newline, .semicolon, .rbrace, .eof:
                return Stmt(kind: .returnValue(nil), span: keyword.span)
            default:
                return Stmt(kind: .returnValue(try expression()), span: keyword.span)
            }
        case .kwElse:
            try fail("'else' without a matching 'if'", at: peek.span)
        case .rbrace:
            try fail("unexpected '}' with no open block", at: peek.span)
        default:
            let target = try expression()
            if let op = assignOp(peek.kind) {
                let opToken = advance()
                switch target.kind {
                case .name, .member, .index: break
                default: try fail("cannot assign to this expression", at: target.span)
                }
                skipNewlines()
                let value = try expression()
                return Stmt(kind: .assign(target: target, op, value: value), span: opToken.span)
            }
            return Stmt(kind: .expression(target), span: target.span)
        }
    }

    private func assignOp(_ kind: TokenKind) -> AssignOp? {
        switch kind {
        case .equal: return .set
        case .plusEqual: return .add
        case .minusEqual: return .sub
        case .starEqual: return .mul
        case .slashEqual: return .div
        default: return nil
        }
    }

    private mutating func ifStatement() throws -> Stmt {
        let keyword = advance()
        let condition = try expression()
        let then = try block(after: keyword)
        var elseBranch: [Stmt]?
        if check(.kwElse) {
            let elseToken = advance()
            if check(.kwIf) {
                elseBranch = [try nested { try $0.ifStatement() }]
            } else {
                elseBranch = try block(after: elseToken)
            }
        }
        return Stmt(kind: .ifElse(condition: condition, then: then, else: elseBranch), span: keyword.span)
    }

    /// `{ statements }` after `if`, `else`, `for` or `fn`.
    private mutating func block(after keyword: Token) throws -> [Stmt] {
        guard check(.lbrace) else {
            if check(.equal), keyword.kind == .kwIf {
                try fail("expected '{' after the 'if' condition; use '==' to compare", at: peek.span)
            }
            if check(.newline) {
                try fail("expected '{' on the same line as '\(keyword.text)'", at: peek.span)
            }
            try fail("expected '{' to open the body of '\(keyword.text)', found \(describe(peek))", at: peek.span)
        }
        let open = advance()
        return try nested { p in
            var body: [Stmt] = []
            p.skipTerminators()
            while !p.check(.rbrace) {
                if p.check(.eof) {
                    try p.fail("expected '}' at end of input", at: p.peek.span,
                               notes: [DiagnosticNote("to match this '{' of '\(keyword.text)'", at: open.span)])
                }
                if let s = p.statementOrRecover(topLevel: false) { body.append(s) }
                p.skipTerminators()
            }
            p.advance()
            return body
        }
    }

    private mutating func functionRest(name: String?, span: SourceSpan, keyword: Token) throws -> FunctionDecl {
        let open = try consume(.lparen, name.map { "expected '(' after 'fn \($0)'" } ?? "expected '(' after 'fn'")
        var parameters: [Parameter] = []
        skipNewlines()
        while !check(.rparen) {
            let p = try consume(.identifier, "expected a parameter name", openedAt: open)
            var defaultValue: Expr?
            if match(.colon) || match(.equal) {
                skipNewlines()
                defaultValue = try expression()
            }
            parameters.append(Parameter(name: p.text, span: p.span, defaultValue: defaultValue))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try consume(.rparen, "expected ',' or ')' in the parameter list", openedAt: open)
        functionDepth += 1
        defer { functionDepth -= 1 }
        let body = try block(after: keyword)
        return FunctionDecl(name: name, span: span, parameters: parameters, body: body)
    }

    // MARK: expressions

    private mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth {
            try fail("nesting is too deep (more than \(Parser.maxDepth) levels)", at: peek.span, kind: .limit)
        }
        return try body(&self)
    }

    private mutating func expression() throws -> Expr {
        try nested { try $0.or() }
    }

    private mutating func or() throws -> Expr {
        var left = try and()
        while check(.kwOr) {
            let op = advance()
            skipNewlines()
            left = Expr(kind: .binary(.or, left, try and()), span: op.span)
        }
        return left
    }

    private mutating func and() throws -> Expr {
        var left = try not()
        while check(.kwAnd) {
            let op = advance()
            skipNewlines()
            left = Expr(kind: .binary(.and, left, try not()), span: op.span)
        }
        return left
    }

    private mutating func not() throws -> Expr {
        if check(.kwNot) {
            let op = advance()
            return Expr(kind: .unary(.not, try nested { try $0.not() }), span: op.span)
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Expr {
        let left = try range()
        guard let op = comparisonOp(peek.kind) else { return left }
        let opToken = advance()
        skipNewlines()
        let right = try range()
        if comparisonOp(peek.kind) != nil {
            try fail("comparison operators cannot be chained; combine them with 'and'", at: peek.span)
        }
        return Expr(kind: .binary(op, left, right), span: opToken.span)
    }

    private func comparisonOp(_ kind: TokenKind) -> BinaryOp? {
        switch kind {
        case .equalEqual: return .eq
        case .bangEqual: return .ne
        case .less: return .lt
        case .lessEqual: return .le
        case .greater: return .gt
        case .greaterEqual: return .ge
        default: return nil
        }
    }

    private mutating func range() throws -> Expr {
        let left = try sum()
        guard check(.halfOpenRange) || check(.closedRange) else { return left }
        let op = advance()
        if depth == sliceDepth, check(.rbracket) {
            return Expr(kind: .slice(left, nil, closed: op.kind == .closedRange), span: op.span)
        }
        skipNewlines()
        let right = try sum()
        return Expr(kind: .range(left, right, closed: op.kind == .closedRange), span: op.span)
    }

    private mutating func sum() throws -> Expr {
        var left = try product()
        while check(.plus) || check(.minus) {
            let op = advance()
            skipNewlines()
            left = Expr(kind: .binary(op.kind == .plus ? .add : .sub, left, try product()), span: op.span)
        }
        return left
    }

    private mutating func product() throws -> Expr {
        var left = try unary()
        while check(.star) || check(.slash) || check(.percent) {
            let op = advance()
            skipNewlines()
            let kind: BinaryOp = op.kind == .star ? .mul : op.kind == .slash ? .div : .mod
            left = Expr(kind: .binary(kind, left, try unary()), span: op.span)
        }
        return left
    }

    private mutating func unary() throws -> Expr {
        if check(.minus) {
            let op = advance()
            return Expr(kind: .unary(.negate, try nested { try $0.unary() }), span: op.span)
        }
        if check(.kwNot) { return try not() }
        return try postfix()
    }

    private mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if check(.lparen) {
                let open = advance()
                let args = try arguments(open)
                e = Expr(kind: .call(e, args), span: callSpan(e))
            } else if check(.lbracket) {
                let open = advance()
                skipNewlines()
                let index: Expr
                if check(.halfOpenRange) || check(.closedRange) {
                    let op = advance()
                    skipNewlines()
                    index = Expr(kind: .slice(nil, try sum(), closed: op.kind == .closedRange), span: op.span)
                } else {
                    let saved = sliceDepth
                    sliceDepth = depth + 1
                    defer { sliceDepth = saved }
                    index = try expression()
                }
                skipNewlines()
                try consume(.rbracket, "expected ']' after the index", openedAt: open)
                e = Expr(kind: .index(e, index), span: open.span)
            } else if check(.dot) {
                advance()
                let name = try consume(.identifier, "expected a member name after '.'")
                e = Expr(kind: .member(e, name.text), span: name.span)
            } else {
                return e
            }
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth * 2 {
                try fail("expression is too long a chain of calls, indexes and members", at: peek.span, kind: .limit)
            }
        }
    }

    private func callSpan(_ callee: Expr) -> SourceSpan { callee.span }

    private mutating func arguments(_ open: Token) throws -> [CallArgument] {
        var args: [CallArgument] = []
        var sawLabel = false
        skipNewlines()
        while !check(.rparen) {
            if check(.eof) { break }
            if check(.identifier) || peek.isKeyword, peekNext.kind == .colon {
                let label = advance()
                advance()
                skipNewlines()
                args.append(CallArgument(label: label.text, labelSpan: label.span, value: try expression()))
                sawLabel = true
            } else {
                let value = try expression()
                if sawLabel {
                    try fail("positional argument after a named argument", at: value.span, kind: .argument)
                }
                args.append(CallArgument(label: nil, labelSpan: nil, value: value))
            }
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try consume(.rparen, "expected ',' or ')' in the argument list", openedAt: open)
        return args
    }

    private mutating func primary() throws -> Expr {
        let token = peek
        switch token.kind {
        case .integer: advance(); return Expr(kind: .int(token.intValue), span: token.span)
        case .float: advance(); return Expr(kind: .float(token.floatValue), span: token.span)
        case .string:
            advance()
            if let segments = token.interpolation { return try interpolation(token, segments) }
            return Expr(kind: .string(token.stringValue), span: token.span)
        case .kwTrue: advance(); return Expr(kind: .bool(true), span: token.span)
        case .kwFalse: advance(); return Expr(kind: .bool(false), span: token.span)
        case .kwNil: advance(); return Expr(kind: .null, span: token.span)
        case .identifier: advance(); return Expr(kind: .name(token.text), span: token.span)
        case .lparen:
            let open = advance()
            skipNewlines()
            let e = try expression()
            skipNewlines()
            try consume(.rparen, "expected ')' to close the parenthesis", openedAt: open)
            return e
        case .lbracket:
            let open = advance()
            return try nested { p in
                var items: [Expr] = []
                p.skipNewlines()
                while !p.check(.rbracket) {
                    items.append(try p.expression())
                    p.skipNewlines()
                    if !p.match(.comma) { break }
                    p.skipNewlines()
                }
                try p.consume(.rbracket, "expected ',' or ']' in the list", openedAt: open)
                return Expr(kind: .list(items), span: open.span)
            }
        case .lbrace:
            let open = advance()
            return try nested { p in
                var fields: [RecordField] = []
                p.skipNewlines()
                while !p.check(.rbrace) {
                    let key = p.peek
                    guard key.kind == .identifier || key.kind == .string || key.isKeyword else {
                        try p.fail("expected a record key, found \(p.describe(key))", at: key.span,
                                   notes: [DiagnosticNote("in the record that opens here", at: open.span)])
                    }
                    p.advance()
                    try p.consume(.colon, "expected ':' after the record key '\(key.kind == .string ? key.stringValue : key.text)'")
                    p.skipNewlines()
                    let name = key.kind == .string ? key.stringValue : key.text
                    fields.append(RecordField(key: name, keySpan: key.span, value: try p.expression()))
                    p.skipNewlines()
                    if !p.match(.comma) { break }
                    p.skipNewlines()
                }
                try p.consume(.rbrace, "expected ',' or '}' in the record", openedAt: open)
                return Expr(kind: .record(fields), span: open.span)
            }
        case .kwFn:
            let keyword = advance()
            let decl = try nested { try $0.functionRest(name: nil, span: keyword.span, keyword: keyword) }
            return Expr(kind: .function(decl), span: keyword.span)
        case .eof:
            try fail("expected an expression at end of input", at: token.span)
        case .newline:
            try fail("expected an expression before the end of the line", at: token.span)
        default:
            try fail("expected an expression, found \(describe(token))", at: token.span)
        }
    }

    // MARK: interpolation

    /// `"a \(x) b"`: each `\(…)` is scanned and parsed on its own, at its
    /// place in the file, so its errors point into the string.
    private mutating func interpolation(_ token: Token, _ segments: [InterpolationSegment]) throws -> Expr {
        var parts: [InterpolationPart] = []
        for segment in segments {
            switch segment {
            case .text(let t): parts.append(.text(t))
            case let .code(code, at):
                var scanner = Scanner(file: token.span.file, text: code, firstLine: at.line, firstColumn: at.column)
                let tokens = scanner.scanAll()
                diagnostics += scanner.diagnostics
                if !scanner.diagnostics.isEmpty { throw PanicError() }
                var sub = Parser(tokens: tokens)
                sub.depth = depth
                sub.functionDepth = functionDepth
                let part = sub.interpolatedValue(SourceSpan(token.span.file, at))
                diagnostics += sub.diagnostics
                guard let part else { throw PanicError() }
                parts.append(part)
            }
        }
        return Expr(kind: .interpolation(parts), span: token.span)
    }

    /// `expr` or `expr, format: spec`, the whole of one `\(…)`.
    private mutating func interpolatedValue(_ at: SourceSpan) -> InterpolationPart? {
        do {
            skipNewlines()
            if check(.eof) { try fail("empty interpolation '\\()': put a value between the parentheses", at: at) }
            let value = try expression()
            var format: Expr?
            if match(.comma) {
                let label = peek
                guard label.kind == .identifier, label.text == "format", peekNext.kind == .colon else {
                    try fail("expected 'format:' after ',' in an interpolation (\\(x, format: \".3f\"))", at: label.span)
                }
                advance(); advance()
                format = try expression()
            }
            if !check(.eof) { try fail("expected ')' to end the interpolation, found \(describe(peek))", at: peek.span) }
            return .value(value, format: format)
        } catch {
            return nil
        }
    }

    // MARK: token helpers

    private var peek: Token { tokens[current] }
    private var peekNext: Token { tokens[min(current + 1, tokens.count - 1)] }
    private func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[current]
        if current < tokens.count - 1 { current += 1 }
        return t
    }

    private mutating func match(_ kind: TokenKind) -> Bool {
        if check(kind) { advance(); return true }
        return false
    }

    private mutating func skipNewlines() {
        while check(.newline) { advance() }
    }

    private mutating func skipTerminators() {
        while check(.newline) || check(.semicolon) { advance() }
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier: return "'\(token.text)'"
        case .integer, .float: return "the number \(token.text)"
        case .string: return "a string"
        default: return token.kind.display
        }
    }

    @discardableResult
    private mutating func consume(_ kind: TokenKind, _ message: String, openedAt open: Token? = nil) throws -> Token {
        if check(kind) { return advance() }
        var notes: [DiagnosticNote] = []
        if let open { notes.append(DiagnosticNote("to match this opening '\(open.text)'", at: open.span)) }
        let found = check(.newline) && open != nil ? "" : ", found \(describe(peek))"
        try fail(message + found, at: peek.span, notes: notes)
    }

    private mutating func fail(_ message: String, at span: SourceSpan, kind: DiagnosticKind = .syntax,
                               notes: [DiagnosticNote] = []) throws -> Never {
        diagnostics.append(Diagnostic(kind, message, at: span, notes: notes))
        throw PanicError()
    }
}
