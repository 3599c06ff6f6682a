// BuiltinRegistry: the built-ins one session can call and the kinds of host
// value it knows — what the host declared (Notebook's `BuiltinCatalog`). The
// checker takes its types from here, the interpreter its functions,
// completion and `:help` their names and signatures. A host can rebind a
// declared built-in for its sessions with `bind` (tests, recording hosts).

public final class BuiltinRegistry {
    private var builtins: [String: Builtin] = [:]
    private var values: [String: Function] = [:]
    /// Names in declaration order (completion, `:help`, suggestions).
    public private(set) var names: [String] = []
    /// Properties, methods and indexing of each kind of host value, by kind name.
    public let hostKinds: [String: HostKind]

    public init(functions: [BuiltinDeclaration], hostKinds: [String: HostKind]) {
        self.hostKinds = hostKinds
        for d in functions {
            precondition(builtins[d.name] == nil, "built-in '\(d.name)' is declared twice")
            let b = Builtin(d.signature, d.implementation)
            builtins[d.name] = b
            values[d.name] = Function(.builtin(b))
            names.append(d.name)
        }
    }

    public func builtin(_ name: String) -> Builtin? { builtins[name] }

    /// Replaces the implementation of a declared built-in.
    public func bind(_ name: String, _ implementation: @escaping BuiltinImplementation) {
        guard let b = builtins[name] else { preconditionFailure("bind: '\(name)' is not a declared built-in") }
        b.implementation = implementation
    }

    public func functionValue(_ name: String) -> Function? { values[name] }
}

/// A property of a host kind and the type of its value.
public struct HostProperty: Sendable {
    public var name: String
    public var type: ParamType
    public init(_ name: String, _ type: ParamType) { self.name = name; self.type = type }
}

/// What the checker, completion and `:help` know of one kind of host value.
public struct HostKind: Sendable {
    public var properties: [HostProperty]
    public var methods: [BuiltinSignature]
    /// What `value[i]` yields; nil: the kind cannot be indexed.
    public var indexYields: ParamType?
    /// The operators the kind defines with numbers and with itself, giving a
    /// value of the kind (`HostObject.arithmetic` computes them).
    public var arithmetic: Set<BinaryOp>
    /// Whether `-x` is defined (`HostObject.negated`).
    public var negates: Bool
    /// Whether `x[a..<b]` slices it (a value of the same kind; `HostObject.sliceLength`).
    public var slices: Bool

    public init(properties: [HostProperty], methods: [BuiltinSignature], indexYields: ParamType?,
                arithmetic: Set<BinaryOp> = [], negates: Bool = false, slices: Bool = false) {
        self.slices = slices
        self.properties = properties
        self.methods = methods
        self.indexYields = indexYields
        self.arithmetic = arithmetic
        self.negates = negates
    }

    public var propertyNames: [String] { properties.map(\.name) }
}
