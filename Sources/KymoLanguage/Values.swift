// Values: everything a Kymo expression can evaluate to. Lists and records
// have value semantics (assigning one copies it, as in Swift); functions and
// host values (tensors, models, datasets, histories, figures) are references.
// Records keep their keys in insertion order, always. `r.count` is the
// number of keys unless the record has a key named "count".
// Deliberately not: user-defined types, integer widths other than 64 bits,
// implicit conversions other than int → float in arithmetic.

/// The cases whose payload is wider than 8 bytes are `indirect`, so a Value
/// (a list element) takes 16 bytes, not 24 (docs/language.md, "Memory").
public enum Value {
    case int(Int)
    case float(Double)
    indirect case string(String)
    case bool(Bool)
    case null
    case list([Value])
    indirect case record(Record)
    /// The half-open range `lower..<upper` (a closed `a...b` is stored as `a..<b+1`).
    indirect case range(Int, Int)
    case function(Function)
    indirect case host(HostObject)

    /// The name of the value's type as messages show it.
    public var typeName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .bool: return "bool"
        case .null: return "nil"
        case .list: return "list"
        case .record: return "record"
        case .range: return "range"
        case .function: return "function"
        case .host(let h): return h.kindName
        }
    }

    /// The number as a Double, for int and float values.
    public var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let f): return f
        default: return nil
        }
    }

    public var isNil: Bool { if case .null = self { return true }; return false }
}

/// A record: string keys in insertion order, each with a value.
public struct Record {
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []

    public init() {}

    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var pairs: Zip2Sequence<[String], [Value]> { zip(keys, values) }

    public subscript(key: String) -> Value? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }
}

/// A callable value: a user function (a closure over the scope it was
/// declared in) or a built-in.
public final class Function {
    public enum Body {
        case user(FunctionDecl, Scope)
        case builtin(Builtin)
    }

    public let body: Body

    public init(_ body: Body) {
        self.body = body
    }

    /// The function's name (`<anonymous>` for `fn(x) { … }` expressions).
    public var name: String {
        switch body {
        case .user(let decl, _): return decl.name ?? "<anonymous>"
        case .builtin(let b): return b.signature.name
        }
    }

    public var isBuiltin: Bool { if case .builtin = body { return true }; return false }

    /// How many positional arguments a call may pass: (required, at most; nil: any number).
    public var arity: (Int, Int?) {
        switch body {
        case .user(let decl, _):
            return (decl.parameters.filter { $0.defaultValue == nil }.count, decl.parameters.count)
        case .builtin(let b):
            let positional = b.signature.positional
            return (positional.filter(\.isRequired).count, b.signature.variadic ? nil : positional.count)
        }
    }
}

/// A value the host owns (a tensor, model, dataset, history, figure). The
/// language reaches it only through this protocol.
public protocol HostObject: AnyObject {
    /// The type name in messages and `:vars`: "tensor", "model", …
    var kindName: String { get }
    /// Property names (`t.shape`), for completion and "did you mean".
    var propertyNames: [String] { get }
    /// The value of a property, or nil if there is none of that name.
    func property(_ name: String) throws -> Value?
    /// Methods callable as `x.name(…)`, with signatures that calls are checked against.
    var methods: [Builtin] { get }
    /// `x[i]`; throw `BuiltinError` when the value cannot be indexed. A slice
    /// arrives as `.range(lo, hi)` with `0 <= lo <= hi <= sliceLength`
    /// (the interpreter resolves negative and open bounds).
    func element(at index: Value) throws -> Value
    /// The length along the first axis that slices `x[a..<b]` count in; nil:
    /// the kind cannot be sliced.
    var sliceLength: Int? { get }
    /// A readable multi-line description (the REPL and `print` show it).
    func describe(indent: Int) -> String
    /// `-x`; nil when the kind has no negation.
    func negated() throws -> Value?
    /// `x op other` (`other op x` when `reversed`) for `+ - * / %` and the
    /// orderings `< <= > >=` (a kind may answer them with a mask); nil when
    /// the kind does not define `op` with that operand. The result may have
    /// at most `limit` elements.
    func arithmetic(_ op: BinaryOp, _ other: Value, reversed: Bool, limit: Int) throws -> Value?
    /// Why `==` is refused on this kind, or nil to compare by identity.
    var equalityRefusal: String? { get }
}

extension HostObject {
    public var propertyNames: [String] { [] }
    public func property(_ name: String) throws -> Value? { nil }
    public var methods: [Builtin] { [] }
    public func element(at index: Value) throws -> Value {
        throw BuiltinError("a \(kindName) cannot be indexed")
    }
    public var sliceLength: Int? { nil }
    public func method(named name: String) -> Builtin? { methods.first { $0.signature.name == name } }
    public func negated() throws -> Value? { nil }
    public func arithmetic(_ op: BinaryOp, _ other: Value, reversed: Bool, limit: Int) throws -> Value? { nil }
    public var equalityRefusal: String? { nil }
}

/// An error a built-in raises; the interpreter adds the call's location.
public struct BuiltinError: Error, CustomStringConvertible {
    public var kind: DiagnosticKind
    public var message: String
    public var suggestion: String?

    public init(_ message: String, kind: DiagnosticKind = .runtime, suggestion: String? = nil) {
        self.kind = kind
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String { suggestion.map { "\(message); did you mean '\($0)'?" } ?? message }
}

// MARK: equality

extension Value {
    /// Structural equality (numbers compare across int and float; functions
    /// and host values by identity; values of different types are unequal).
    public func isEqual(to other: Value) -> Bool {
        var budget = Int.max
        return isEqual(to: other, budget: &budget) ?? false
    }

    /// Structural equality visiting at most `budget` values; nil when the budget runs out.
    public func isEqual(to other: Value, budget: inout Int) -> Bool? {
        budget -= 1
        if budget < 0 { return nil }
        switch (self, other) {
        case let (.int(a), .int(b)): return a == b
        case let (.int(a), .float(b)): return Double(a) == b
        case let (.float(a), .int(b)): return a == Double(b)
        case let (.float(a), .float(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        case let (.list(a), .list(b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) {
                guard let e = x.isEqual(to: y, budget: &budget) else { return nil }
                if !e { return false }
            }
            return true
        case let (.record(a), .record(b)):
            guard a.keys == b.keys else { return false }
            for (x, y) in zip(a.values, b.values) {
                guard let e = x.isEqual(to: y, budget: &budget) else { return nil }
                if !e { return false }
            }
            return true
        case let (.range(a0, a1), .range(b0, b1)): return a0 == b0 && a1 == b1
        case let (.function(a), .function(b)): return a === b
        case let (.host(a), .host(b)): return a === b
        default: return false
        }
    }
}
