// Interpreter: walks the checked AST and computes values. Errors become a
// `Diagnostic` thrown with the span of the culprit; the session catches it,
// so a failing cell leaves every earlier binding intact. Between statements
// (and at every loop iteration and call) it checks the interrupt flag, the
// optional step limit and how much stack is left, so no input — however
// recursive — can crash the host.
// Deliberately not: a bytecode VM, tail calls, exceptions in the language.

import Foundation

public final class Interpreter: FunctionCaller {
    public let globals = Scope(parent: nil)
    public let registry: BuiltinRegistry
    unowned let host: any InterpreterHost
    /// `--set` values for top-level `let`s, by name.
    public var overrides: [String: Value] = [:]
    public var stepLimit: Int?
    private(set) var steps = 0
    private var callDepth = 0
    public static let maxCallDepth = 5_000
    /// The lowest stack address the interpreter may reach (set per cell).
    private var stackFloor: UInt = 0

    public enum Flow {
        case normal
        case returned(Value)
    }

    public init(host: any InterpreterHost, registry: BuiltinRegistry) {
        self.host = host
        self.registry = registry
    }

    // MARK: entry

    /// Runs a cell's statements in the global scope. Returns the value of a
    /// final bare expression (the REPL prints it).
    public func run(_ statements: [Stmt]) throws -> Value? {
        stackFloor = StackBounds.floor()
        var last: Value?
        for s in statements {
            last = nil
            if case .expression(let e) = s.kind {
                try tick(s.span)
                last = try evaluate(e, globals)
            } else if case .returned = try execute(s, globals) {
                break
            }
        }
        return last
    }

    // MARK: statements

    private func tick(_ span: SourceSpan) throws {
        steps += 1
        if host.isInterruptRequested {
            throw Diagnostic(.interrupted, "interrupted", at: span)
        }
        if let limit = stepLimit, steps > limit {
            throw Diagnostic(.limit, "step limit of \(limit) exceeded", at: span)
        }
    }

    private func checkStack(_ span: SourceSpan) throws {
        if StackBounds.current() < stackFloor {
            throw Diagnostic(.limit, "calls or expressions nested too deeply (the stack is nearly exhausted)", at: span)
        }
    }

    public func execute(_ block: [Stmt], _ scope: Scope) throws -> Flow {
        for s in block {
            if case .returned(let v) = try execute(s, scope) { return .returned(v) }
        }
        return .normal
    }

    private func execute(_ stmt: Stmt, _ scope: Scope) throws -> Flow {
        try tick(stmt.span)
        switch stmt.kind {
        case let .declaration(name, valueExpr, constant):
            let value: Value
            if scope === globals, constant, let override = overrides[name] {
                value = override
            } else {
                value = try evaluate(valueExpr, scope)
            }
            scope.declare(name, Binding(value: value, constant: constant, span: stmt.span))
        case .function(let decl):
            scope.declare(decl.name ?? "", Binding(value: .function(Function(.user(decl, scope))), constant: true, span: decl.span))
        case let .assign(target, op, valueExpr):
            try assign(target, op, valueExpr, stmt.span, scope)
        case let .ifElse(condition, then, otherwise):
            if try truth(condition, scope, what: "'if' condition") {
                return try execute(then, Scope(parent: scope))
            } else if let otherwise {
                return try execute(otherwise, Scope(parent: scope))
            }
        case let .forIn(variable, sequenceExpr, body):
            return try loop(variable, stmt.span, try evaluate(sequenceExpr, scope), sequenceExpr.span, body, scope)
        case .returnValue(let e):
            return .returned(try e.map { try evaluate($0, scope) } ?? .null)
        case .expression(let e):
            _ = try evaluate(e, scope)
        }
        return .normal
    }

    private func loop(_ variable: String, _ span: SourceSpan, _ sequence: Value, _ sequenceSpan: SourceSpan,
                      _ body: [Stmt], _ scope: Scope) throws -> Flow {
        func iteration(_ v: Value) throws -> Flow {
            try tick(span)
            let inner = Scope(parent: scope)
            inner.declare(variable, Binding(value: v, constant: true, span: span))
            return try execute(body, inner)
        }
        switch sequence {
        case .list(let items):
            for v in items { if case .returned(let r) = try iteration(v) { return .returned(r) } }
        case let .range(lo, hi):
            var i = lo
            while i < hi {
                if case .returned(let r) = try iteration(.int(i)) { return .returned(r) }
                i += 1
            }
        case .record(let r):
            for k in r.keys { if case .returned(let x) = try iteration(.string(k)) { return .returned(x) } }
        default:
            throw Diagnostic(.type, "cannot iterate over \(sequence.typeName); 'for' takes a list, a range or a record",
                             at: sequenceSpan)
        }
        return .normal
    }

    private func truth(_ e: Expr, _ scope: Scope, what: String) throws -> Bool {
        let v = try evaluate(e, scope)
        guard case .bool(let b) = v else {
            throw Diagnostic(.type, "\(what) must be a bool, got \(v.typeName)", at: e.span)
        }
        return b
    }

    // MARK: assignment

    private enum PathStep {
        case member(String, SourceSpan)
        case index(Value, SourceSpan)
    }

    /// `xs.append(v)`: lists are values, so appending changes the variable
    /// (or the part of one) that holds the list, as `xs = xs + [v]` would; it
    /// fails on a `let` and on a temporary. Returns nil when `target` does not
    /// hold a list (the caller then treats `.append` as an ordinary member).
    private func appendToList(_ target: Expr, _ argExprs: [CallArgument], _ span: SourceSpan, _ scope: Scope) throws -> Value? {
        let (name, rootSpan, path) = try unwind(target, scope)
        guard let root = name else {
            if case .list = try evaluate(target, scope) {
                throw Diagnostic(.runtime, "cannot append to a temporary list; bind it with 'var' first", at: target.span)
            }
            return nil
        }
        guard let owner = scope.owner(of: root), let binding = owner.lookup(root) else { return nil }
        let current = try read(binding.value, path[...])
        guard case .list(var xs) = current else { return nil }
        guard argExprs.count == 1, argExprs[0].label == nil else {
            throw Diagnostic(.argument, "append takes one value: xs.append(v)", at: span)
        }
        if binding.constant {
            throw Diagnostic(.declaration, "cannot append to '\(root)': it is a constant", at: rootSpan,
                             notes: binding.span.map { [DiagnosticNote("declared with 'let' here; use 'var' to allow changes", at: $0)] } ?? [])
        }
        xs.append(try evaluate(argExprs[0].value, scope))
        if xs.count > host.maxElements {
            throw Diagnostic(.range, "list too long (\(xs.count) elements)", at: span)
        }
        if xs.count == xs.capacity { try withSpan(span) { try MemoryCharges.list(xs.count * 2) } }   // the memory budget, when the list grows
        owner.update(root, try write(binding.value, path[...], .list(xs)))
        return .null
    }

    /// `a.b[i].c` as its root name (nil when the innermost base is not a name:
    /// a temporary), the span of that base, and the path below it.
    private func unwind(_ target: Expr, _ scope: Scope) throws -> (root: String?, span: SourceSpan, path: [PathStep]) {
        var path: [PathStep] = []
        var e = target
        while true {
            switch e.kind {
            case let .member(base, name):
                path.insert(.member(name, e.span), at: 0)
                e = base
                continue
            case let .index(base, index):
                switch index.kind {
                case .range, .slice:
                    throw Diagnostic(.type, "a slice cannot be assigned to; assign its elements one by one", at: index.span)
                default: break
                }
                path.insert(.index(try evaluate(index, scope), index.span), at: 0)
                e = base
                continue
            default: break
            }
            break
        }
        guard case .name(let root) = e.kind else { return (nil, e.span, path) }
        return (root, e.span, path)
    }

    private func assign(_ target: Expr, _ op: AssignOp, _ valueExpr: Expr, _ span: SourceSpan, _ scope: Scope) throws {
        let (name, rootSpan, path) = try unwind(target, scope)
        guard let root = name else {
            throw Diagnostic(.runtime, "cannot assign into a temporary value", at: rootSpan)
        }
        guard let owner = scope.owner(of: root), let binding = owner.lookup(root) else {
            throw Diagnostic(.unknownName, "unknown name '\(root)'", at: rootSpan,
                             suggestion: EditDistance.suggestion(for: root, among: scope.visibleNames))
        }
        if binding.constant {
            throw Diagnostic(.declaration, "cannot assign to '\(root)': it is a constant", at: rootSpan,
                             notes: binding.span.map { [DiagnosticNote("declared with 'let' here; use 'var' to allow changes", at: $0)] } ?? [])
        }
        var rhs = try evaluate(valueExpr, scope)
        if op != .set {
            let current = try read(binding.value, path[...])
            let binary: BinaryOp = op == .add ? .add : op == .sub ? .sub : op == .mul ? .mul : .div
            do { rhs = try Operators.binary(binary, current, rhs, limit: host.maxElements) } catch let b as BuiltinError {
                throw Diagnostic(b.kind, b.message, at: span)
            }
        }
        owner.update(root, try write(binding.value, path[...], rhs))
    }

    private func read(_ container: Value, _ path: ArraySlice<PathStep>) throws -> Value {
        guard let first = path.first else { return container }
        switch first {
        case let .member(name, span): return try read(try member(container, name, span), path.dropFirst())
        case let .index(i, span): return try read(try element(container, i, span), path.dropFirst())
        }
    }

    private func write(_ container: Value, _ path: ArraySlice<PathStep>, _ newValue: Value) throws -> Value {
        guard let first = path.first else { return newValue }
        switch (first, container) {
        case (let .member(name, span), .record(var r)):
            let old = path.count > 1 ? try member(container, name, span) : .null
            r[name] = try write(old, path.dropFirst(), newValue)
            return .record(r)
        case (let .index(.string(key), span), .record(var r)):
            let old = path.count > 1 ? try element(container, .string(key), span) : .null
            r[key] = try write(old, path.dropFirst(), newValue)
            return .record(r)
        case (let .index(i, span), .list(var xs)):
            let k = try listIndex(i, count: xs.count, span)
            xs[k] = try write(xs[k], path.dropFirst(), newValue)
            return .list(xs)
        case (.member(_, let span), _), (.index(_, let span), _):
            throw Diagnostic(.type, "cannot assign into a part of \(container.typeName); only lists and records can be changed",
                             at: span)
        }
    }

    // MARK: expressions

    public func evaluate(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .name(let n): return try lookup(n, e.span, scope)
        case .list(let items):
            try checkStack(e.span)
            return .list(try items.map { try evaluate($0, scope) })
        case .record(let fields):
            try checkStack(e.span)
            var r = Record()
            for f in fields { r[f.key] = try evaluate(f.value, scope) }
            return .record(r)
        case let .unary(op, operand):
            try checkStack(e.span)
            let v = try evaluate(operand, scope)
            if op == .not {
                guard case .bool(let b) = v else {
                    throw Diagnostic(.type, "operand of 'not' must be a bool, got \(v.typeName)", at: e.span)
                }
                return .bool(!b)
            }
            return try withSpan(e.span) { try Operators.negate(v) }
        case let .binary(op, lhs, rhs):
            try checkStack(e.span)
            if op == .and || op == .or {
                let left = try truth(lhs, scope, what: "left operand of '\(op.rawValue)'")
                if op == .and ? !left : left { return .bool(left) }
                return .bool(try truth(rhs, scope, what: "right operand of '\(op.rawValue)'"))
            }
            let a = try evaluate(lhs, scope), b = try evaluate(rhs, scope)
            return try withSpan(e.span) { try Operators.binary(op, a, b, limit: host.maxElements) }
        case let .range(lo, hi, closed):
            let a = try evaluate(lo, scope), b = try evaluate(hi, scope)
            guard case .int(let x) = a else { throw Diagnostic(.type, "range bounds must be ints, got \(a.typeName)", at: lo.span) }
            guard case .int(let y) = b else { throw Diagnostic(.type, "range bounds must be ints, got \(b.typeName)", at: hi.span) }
            var upper = y
            if closed {
                guard y < Int.max else { throw Diagnostic(.runtime, "range upper bound overflows", at: hi.span) }
                upper = y + 1
            }
            guard x <= upper else {
                throw Diagnostic(.range, "range lower bound \(x) is greater than its upper bound \(y)", at: e.span)
            }
            return .range(x, upper)
        case let .call(callee, args):
            return try call(callee, args, e.span, scope)
        case let .member(base, name):
            try checkStack(e.span)
            return try member(try evaluate(base, scope), name, e.span)
        case let .index(base, index):
            try checkStack(e.span)
            return try indexed(base, index, scope)
        case .slice:
            throw Diagnostic(.syntax, "a range with an open end can only slice: xs[a...], xs[..<b]", at: e.span)
        case .interpolation(let parts):
            try checkStack(e.span)
            return try interpolated(parts, e.span, scope)
        case .function(let decl):
            return .function(Function(.user(decl, scope)))
        }
    }

    // Kept out of `evaluate` (never inlined) so its stack frame stays small.

    @inline(never)
    private func indexed(_ base: Expr, _ index: Expr, _ scope: Scope) throws -> Value {
        let container = try evaluate(base, scope)
        switch index.kind {
        case let .range(lo, hi, closed):
            return try slice(container, try sliceBound(lo, scope), try sliceBound(hi, scope), closed: closed, index.span)
        case let .slice(lo, hi, closed):
            return try slice(container, try lo.map { try sliceBound($0, scope) }, try hi.map { try sliceBound($0, scope) },
                             closed: closed, index.span)
        default:
            let i = try evaluate(index, scope)
            if case let .range(lo, hi) = i { return try slice(container, lo, hi, closed: false, index.span) }
            return try element(container, i, index.span)
        }
    }

    @inline(never)
    private func interpolated(_ parts: [InterpolationPart], _ span: SourceSpan, _ scope: Scope) throws -> Value {
        var text = ""
        for part in parts {
            switch part {
            case .text(let t): text += t
            case let .value(x, format):
                let v = try evaluate(x, scope)
                if let format {
                    let spec = try evaluate(format, scope)
                    guard case .string(let s) = spec else {
                        throw Diagnostic(.type, "an interpolation's format must be a string, got \(spec.typeName)", at: format.span)
                    }
                    do { text += try FormatSpec(s).apply(v) } catch let bad as FormatSpec.Invalid {
                        throw Diagnostic(.range, "format: \(bad.message)", at: format.span)
                    }
                } else {
                    text += ValueFormatter.plain(v)
                }
            }
            if text.utf8.count > host.maxElements {
                throw Diagnostic(.limit, "string would exceed the limit of \(host.maxElements) bytes", at: span)
            }
        }
        return .string(text)
    }

    // MARK: slices

    private func sliceBound(_ e: Expr, _ scope: Scope) throws -> Int {
        let v = try evaluate(e, scope)
        guard case .int(let i) = v else { throw Diagnostic(.type, "slice bounds must be ints, got \(v.typeName)", at: e.span) }
        return i
    }

    /// `x[lo..<hi]`, `x[lo...hi]` and the open forms (nil bounds). A negative
    /// bound counts from the end (as an index does); after that the slice must
    /// lie within the value, `0 <= lo <= hi <= count`, else it is an error
    /// (Swift's rule; NumPy would clamp).
    public func slice(_ v: Value, _ lo: Int?, _ hi: Int?, closed: Bool, _ span: SourceSpan) throws -> Value {
        let count: Int
        let what: String
        switch v {
        case .list(let xs): count = xs.count; what = "a list of \(count) element\(count == 1 ? "" : "s")"
        case .string(let s): count = s.count; what = "a string of \(count) character\(count == 1 ? "" : "s")"
        case let .range(a, b):
            let (n, overflow) = b.subtractingReportingOverflow(a)
            guard !overflow else { throw Diagnostic(.range, "range \(a)..<\(b) is too long to slice", at: span) }
            count = n; what = "a range of \(count) element\(count == 1 ? "" : "s")"
        case .host(let h):
            guard let n = h.sliceLength else { throw Diagnostic(.type, "a \(h.kindName) cannot be sliced", at: span) }
            count = n; what = "a \(h.kindName) of \(n) along its first axis"
        default:
            throw Diagnostic(.type, "\(v.typeName) cannot be sliced", at: span)
        }
        var a = lo ?? 0, b = hi ?? count
        if a < 0 { a += count }
        if b < 0 { b += count }
        if closed, hi != nil {
            guard b < Int.max else { throw Diagnostic(.range, "slice upper bound overflows", at: span) }
            b += 1
        }
        guard a >= 0, b <= count, a <= b else {
            let shown = (lo.map(String.init) ?? "") + (closed ? "..." : "..<") + (hi.map(String.init) ?? "")
            throw Diagnostic(.range, "slice \(shown) is out of range for \(what)", at: span)
        }
        switch v {
        case .list(let xs): return .list(Array(xs[a..<b]))
        case .string(let s):
            let start = s.index(s.startIndex, offsetBy: a)
            return .string(String(s[start..<s.index(start, offsetBy: b - a)]))
        case let .range(x, _): return .range(x + a, x + b)
        case .host(let h): return try withSpan(span) { try h.element(at: .range(a, b)) }
        default: preconditionFailure("unreachable")
        }
    }

    private func withSpan<T>(_ span: SourceSpan, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let b as BuiltinError {
            throw Diagnostic(b.kind, b.message, at: span, suggestion: b.suggestion)
        }
    }

    private func lookup(_ name: String, _ span: SourceSpan, _ scope: Scope) throws -> Value {
        if let b = scope.lookup(name) { return b.value }
        if let f = registry.functionValue(name) { return .function(f) }
        throw Diagnostic(.unknownName, "unknown name '\(name)'", at: span,
                         suggestion: EditDistance.suggestion(for: name, among: scope.visibleNames + registry.names))
    }

    public func member(_ v: Value, _ name: String, _ span: SourceSpan) throws -> Value {
        switch v {
        case .record(let r):
            if let x = r[name] { return x }
            if name == "count" { return .int(r.count) }  // a key named "count" wins
            throw Diagnostic(.unknownName, "record has no key '\(name)'", at: span,
                             suggestion: EditDistance.suggestion(for: name, among: r.keys))
        case .host(let h):
            if let x = try withSpan(span, { try h.property(name) }) { return x }
            if h.method(named: name) != nil {
                throw Diagnostic(.type, "'\(name)' is a method of \(h.kindName); call it: .\(name)()", at: span)
            }
            throw Diagnostic(.unknownName, "\(h.kindName) has no property '\(name)'", at: span,
                             suggestion: EditDistance.suggestion(for: name, among: h.propertyNames + h.methods.map(\.signature.name)))
        case .list(let xs) where name == "count": return .int(xs.count)
        case .list where name == "append":
            throw Diagnostic(.type, "'append' is a method of list; call it: .append(value)", at: span)
        case .string(let s) where name == "count": return .int(s.count)
        case let .range(lo, hi) where name == "count":
            let (n, overflow) = hi.subtractingReportingOverflow(lo)
            guard !overflow else { throw Diagnostic(.range, "range \(lo)..<\(hi) has more than \(Int.max) elements", at: span) }
            return .int(n)
        default:
            let extra = v.typeName == "list" ? " (it has 'count' and 'append')"
                : (v.typeName == "string" || v.typeName == "range") ? " (it has 'count')" : ""
            throw Diagnostic(.unknownName, "\(v.typeName) has no member '\(name)'\(extra)", at: span,
                             suggestion: extra.isEmpty ? nil : EditDistance.suggestion(for: name, among: v.typeName == "list" ? ["count", "append"] : ["count"]))
        }
    }

    private func listIndex(_ i: Value, count: Int, _ span: SourceSpan) throws -> Int {
        guard case .int(let k) = i else {
            throw Diagnostic(.type, "list index must be an int, got \(i.typeName)", at: span)
        }
        let j = k < 0 ? count + k : k
        guard j >= 0, j < count else {
            throw Diagnostic(.range, "index \(k) is out of range for a list of \(count) element\(count == 1 ? "" : "s")", at: span)
        }
        return j
    }

    public func element(_ v: Value, _ i: Value, _ span: SourceSpan) throws -> Value {
        switch v {
        case .list(let xs): return xs[try listIndex(i, count: xs.count, span)]
        case .string(let s):
            let chars = Array(s)
            return .string(String(chars[try listIndex(i, count: chars.count, span)]))
        case let .range(lo, hi):
            let (n, overflow) = hi.subtractingReportingOverflow(lo)
            guard !overflow else { throw Diagnostic(.range, "range \(lo)..<\(hi) is too long to index", at: span) }
            return .int(lo + (try listIndex(i, count: n, span)))
        case .record(let r):
            guard case .string(let key) = i else {
                throw Diagnostic(.type, "record key must be a string, got \(i.typeName)", at: span)
            }
            if let x = r[key] { return x }
            throw Diagnostic(.unknownName, "record has no key '\(key)'", at: span,
                             suggestion: EditDistance.suggestion(for: key, among: r.keys))
        case .host(let h):
            return try withSpan(span) { try h.element(at: i) }
        default:
            throw Diagnostic(.type, "\(v.typeName) cannot be indexed", at: span)
        }
    }

    // MARK: calls

    private func call(_ calleeExpr: Expr, _ argExprs: [CallArgument], _ span: SourceSpan, _ scope: Scope) throws -> Value {
        try checkStack(span)
        try tick(span)
        // Method call: `x.name(…)` on a host value dispatches to its methods.
        if case let .member(baseExpr, name) = calleeExpr.kind {
            if name == "append", let result = try appendToList(baseExpr, argExprs, span, scope) { return result }
            let base = try evaluate(baseExpr, scope)
            if case .host(let h) = base {
                guard let method = h.method(named: name) else {
                    if (try? h.property(name)) ?? nil != nil {
                        throw Diagnostic(.type, "'\(name)' is a property of \(h.kindName), not a method; write .\(name) without '()'",
                                         at: calleeExpr.span)
                    }
                    throw Diagnostic(.unknownName, "\(h.kindName) has no method '\(name)'", at: calleeExpr.span,
                                     suggestion: EditDistance.suggestion(for: name, among: h.methods.map(\.signature.name) + h.propertyNames))
                }
                return try callBuiltin(method, try arguments(argExprs, scope), argExprs, span)
            }
            let callee = try member(base, name, calleeExpr.span)
            return try callValue(callee, calleeExpr, argExprs, span, scope)
        }
        let callee = try evaluate(calleeExpr, scope)
        return try callValue(callee, calleeExpr, argExprs, span, scope)
    }

    private func arguments(_ argExprs: [CallArgument], _ scope: Scope) throws -> [(label: String?, value: Value)] {
        try argExprs.map { ($0.label, try evaluate($0.value, scope)) }
    }

    private func callValue(_ callee: Value, _ calleeExpr: Expr, _ argExprs: [CallArgument], _ span: SourceSpan,
                           _ scope: Scope) throws -> Value {
        guard case .function(let f) = callee else {
            throw Diagnostic(.type, "\(callee.typeName) is not a function and cannot be called", at: calleeExpr.span)
        }
        let args = try arguments(argExprs, scope)
        switch f.body {
        case .builtin(let b): return try callBuiltin(b, args, argExprs, span)
        case let .user(decl, closure): return try callUser(decl, closure, args, argExprs, span)
        }
    }

    private func callBuiltin(_ b: Builtin, _ args: [(label: String?, value: Value)], _ argExprs: [CallArgument],
                             _ span: SourceSpan) throws -> Value {
        let bound = try ArgumentBinder.bind(b.signature, arguments: args,
                                            spans: argExprs.map { ($0.labelSpan, $0.value.span) }, callSpan: span)
        let context = CallContext(host: host, span: span, caller: self)
        do {
            let result = try b.implementation(bound, context)
            try MemoryCharges.after(b.signature.name)   // the tensors it left must fit the memory budget
            return result
        } catch let d as Diagnostic {
            throw d
        } catch let e as BuiltinError {
            throw Diagnostic(e.kind, e.message, at: span, suggestion: e.suggestion)
        } catch {
            throw Diagnostic(.runtime, "\(b.signature.name): \(error)", at: span)
        }
    }

    /// Calls a function value for a built-in (`map`, `filter`, `sorted(key:)`, …),
    /// as a call in the notebook would: a step, the interrupt flag, the stack.
    public func callFunction(_ f: Function, _ arguments: [Value], at span: SourceSpan) throws -> Value {
        try checkStack(span)
        try tick(span)
        let args = arguments.map { (label: String?.none, value: $0) }
        let exprs = arguments.map { _ in CallArgument(label: nil, labelSpan: nil, value: Expr(kind: .null, span: span)) }
        switch f.body {
        case .builtin(let b): return try callBuiltin(b, args, exprs, span)
        case let .user(decl, closure): return try callUser(decl, closure, args, exprs, span)
        }
    }

    private func callUser(_ decl: FunctionDecl, _ closure: Scope, _ args: [(label: String?, value: Value)],
                          _ argExprs: [CallArgument], _ span: SourceSpan) throws -> Value {
        let name = decl.name ?? "function"
        let params = decl.parameters
        var values = [Value?](repeating: nil, count: params.count)
        var next = 0
        for (i, arg) in args.enumerated() {
            if let label = arg.label {
                guard let p = params.firstIndex(where: { $0.name == label }) else {
                    throw Diagnostic(.argument, "unknown argument '\(label)' in call to \(name)",
                                     at: argExprs[i].labelSpan ?? span,
                                     suggestion: EditDistance.suggestion(for: label, among: params.map(\.name)))
                }
                guard values[p] == nil else {
                    throw Diagnostic(.argument, "argument '\(label)' is given twice", at: argExprs[i].labelSpan ?? span)
                }
                values[p] = arg.value
            } else {
                guard next < params.count else {
                    throw Diagnostic(.argument, "too many arguments to \(name): it takes \(params.count)", at: argExprs[i].value.span)
                }
                values[next] = arg.value
                next += 1
            }
        }
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > Interpreter.maxCallDepth {
            throw Diagnostic(.limit, "too many nested calls (more than \(Interpreter.maxCallDepth))", at: span)
        }
        let local = Scope(parent: closure)
        for (p, param) in params.enumerated() {
            if let v = values[p] {
                local.declare(param.name, Binding(value: v, constant: true, span: param.span))
            } else if let d = param.defaultValue {
                local.declare(param.name, Binding(value: try evaluate(d, local), constant: true, span: param.span))
            } else {
                throw Diagnostic(.argument, "missing argument '\(param.name)' in call to \(name)", at: span)
            }
        }
        if case .returned(let v) = try execute(decl.body, local) { return v }
        return .null
    }
}

/// Where the current thread's stack ends, so deep recursion becomes an error
/// instead of a crash.
public enum StackBounds {
    @inline(never)
    public static func current() -> UInt {
        var marker = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// The lowest address interpretation may use, measured from here: half
    /// of this thread's stack (the rlimit for the main thread, the thread's
    /// stack size otherwise), so frames already below and built-ins at the
    /// deepest point keep the other half.
    public static func floor() -> UInt {
        var size: UInt
        if Thread.isMainThread {
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_STACK.rawValue), &limit)
            size = UInt(min(limit.rlim_cur, 64 << 20))  // RLIM_INFINITY is the largest value
        } else {
            size = Thread.current.stackSize > 0 ? UInt(Thread.current.stackSize) : 512 << 10
        }
        if size < 256 << 10 { size = 8 << 20 }
        let here = current()
        let budget = size / 2
        return here > budget ? here - budget : 0
    }
}
