// Builtins: how a built-in is described and called. A `BuiltinSignature`
// (name, parameters with labels, types, defaults, ranges, choices, a line of
// doc) is data: the checker checks calls against it statically, the binder
// checks them again at run time, `:help` prints it, completion lists it.
// An implementation is a closure from bound arguments to a value.
// Deliberately not: overloading, variadic named arguments.

/// The type a parameter accepts. `float` accepts ints (converted).
public indirect enum ParamType: Equatable, Sendable, CustomStringConvertible {
    case any, int, float, string, bool, list, record, function, range
    /// A list of ints such as a shape `[2, 3]`.
    case intList
    /// A host value of the given kind: "tensor", "model", "dataset", "history", "figure".
    case host(String)
    /// Either of several types.
    case either([ParamType])

    public var description: String {
        switch self {
        case .any: return "any value"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .bool: return "bool"
        case .list: return "list"
        case .record: return "record"
        case .function: return "function"
        case .range: return "range"
        case .intList: return "list of ints"
        case .host(let k): return k
        case .either(let ts): return ts.map(\.description).joined(separator: " or ")
        }
    }

    /// Whether `value` is acceptable (before conversion).
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): return true
        case (.int, .int): return true
        case (.float, .int), (.float, .float): return true
        case (.string, .string), (.bool, .bool), (.list, .list), (.record, .record), (.function, .function), (.range, .range): return true
        case (.intList, .list(let xs)): return xs.allSatisfy { if case .int = $0 { return true }; return false }
        case (.host(let k), .host(let h)): return h.kindName == k
        case (.either(let ts), _): return ts.contains { $0.accepts(value) }
        default: return false
        }
    }
}

/// Bounds on a numeric argument.
public struct ValueRange: Equatable, Sendable, CustomStringConvertible {
    public var lower: Double?
    public var upper: Double?
    /// True when the lower bound itself is excluded (`lr > 0`).
    public var lowerOpen: Bool

    public static func atLeast(_ x: Double) -> ValueRange { ValueRange(lower: x, upper: nil, lowerOpen: false) }
    public static func above(_ x: Double) -> ValueRange { ValueRange(lower: x, upper: nil, lowerOpen: true) }
    public static func within(_ a: Double, _ b: Double) -> ValueRange { ValueRange(lower: a, upper: b, lowerOpen: false) }

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerOpen ? !(x > lower) : !(x >= lower) { return false }
        if let upper, !(x <= upper) { return false }
        return true
    }

    public var description: String {
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        switch (lower, upper) {
        case let (l?, u?): return "between \(f(l)) and \(f(u))"
        case let (l?, nil): return lowerOpen ? "greater than \(f(l))" : "at least \(f(l))"
        case let (nil, u?): return "at most \(f(u))"
        default: return "any number"
        }
    }
}

/// One parameter of a built-in.
public struct BuiltinParameter: Sendable {
    /// The parameter's name (docs, messages, `BoundArguments` keys).
    public var name: String
    /// True when the call names it (`steps: 10`); false for positional ones.
    public var labeled: Bool
    public var type: ParamType
    /// The default, or nil for a required parameter (`.null` for "optional, absent").
    public var defaultValue: Value?
    public var range: ValueRange?
    public var choices: [String]?
    public var doc: String
    /// For a function parameter: how many arguments the built-in calls it
    /// with (the checker checks a known function's arity against it).
    public var calledWith: Int? = nil

    public var isRequired: Bool { defaultValue == nil }

    /// The same parameter, declared as a function called with `n` arguments.
    public func calling(_ n: Int) -> BuiltinParameter {
        var p = self
        p.calledWith = n
        return p
    }

    public static func positional(_ name: String, _ type: ParamType, default d: Value? = nil, doc: String = "") -> BuiltinParameter {
        BuiltinParameter(name: name, labeled: false, type: type, defaultValue: d, range: nil, choices: nil, doc: doc)
    }

    public static func named(_ name: String, _ type: ParamType, default d: Value? = nil, range: ValueRange? = nil,
                             choices: [String]? = nil, doc: String = "") -> BuiltinParameter {
        BuiltinParameter(name: name, labeled: true, type: type, defaultValue: d, range: range, choices: choices, doc: doc)
    }
}

// Unchecked because of `.host` and `.function` (references). What is shared
// across threads are signatures' default values, static constants of plain
// data (numbers, strings, lists); host values and functions never leave the
// thread that runs their session.
extension Value: @unchecked Sendable {}

/// What a built-in is: its name, parameters, result and documentation.
public struct BuiltinSignature: Sendable {
    public var name: String
    public var parameters: [BuiltinParameter]
    /// Accepts any number of extra positional arguments of any type (`print`).
    public var variadic: Bool
    /// The host kind or type of the result, when known (for static checks).
    public var returns: ParamType?
    public var doc: String

    public init(_ name: String, _ parameters: [BuiltinParameter] = [], variadic: Bool = false,
                returns: ParamType? = nil, doc: String) {
        self.name = name
        self.parameters = parameters
        self.variadic = variadic
        self.returns = returns
        self.doc = doc
    }

    public var positional: [BuiltinParameter] { parameters.filter { !$0.labeled } }
    public var labels: [String] { parameters.filter(\.labeled).map(\.name) }

    /// `train(model, ds, steps: int, batch: int, lr: float, optimizer: "adam", …) → history`
    public var usage: String {
        let ps = parameters.map { p -> String in
            let head = p.labeled ? "\(p.name): " : "\(p.name)"
            let type = p.choices.map { $0.map { "\"\($0)\"" }.joined(separator: "|") } ?? p.type.description
            if let d = p.defaultValue {
                let shown = d.isNil ? "nil" : ValueFormatter.inline(d)
                return p.labeled ? "\(head)\(shown)" : "\(head) = \(shown)"
            }
            return p.labeled ? "\(head)\(type)" : "\(head)"
        }
        return "\(name)(\((ps + (variadic ? ["…"] : [])).joined(separator: ", ")))" + (returns.map { " → \($0)" } ?? "")
    }
}

/// The implementation of a built-in or method.
public typealias BuiltinImplementation = (BoundArguments, CallContext) throws -> Value

/// A built-in function as `BuiltinCatalog` declares it: the signature and the
/// implementation, side by side in one entry.
public struct BuiltinDeclaration {
    public let signature: BuiltinSignature
    public let implementation: BuiltinImplementation

    public init(_ name: String, _ parameters: [BuiltinParameter] = [], variadic: Bool = false,
                returns: ParamType? = nil, doc: String, run: @escaping BuiltinImplementation) {
        signature = BuiltinSignature(name, parameters, variadic: variadic, returns: returns, doc: doc)
        implementation = run
    }

    public var name: String { signature.name }
}

/// A built-in: signature plus implementation.
public final class Builtin {
    public let signature: BuiltinSignature
    public var implementation: BuiltinImplementation

    public init(_ signature: BuiltinSignature, _ implementation: @escaping BuiltinImplementation) {
        self.signature = signature
        self.implementation = implementation
    }
}

/// Arguments after binding: every parameter by name (defaults filled in),
/// plus extra positional values for variadic built-ins.
public struct BoundArguments {
    public let function: String
    public private(set) var values: [String: Value] = [:]
    public private(set) var extra: [Value] = []
    /// Names the call spelled out (the rest are defaults).
    public private(set) var given: Set<String> = []

    public init(function: String) { self.function = function }

    public mutating func set(_ name: String, _ value: Value, given isGiven: Bool) {
        values[name] = value
        if isGiven { given.insert(name) }
    }

    public mutating func appendExtra(_ value: Value) { extra.append(value) }

    public subscript(name: String) -> Value { values[name] ?? .null }

    public func int(_ name: String) throws -> Int {
        guard case .int(let i) = self[name] else { throw mismatch(name, "int") }
        return i
    }

    public func double(_ name: String) throws -> Double {
        guard let d = self[name].numberValue else { throw mismatch(name, "float") }
        return d
    }

    public func string(_ name: String) throws -> String {
        guard case .string(let s) = self[name] else { throw mismatch(name, "string") }
        return s
    }

    /// A string argument whose default is nil (absent or `nil`).
    public func optionalString(_ name: String) throws -> String? {
        if case .null = self[name] { return nil }
        return try string(name)
    }

    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let b) = self[name] else { throw mismatch(name, "bool") }
        return b
    }

    public func intList(_ name: String) throws -> [Int] {
        guard case .list(let xs) = self[name] else { throw mismatch(name, "list of ints") }
        return try xs.map { v -> Int in
            guard case .int(let i) = v else { throw mismatch(name, "list of ints") }
            return i
        }
    }

    public func host<T: HostObject>(_ name: String, as type: T.Type) throws -> T {
        guard case .host(let h) = self[name], let t = h as? T else { throw mismatch(name, String(describing: T.self)) }
        return t
    }

    public func isGiven(_ name: String) -> Bool { given.contains(name) }

    private func mismatch(_ name: String, _ expected: String) -> BuiltinError {
        BuiltinError("argument '\(name)' of \(function) must be \(expected), got \(self[name].typeName)", kind: .type)
    }
}
