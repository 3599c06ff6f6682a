// Scope: the run-time environment, a chain of name → binding tables. The
// global scope of a session also remembers the order names were first bound
// (`:vars`, records) and which names the current cell touched.

public struct Binding {
    public var value: Value
    public var constant: Bool
    public var span: SourceSpan?
}

public final class Scope {
    private(set) var bindings: [String: Binding] = [:]
    public let parent: Scope?
    /// Names in the order they were first bound (kept for the global scope).
    public private(set) var order: [String] = []
    /// Names declared or assigned since `resetTouched()`, first-touch order.
    public private(set) var touched: [String] = []

    public init(parent: Scope?) {
        self.parent = parent
    }

    public func lookup(_ name: String) -> Binding? {
        var scope: Scope? = self
        while let s = scope {
            if let b = s.bindings[name] { return b }
            scope = s.parent
        }
        return nil
    }

    /// The scope in the chain that holds `name`.
    public func owner(of name: String) -> Scope? {
        var scope: Scope? = self
        while let s = scope {
            if s.bindings[name] != nil { return s }
            scope = s.parent
        }
        return nil
    }

    public func declare(_ name: String, _ binding: Binding) {
        if bindings[name] == nil { order.append(name) }
        bindings[name] = binding
        touch(name)
    }

    public func update(_ name: String, _ value: Value) {
        bindings[name]?.value = value
        touch(name)
    }

    private func touch(_ name: String) {
        if parent == nil, !touched.contains(name) { touched.append(name) }
    }

    public func resetTouched() { touched = [] }

    /// All names visible from here (innermost first, no duplicates).
    public var visibleNames: [String] {
        var seen = Set<String>(), names: [String] = []
        var scope: Scope? = self
        while let s = scope {
            for n in s.order where !seen.contains(n) { seen.insert(n); names.append(n) }
            scope = s.parent
        }
        return names
    }
}
