// CallContext: what a built-in's implementation may touch — the session's
// output, progress and interrupt flag, its random streams, its metrics and
// the call site (for messages). Built-ins reach the outside world only
// through this.

import TensorEngine

public final class CallContext {
    public unowned let session: Session
    /// The call expression's span (callee name).
    public let span: SourceSpan

    init(session: Session, span: SourceSpan) {
        self.session = session
        self.span = span
    }

    /// Writes printed output (goes to the cell's output and the host's sink).
    public func write(_ text: String) { session.emit(text) }

    /// The next random stream of `consumer` (see `RandomKeys`: keyed by the
    /// consumer and its count since the last `seed`, never by the text).
    public func randomStream(_ consumer: String) -> RandomStream {
        session.randomKeys.stream(consumer: consumer)
    }

    /// True once the user asked to stop (Ctrl-C); long built-ins check it at safe points.
    public var isInterrupted: Bool { session.interrupt.isRequested }

    /// A progress line for long work (training, evaluation, data generation).
    public func progress(_ title: String, total: Int) -> ProgressHandle {
        ProgressHandle(reporter: session.options.progress, title: title, total: total)
    }

    /// A path as the notebook means it: relative paths are relative to the
    /// session's working directory.
    public func resolvePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let base = session.options.workingDirectory, !base.isEmpty else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// The largest tensor (in elements) a built-in may create in this session.
    public var maxTensorElements: Int { session.options.maxTensorElements }
}
