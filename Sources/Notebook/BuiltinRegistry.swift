// BuiltinRegistry: the built-ins one session can call — every signature of
// `BuiltinCatalog`, each with the implementation `Bindings.table` gives it
// (or none yet). A host can bind or rebind one at run time with `bind`.

public final class BuiltinRegistry {
    private var builtins: [String: Builtin] = [:]
    private var values: [String: Function] = [:]
    /// Names in catalog order (completion, `:help`, suggestions).
    public private(set) var names: [String] = []

    public init() {
        for signature in BuiltinCatalog.functions {
            let b = Builtin(signature, Bindings.table[signature.name])
            builtins[signature.name] = b
            values[signature.name] = Function(.builtin(b))
            names.append(signature.name)
        }
    }

    public func builtin(_ name: String) -> Builtin? { builtins[name] }

    /// Binds (or replaces) the implementation of a declared built-in.
    public func bind(_ name: String, _ implementation: @escaping BuiltinImplementation) {
        precondition(builtins[name] != nil, "bind: '\(name)' is not declared in BuiltinCatalog")
        builtins[name]!.implementation = implementation
    }

    /// Names declared but not bound (what fails with "not available yet").
    public var unavailable: [String] { names.filter { builtins[$0]?.implementation == nil } }

    func functionValue(_ name: String) -> Function? { values[name] }
}
