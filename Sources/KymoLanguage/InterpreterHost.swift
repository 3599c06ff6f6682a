// InterpreterHost: everything the interpreter needs from whoever runs it —
// the interrupt flag, the limits on values a statement may build, and where
// printed output goes — and CallContext, what a built-in's implementation is
// handed: the host and the call site. The language knows nothing else of its
// host; Notebook's `Session` is the one host Kymo ships, and its built-ins
// reach the session through `CallContext.host`.

/// The host the interpreter runs in.
public protocol InterpreterHost: AnyObject {
    /// True once the user asked to stop (Ctrl-C, a kernel interrupt, a
    /// signal); checked between statements, at every loop iteration and call.
    var isInterruptRequested: Bool { get }
    /// The most elements a list or tensor built by one operation may have.
    var maxElements: Int { get }
    /// Printed output (`print`, tables).
    func write(_ text: String)
}

/// Who calls a function value for a built-in (the interpreter): with the
/// same step limit, interrupt checks and stack checks as any call.
public protocol FunctionCaller: AnyObject {
    func callFunction(_ f: Function, _ arguments: [Value], at span: SourceSpan) throws -> Value
}

/// What a built-in's implementation may touch: its host, the call site, and
/// a way to call function values (higher-order built-ins: `map`, `filter`, …).
public final class CallContext {
    public unowned let host: any InterpreterHost
    /// The call expression's span (callee name), for messages.
    public let span: SourceSpan
    private weak var caller: (any FunctionCaller)?

    public init(host: any InterpreterHost, span: SourceSpan, caller: (any FunctionCaller)? = nil) {
        self.host = host
        self.span = span
        self.caller = caller
    }

    /// Calls `f` with positional `arguments` on behalf of the built-in `by`
    /// (named in the message when `f` cannot take that many arguments).
    /// Errors inside `f` keep their own location.
    public func call(_ f: Function, _ arguments: [Value], by builtin: String) throws -> Value {
        if let message = CallContext.arityProblem(f, arguments.count, by: builtin) {
            throw BuiltinError(message, kind: .argument)
        }
        guard let caller else { throw BuiltinError("\(builtin): functions cannot be called here") }
        return try caller.callFunction(f, arguments, at: span)
    }

    /// Why `f` cannot be called with `count` positional arguments, or nil.
    public static func arityProblem(_ f: Function, _ count: Int, by builtin: String) -> String? {
        let (least, most) = f.arity
        guard count < least || most.map({ count > $0 }) == true else { return nil }
        let takes = most == least ? "\(least)" : most.map { "\(least) to \($0)" } ?? "at least \(least)"
        let plural = most == 1 && least == 1 ? "" : "s"
        return "\(builtin): the function \(f.name) takes \(takes) argument\(plural), but \(builtin) passes \(count)"
    }

    /// Writes printed output.
    public func write(_ text: String) { host.write(text) }

    /// True once the user asked to stop; long built-ins check it at safe points.
    public var isInterrupted: Bool { host.isInterruptRequested }

    /// The most elements a value built by this call may have.
    public var maxElements: Int { host.maxElements }
}
