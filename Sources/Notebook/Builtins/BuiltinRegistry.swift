// BuiltinRegistry: the built-ins one session can call — every declaration of
// `BuiltinCatalog` (signature and implementation). A host can rebind one for
// its sessions with `bind`; one whose implementation is removed fails with
// "not available yet".

public final class BuiltinRegistry {
    private var builtins: [String: Builtin] = [:]
    private var values: [String: Function] = [:]
    /// Names in catalog order (completion, `:help`, suggestions).
    public private(set) var names: [String] = []

    public init() {
        for d in BuiltinCatalog.functions {
            let b = Builtin(d.signature, d.implementation)
            builtins[d.name] = b
            values[d.name] = Function(.builtin(b))
            names.append(d.name)
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
