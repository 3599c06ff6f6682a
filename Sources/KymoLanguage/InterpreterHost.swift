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

/// What a built-in's implementation may touch: its host and the call site.
public final class CallContext {
    public unowned let host: any InterpreterHost
    /// The call expression's span (callee name), for messages.
    public let span: SourceSpan

    public init(host: any InterpreterHost, span: SourceSpan) {
        self.host = host
        self.span = span
    }

    /// Writes printed output.
    public func write(_ text: String) { host.write(text) }

    /// True once the user asked to stop; long built-ins check it at safe points.
    public var isInterrupted: Bool { host.isInterruptRequested }

    /// The most elements a value built by this call may have.
    public var maxElements: Int { host.maxElements }
}
