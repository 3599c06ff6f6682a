// Diagnostics: the one message format of Kymo, for every stage.
//
//     nb.kymo:3:21: error: unknown argument 'step'; did you mean 'steps'?
//     let h = train(m, d, step: 10)
//                         ^~~~
//     nb.kymo:1:5: note: ...
//
// A diagnostic is data (kind, span, message, suggestion, notes); the wording
// is assembled only when it is rendered. Scanner, parser and checker collect
// them; the interpreter throws one (a `Diagnostic` is an `Error`).
// Deliberately not: warnings levels, fix-its, colour.

/// What went wrong, as data (tests and tools match on this, not on wording).
public enum DiagnosticKind: String, Sendable, CaseIterable {
    case syntax          // the scanner or parser could not read the text
    case unknownName     // a name that is not declared
    case argument        // labels, arity, missing or duplicate arguments
    case type            // a value of the wrong type (statically or at run time)
    case range           // a value outside its valid range or set of choices
    case declaration     // redeclaration, assignment to a constant, misplaced return
    case runtime         // any other error while running
    case unavailable     // something the host does not provide (e.g. saving figures without a renderer)
    case interrupted     // Ctrl-C stopped the cell
    case limit           // the step, depth or size limit of a session
    case override        // a bad `--set key=value`
}

/// A secondary message pointing somewhere else (often where a bracket opened).
public struct DiagnosticNote: Equatable, Sendable {
    public var message: String
    public var span: SourceSpan?

    public init(_ message: String, at span: SourceSpan?) {
        self.message = message
        self.span = span
    }
}

/// One error with its location; also thrown by the interpreter.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public var kind: DiagnosticKind
    public var message: String
    public var span: SourceSpan?
    /// The nearest valid spelling, shown as "; did you mean 'x'?".
    public var suggestion: String?
    public var notes: [DiagnosticNote]

    public init(_ kind: DiagnosticKind, _ message: String, at span: SourceSpan?,
                suggestion: String? = nil, notes: [DiagnosticNote] = []) {
        self.kind = kind
        self.message = message
        self.span = span
        self.suggestion = suggestion
        self.notes = notes
    }

    /// The headline without location: message plus suggestion.
    public var text: String {
        suggestion.map { "\(message); did you mean '\($0)'?" } ?? message
    }

    /// `file:line:col: error: text` (one line, no source excerpt).
    public var headline: String {
        (span.map { "\($0.position): " } ?? "") + "error: " + text
    }

    public var description: String { DiagnosticFormatter.render(self) }
}

/// Renders diagnostics: headline, the source line, a caret line, then notes.
public enum DiagnosticFormatter {
    public static func render(_ d: Diagnostic) -> String {
        var out = d.headline + "\n"
        if let span = d.span { out += excerpt(span) }
        for note in d.notes {
            out += (note.span.map { "\($0.position): " } ?? "") + "note: " + note.message + "\n"
            if let span = note.span { out += excerpt(span) }
        }
        return out
    }

    public static func render(_ ds: [Diagnostic]) -> String {
        ds.map(render).joined()
    }

    /// The widest source excerpt shown; a longer line is cut around the span, with `…` for what is left out.
    public static let excerptWidth = 160

    /// The source line and a caret under the span (tabs kept so columns align).
    /// A line longer than `excerptWidth` is cut to a window around the span,
    /// and the caret's `~` run is cut with it.
    public static func excerpt(_ span: SourceSpan) -> String {
        let line = span.file.line(span.start.line)
        guard !line.isEmpty || span.start.column == 1 else { return "" }
        let scalars = Array(line.unicodeScalars)
        // The window [from, to) of scalars shown (0-based), and the span's column inside it.
        var from = 0, to = scalars.count
        if scalars.count > excerptWidth {
            from = max(0, min(span.start.column - 1 - excerptWidth / 3, scalars.count - excerptWidth))
            to = min(scalars.count, from + excerptWidth)
        }
        var shown = String(String.UnicodeScalarView(scalars[from..<to]))
        var caret = from > 0 ? " " : ""
        if from > 0 { shown = "…" + shown }
        if to < scalars.count { shown += "…" }
        var column = from + 1
        for scalar in scalars[from..<to] {
            if column >= span.start.column { break }
            caret.append(scalar == "\t" ? "\t" : " ")
            column += 1
        }
        let available = max(1, to - span.start.column + 1)
        let width = min(span.length, available)
        caret += "^" + String(repeating: "~", count: max(0, width - 1))
        return shown + "\n" + caret + "\n"
    }
}
