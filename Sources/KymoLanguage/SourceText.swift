// SourceText: a notebook's text with line access, and the positions that every
// token, AST node and diagnostic carries. Lines and columns are 1-based;
// columns count Unicode scalars (what a caret under the line needs).
// Deliberately not: a rope or an incremental text model.

/// A position in a source file.
public struct SourceLocation: Equatable, Comparable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A source range: the file, where it starts, and how many columns the caret
/// line underlines.
public struct SourceSpan: Equatable, Sendable {
    public var file: SourceFile
    public var start: SourceLocation
    /// Width in columns on the start line (at least 1).
    public var length: Int

    public init(_ file: SourceFile, _ start: SourceLocation, length: Int = 1) {
        self.file = file
        self.start = start
        self.length = max(1, length)
    }

    public static func == (a: SourceSpan, b: SourceSpan) -> Bool {
        a.file === b.file && a.start == b.start && a.length == b.length
    }

    /// `file:line:col`, the prefix of every message.
    public var position: String { "\(file.name):\(start.line):\(start.column)" }

    /// A span from this one's start to the end of `other` (when on the same line).
    public func through(_ other: SourceSpan) -> SourceSpan {
        guard other.start.line == start.line, other.start.column >= start.column else { return self }
        return SourceSpan(file, start, length: other.start.column + other.length - start.column)
    }
}

/// The text of one notebook (or one REPL input) and its name for messages.
/// A class so that every span can point at its file cheaply.
public final class SourceFile: Sendable {
    public let name: String
    public let text: String
    /// The file's lines without their terminators.
    public let lines: [Substring]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    /// The text of a 1-based line, or "" past the end.
    public func line(_ number: Int) -> Substring {
        guard number >= 1, number <= lines.count else { return "" }
        return lines[number - 1]
    }
}
