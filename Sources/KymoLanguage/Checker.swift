// Checker (the resolver): walks a cell's statements without running them and
// reports every static error — unknown names (with the nearest spelling),
// arguments that do not fit a built-in's signature (labels, arity, and types,
// ranges and choices where the argument's type or value is known), calls of
// user functions with unknown labels or a wrong count, assignments to
// constants, redeclarations, and operators applied to types that cannot
// take them. It infers a small static type for each expression (literal
// types, built-in results, `let` bindings) and says nothing where the type is
// unknown: the interpreter checks again on real values.
// Deliberately not: a full type system, flow analysis, warnings.

public indirect enum StaticType: Equatable {
    case unknown, int, float, string, bool, null, list, range
    /// A record, with its keys when known exactly (a `let` bound to a literal).
    case record([String]?)
    case function(FunctionDecl?)
    case builtin(String)
    case host(String)

    public static func == (a: StaticType, b: StaticType) -> Bool {
        switch (a, b) {
        case (.unknown, .unknown), (.int, .int), (.float, .float), (.string, .string), (.bool, .bool),
             (.null, .null), (.list, .list), (.range, .range): return true
        case let (.record(x), .record(y)): return x == y
        case let (.function(x), .function(y)): return x === y
        case let (.builtin(x), .builtin(y)): return x == y
        case let (.host(x), .host(y)): return x == y
        default: return false
        }
    }

    public var name: String {
        switch self {
        case .unknown: return "unknown"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .bool: return "bool"
        case .null: return "nil"
        case .list: return "list"
        case .range: return "range"
        case .record: return "record"
        case .function, .builtin: return "function"
        case .host(let k): return k
        }
    }

    public var isNumber: Bool { self == .int || self == .float }

    /// The static type of a run-time value (REPL inputs see the session's globals this way).
    public init(of value: Value) {
        switch value {
        case .int: self = .int
        case .float: self = .float
        case .string: self = .string
        case .bool: self = .bool
        case .null: self = .null
        case .list: self = .list
        case .range: self = .range
        case .record: self = .record(nil)
        case .function(let f):
            switch f.body {
            case .user(let d, _): self = .function(d)
            case .builtin(let b): self = .builtin(b.signature.name)
            }
        case .host(let h): self = .host(h.kindName)
        }
    }

    public init(_ p: ParamType) {
        switch p {
        case .int: self = .int
        case .float: self = .float
        case .string: self = .string
        case .bool: self = .bool
        case .list, .intList: self = .list
        case .record: self = .record(nil)
        case .function: self = .function(nil)
        case .range: self = .range
        case .host(let k): self = .host(k)
        case .any, .either: self = .unknown
        }
    }

    /// Whether a parameter of type `p` accepts this type: nil when unknown.
    public func fits(_ p: ParamType) -> Bool? {
        switch (p, self) {
        case (_, .unknown), (.any, _): return nil
        case (.int, .int), (.float, .int), (.float, .float), (.string, .string), (.bool, .bool),
             (.record, .record), (.function, .function), (.function, .builtin), (.host, .host), (.range, .range): break
        case (.list, .list): break
        case (.intList, .list): return nil
        case (.either(let ps), _):
            let answers = ps.map { fits($0) }
            if answers.contains(true) { return true }
            if answers.contains(where: { $0 == nil }) { return nil }
            return false
        default: return false
        }
        if case .host(let k) = p, case .host(let j) = self { return k == j }
        return true
    }
}

public struct StaticBinding {
    public var type: StaticType
    public var constant: Bool
    public var span: SourceSpan?

    public init(type: StaticType, constant: Bool, span: SourceSpan?) {
        self.type = type
        self.constant = constant
        self.span = span
    }
}

public final class Checker {
    public private(set) var diagnostics: [Diagnostic] = []
    private let registry: BuiltinRegistry
    private let interactive: Bool
    private var scopes: [[String: StaticBinding]]
    private var scopeOrder: [[String]]
    /// Top-level names of the whole notebook: function bodies may use a global declared later.
    public var notebookGlobals: Set<String> = []
    /// Types of `--set` values, by name.
    public var overrideTypes: [String: StaticType] = [:]
    private var functionDepth = 0

    public init(registry: BuiltinRegistry, interactive: Bool, globals: [(String, StaticBinding)] = []) {
        self.registry = registry
        self.interactive = interactive
        scopes = [[:]]
        scopeOrder = [[]]
        for (n, b) in globals { declareRaw(n, b) }
    }

    /// Checks one cell (or REPL input) in the global scope carried over from earlier cells.
    public func check(_ statements: [Stmt]) {
        for s in statements { statement(s) }
    }

    // MARK: scopes

    private func declareRaw(_ name: String, _ b: StaticBinding) {
        if scopes[scopes.count - 1][name] == nil { scopeOrder[scopeOrder.count - 1].append(name) }
        scopes[scopes.count - 1][name] = b
    }

    private func declare(_ name: String, _ b: StaticBinding) {
        if let previous = scopes[scopes.count - 1][name], !(interactive && scopes.count == 1) {
            error(.declaration, "invalid redeclaration of '\(name)'", b.span,
                  notes: previous.span.map { [DiagnosticNote("'\(name)' was declared here", at: $0)] } ?? [])
        }
        declareRaw(name, b)
    }

    private func lookup(_ name: String) -> StaticBinding? {
        for s in scopes.reversed() { if let b = s[name] { return b } }
        return nil
    }

    private func withScope<T>(_ body: () -> T) -> T {
        scopes.append([:])
        scopeOrder.append([])
        defer { scopes.removeLast(); scopeOrder.removeLast() }
        return body()
    }

    private var visibleNames: [String] { scopeOrder.reversed().flatMap { $0 } }

    private func error(_ kind: DiagnosticKind, _ message: String, _ span: SourceSpan?, suggestion: String? = nil,
                       notes: [DiagnosticNote] = []) {
        diagnostics.append(Diagnostic(kind, message, at: span, suggestion: suggestion, notes: notes))
    }

    // MARK: statements

    private func statement(_ s: Stmt) {
        switch s.kind {
        case let .declaration(name, value, constant):
            var type = expr(value)
            if scopes.count == 1, constant, let o = overrideTypes[name] { type = o }
            if !constant, case .record = type { type = .record(nil) }
            declare(name, StaticBinding(type: type, constant: constant, span: s.span))
        case .function(let decl):
            declare(decl.name ?? "", StaticBinding(type: .function(decl), constant: true, span: decl.span))
            function(decl)
        case let .assign(target, op, value):
            assign(target, op, value)
        case let .ifElse(condition, then, otherwise):
            expectBool(condition, what: "'if' condition")
            withScope { for x in then { statement(x) } }
            if let otherwise { withScope { for x in otherwise { statement(x) } } }
        case let .forIn(variable, sequence, body):
            let t = expr(sequence)
            var element = StaticType.unknown
            switch t {
            case .range: element = .int
            case .record: element = .string
            case .list, .unknown: break
            default:
                error(.type, "cannot iterate over \(t.name); 'for' takes a list, a range or a record", sequence.span)
            }
            withScope {
                declare(variable, StaticBinding(type: element, constant: true, span: s.span))
                for x in body { statement(x) }
            }
        case .returnValue(let e):
            if let e { _ = expr(e) }
        case .expression(let e):
            _ = expr(e)
        }
    }

    private func function(_ decl: FunctionDecl) {
        functionDepth += 1
        defer { functionDepth -= 1 }
        withScope {
            for p in decl.parameters {
                if let d = p.defaultValue { _ = expr(d) }
                declare(p.name, StaticBinding(type: .unknown, constant: true, span: p.span))
            }
            withScope { for x in decl.body { statement(x) } }
        }
    }

    private func assign(_ target: Expr, _ op: AssignOp, _ value: Expr) {
        var root = target
        while true {
            if case let .member(base, _) = root.kind { root = base; continue }
            if case let .index(base, index) = root.kind {
                switch index.kind {
                case .range, .slice: error(.type, "a slice cannot be assigned to; assign its elements one by one", index.span)
                default: _ = expr(index)
                }
                root = base
                continue
            }
            break
        }
        let valueType = expr(value)
        guard case .name(let name) = root.kind else { return }
        guard let binding = lookup(name) else {
            if functionDepth > 0, notebookGlobals.contains(name) { return }
            let builtinNote = registry.builtin(name) != nil ? " (it is a built-in function)" : ""
            error(.unknownName, "unknown name '\(name)'\(builtinNote)", root.span,
                  suggestion: EditDistance.suggestion(for: name, among: visibleNames))
            return
        }
        if binding.constant {
            let what = functionDepth > 0 && binding.type == .unknown ? "constant (parameters and loop variables cannot change)" : "constant"
            error(.declaration, "cannot assign to '\(name)': it is a \(what)", root.span,
                  notes: binding.span.map { [DiagnosticNote("'\(name)' is declared here; use 'var' to allow changes", at: $0)] } ?? [])
            return
        }
        if case .name = target.kind {
            if op == .set {
                updateType(name, binding.type == valueType ? valueType : .unknown)
            } else {
                _ = arithmetic(BinaryOp(rawValue: String(op.rawValue.dropLast()))!, binding.type, valueType, target.span)
            }
        }
    }

    private func updateType(_ name: String, _ type: StaticType) {
        for i in scopes.indices.reversed() where scopes[i][name] != nil {
            scopes[i][name]!.type = type
            return
        }
    }

    private func expectBool(_ e: Expr, what: String) {
        let t = expr(e)
        if t != .unknown, t != .bool {
            error(.type, "\(what) must be a bool, got \(t.name)", e.span)
        }
    }

    // MARK: expressions

    @discardableResult
    private func expr(_ e: Expr) -> StaticType {
        switch e.kind {
        case .int: return .int
        case .float: return .float
        case .string: return .string
        case .bool: return .bool
        case .null: return .null
        case .name(let n):
            if let b = lookup(n) { return b.type }
            if registry.builtin(n) != nil { return .builtin(n) }
            if functionDepth > 0, notebookGlobals.contains(n) { return .unknown }
            error(.unknownName, "unknown name '\(n)'", e.span,
                  suggestion: EditDistance.suggestion(for: n, among: visibleNames + registry.names))
            return .unknown
        case .list(let items):
            for i in items { expr(i) }
            return .list
        case .record(let fields):
            var seen: [String: SourceSpan] = [:]
            for f in fields {
                if let first = seen[f.key] {
                    error(.declaration, "duplicate record key '\(f.key)'", f.keySpan,
                          notes: [DiagnosticNote("'\(f.key)' first appears here", at: first)])
                }
                seen[f.key] = f.keySpan
                expr(f.value)
            }
            return .record(fields.map(\.key))
        case let .unary(op, operand):
            let t = expr(operand)
            if op == .not {
                if t != .unknown, t != .bool { error(.type, "operand of 'not' must be a bool, got \(t.name)", e.span) }
                return .bool
            }
            switch t {
            case .int, .float, .unknown: return t
            case .host(let kind) where registry.hostKinds[kind]?.negates == true: return t
            default:
                error(.type, "cannot apply unary '-' to \(t.name)", e.span)
                return .unknown
            }
        case let .binary(op, lhs, rhs):
            if op == .and || op == .or {
                expectBool(lhs, what: "left operand of '\(op.rawValue)'")
                expectBool(rhs, what: "right operand of '\(op.rawValue)'")
                return .bool
            }
            let a = expr(lhs), b = expr(rhs)
            switch op {
            case .eq, .ne: return .bool
            case .lt, .le, .gt, .ge:
                for side in [a, b] {
                    if case .host(let kind) = side, registry.hostKinds[kind]?.arithmetic.contains(op) == true,
                       a.isNumber || b.isNumber || a == b || a == .unknown || b == .unknown { return side }
                }
                if a != .unknown, b != .unknown, !(a.isNumber && b.isNumber), !(a == .string && b == .string) {
                    error(.type, "cannot compare \(a.name) and \(b.name) with '\(op.rawValue)'", e.span)
                }
                return .bool
            default:
                return arithmetic(op, a, b, e.span)
            }
        case let .range(lo, hi, _):
            for bound in [lo, hi] {
                let t = expr(bound)
                if t != .unknown, t != .int { error(.type, "range bounds must be ints, got \(t.name)", bound.span) }
            }
            return .range
        case let .call(callee, args):
            return call(callee, args, e.span)
        case let .member(base, name):
            return member(expr(base), name, e.span, called: false)
        case let .index(base, index):
            let b = expr(base)
            var isSlice = false
            switch index.kind {
            case let .range(lo, hi, _):
                isSlice = true
                for bound in [lo, hi] { sliceBound(bound) }
            case let .slice(lo, hi, _):
                isSlice = true
                for bound in [lo, hi].compactMap({ $0 }) { sliceBound(bound) }
            default: break
            }
            let i = isSlice ? StaticType.range : expr(index)
            if i == .range {
                switch b {
                case .list, .string, .range, .unknown: return b
                case .host(let kind) where registry.hostKinds[kind]?.slices == true: return b
                default:
                    error(.type, "\(b.name) cannot be sliced", e.span)
                    return .unknown
                }
            }
            switch b {
            case .list, .string, .range:
                if i != .unknown, i != .int { error(.type, "\(b.name) index must be an int, got \(i.name)", index.span) }
                return b == .string ? .string : b == .range ? .int : .unknown
            case .record(let keys):
                if i != .unknown, i != .string { error(.type, "record key must be a string, got \(i.name)", index.span) }
                if let keys, case .string(let k) = index.kind, !keys.contains(k) {
                    error(.unknownName, "record has no key '\(k)'", index.span,
                          suggestion: EditDistance.suggestion(for: k, among: keys))
                }
                return .unknown
            case .host(let kind):
                guard let hk = registry.hostKinds[kind] else { return .unknown }
                guard let yields = hk.indexYields else {
                    error(.type, "\(kind) cannot be indexed", e.span)
                    return .unknown
                }
                return StaticType(yields)
            case .unknown: return .unknown
            default:
                error(.type, "\(b.name) cannot be indexed", e.span)
                return .unknown
            }
        case .function(let decl):
            function(decl)
            return .function(decl)
        case .slice:
            error(.syntax, "a range with an open end can only slice: xs[a...], xs[..<b]", e.span)
            return .unknown
        case .interpolation(let parts):
            for case let .value(x, format) in parts {
                expr(x)
                if let format {
                    let t = expr(format)
                    if t != .unknown, t != .string { error(.type, "an interpolation's format must be a string, got \(t.name)", format.span) }
                    if case .string(let spec) = format.kind {
                        do { _ = try FormatSpec(spec) } catch let bad as FormatSpec.Invalid {
                            error(.range, "format: \(bad.message)", format.span)
                        } catch {}
                    }
                }
            }
            return .string
        }
    }

    private func sliceBound(_ e: Expr) {
        let t = expr(e)
        if t != .unknown, t != .int { error(.type, "slice bounds must be ints, got \(t.name)", e.span) }
    }

    private func arithmetic(_ op: BinaryOp, _ a: StaticType, _ b: StaticType, _ span: SourceSpan) -> StaticType {
        if a == .unknown || b == .unknown {
            return (op == .add && (a == .string || b == .string)) ? .string : .unknown
        }
        if a == .int, b == .int { return .int }
        if a.isNumber, b.isNumber { return .float }
        if op == .add, a == .string || b == .string { return .string }
        if op == .add, a == .list, b == .list { return .list }
        for side in [a, b] {
            if case .host(let kind) = side, registry.hostKinds[kind]?.arithmetic.contains(op) == true,
               a.isNumber || b.isNumber || a == b {
                return side
            }
        }
        error(.type, "cannot apply '\(op.rawValue)' to \(a.name) and \(b.name)", span)
        return .unknown
    }

    private func member(_ base: StaticType, _ name: String, _ span: SourceSpan, called: Bool) -> StaticType {
        switch base {
        case .record(let keys):
            if name == "count", keys?.contains("count") != true { return .int }
            if let keys, !keys.contains(name) {
                error(.unknownName, "record has no key '\(name)'", span, suggestion: EditDistance.suggestion(for: name, among: keys))
            }
            return .unknown
        case .host(let kind):
            guard let hk = registry.hostKinds[kind] else { return .unknown }
            if let property = hk.properties.first(where: { $0.name == name }) {
                if called { error(.type, "'\(name)' is a property of \(kind), not a method; write .\(name) without '()'", span) }
                return StaticType(property.type)
            }
            if hk.methods.contains(where: { $0.name == name }) {
                if !called { error(.type, "'\(name)' is a method of \(kind); call it: .\(name)()", span) }
                return .unknown
            }
            error(.unknownName, "\(kind) has no \(called ? "method" : "property") '\(name)'", span,
                  suggestion: EditDistance.suggestion(for: name, among: hk.propertyNames + hk.methods.map(\.name)))
            return .unknown
        case .list, .string, .range:
            if name == "count" { return .int }
            if base == .list, name == "append" {
                if !called { error(.type, "'append' is a method of list; call it: .append(value)", span) }
                return .unknown
            }
            let members = base == .list ? ["count", "append"] : ["count"]
            error(.unknownName, "\(base.name) has no member '\(name)' (it has \(members.map { "'\($0)'" }.joined(separator: " and ")))", span,
                  suggestion: EditDistance.suggestion(for: name, among: members))
            return .unknown
        case .unknown:
            return .unknown
        default:
            error(.unknownName, "\(base.name) has no member '\(name)'", span)
            return .unknown
        }
    }

    // MARK: calls

    private func call(_ callee: Expr, _ args: [CallArgument], _ span: SourceSpan) -> StaticType {
        let argTypes = args.map { expr($0.value) }
        // Method call on a host value of known kind.
        if case let .member(baseExpr, name) = callee.kind {
            let base = expr(baseExpr)
            if case .host(let kind) = base, let hk = registry.hostKinds[kind] {
                if let sig = hk.methods.first(where: { $0.name == name }) {
                    checkArguments(sig, args, argTypes, span)
                    return sig.returns.map(StaticType.init) ?? .null
                }
                _ = member(base, name, callee.span, called: true)
                return .unknown
            }
            if base == .list, name == "append" {
                checkAppend(baseExpr, args, span)
                return .null
            }
            let t = member(base, name, callee.span, called: true)
            return callType(t, callee, args, argTypes, span)
        }
        return callType(expr(callee), callee, args, argTypes, span)
    }

    private func callType(_ t: StaticType, _ callee: Expr, _ args: [CallArgument], _ argTypes: [StaticType],
                          _ span: SourceSpan) -> StaticType {
        switch t {
        case .builtin(let name):
            guard let b = registry.builtin(name) else { return .unknown }
            checkArguments(b.signature, args, argTypes, span)
            return b.signature.returns.map(StaticType.init) ?? .null
        case .function(let decl?):
            checkUserCall(decl, args, span)
            return .unknown
        case .unknown, .function(nil):
            return .unknown
        default:
            error(.type, "\(t.name) is not a function and cannot be called", callee.span)
            return .unknown
        }
    }

    private func checkArguments(_ sig: BuiltinSignature, _ args: [CallArgument], _ types: [StaticType], _ span: SourceSpan) {
        let m = ArgumentBinder.match(sig, labels: args.map(\.label))
        for p in m.problems {
            var at = span
            if let i = p.argument { at = p.atLabel ? (args[i].labelSpan ?? args[i].value.span) : args[i].value.span }
            error(p.kind, p.message, at, suggestion: p.suggestion)
        }
        for (i, p) in m.parameterForArgument.enumerated() {
            guard let p else { continue }
            let param = sig.parameters[p]
            if let literal = Checker.constant(args[i].value) {
                if let problem = ArgumentBinder.check(literal, for: param, of: sig.name) {
                    error(problem.kind, problem.message, args[i].value.span, suggestion: problem.suggestion)
                }
            } else if types[i] == .null, param.defaultValue?.isNil == true {
                continue
            } else if types[i].fits(param.type) == false {
                error(.type, "argument '\(param.name)' of \(sig.name) must be \(param.type), got \(types[i].name)", args[i].value.span)
            } else if let n = param.calledWith {
                checkArity(types[i], calledWith: n, by: sig.name, args[i].value.span)
            }
        }
    }

    /// A function argument that a built-in calls with `n` arguments: a user
    /// function or built-in whose arity is known must accept that many
    /// (the message is `CallContext.call`'s, which checks it again at run time).
    private func checkArity(_ t: StaticType, calledWith n: Int, by builtin: String, _ span: SourceSpan) {
        let f: Function
        switch t {
        case .function(let decl?): f = Function(.user(decl, Scope(parent: nil)))
        case .builtin(let name): guard let b = registry.builtin(name) else { return }; f = Function(.builtin(b))
        default: return
        }
        if let message = CallContext.arityProblem(f, n, by: builtin) { error(.argument, message, span) }
    }

    /// `xs.append(v)`: one unlabeled value, on a list held by a `var`.
    private func checkAppend(_ target: Expr, _ args: [CallArgument], _ span: SourceSpan) {
        if args.count != 1 || args[0].label != nil {
            error(.argument, "append takes one value: xs.append(v)", span)
        }
        var root = target
        while true {
            if case let .member(base, _) = root.kind { root = base; continue }
            if case let .index(base, _) = root.kind { root = base; continue }
            break
        }
        guard case .name(let name) = root.kind else {
            error(.runtime, "cannot append to a temporary list; bind it with 'var' first", target.span)
            return
        }
        if let binding = lookup(name), binding.constant {
            let what = functionDepth > 0 && binding.type == .unknown ? "constant (parameters and loop variables cannot change)" : "constant"
            error(.declaration, "cannot append to '\(name)': it is a \(what)", root.span,
                  notes: binding.span.map { [DiagnosticNote("'\(name)' is declared here; use 'var' to allow changes", at: $0)] } ?? [])
        }
    }

    private func checkUserCall(_ decl: FunctionDecl, _ args: [CallArgument], _ span: SourceSpan) {
        let name = decl.name ?? "function"
        var filled = Set<String>()
        var next = 0
        for a in args {
            if let label = a.label {
                if !decl.parameters.contains(where: { $0.name == label }) {
                    error(.argument, "unknown argument '\(label)' in call to \(name)", a.labelSpan,
                          suggestion: EditDistance.suggestion(for: label, among: decl.parameters.map(\.name)))
                } else if filled.contains(label) {
                    error(.argument, "argument '\(label)' is given twice", a.labelSpan)
                }
                filled.insert(label)
            } else {
                if next >= decl.parameters.count {
                    error(.argument, "too many arguments to \(name): it takes \(decl.parameters.count)", a.value.span)
                } else {
                    filled.insert(decl.parameters[next].name)
                }
                next += 1
            }
        }
        for p in decl.parameters where p.defaultValue == nil && !filled.contains(p.name) {
            error(.argument, "missing argument '\(p.name)' in call to \(name)", span)
        }
    }

    /// The value of a literal expression (numbers, strings, bools, nil, lists and records of them).
    public static func constant(_ e: Expr) -> Value? {
        switch e.kind {
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .unary(.negate, let x):
            if case .int(let i) = x.kind, i != Int.min { return .int(-i) }
            if case .float(let f) = x.kind { return .float(-f) }
            return nil
        case .list(let xs):
            var out: [Value] = []
            for x in xs { guard let v = constant(x) else { return nil }; out.append(v) }
            return .list(out)
        case .record(let fs):
            var r = Record()
            for f in fs { guard let v = constant(f.value) else { return nil }; r[f.key] = v }
            return .record(r)
        default: return nil
        }
    }
}
