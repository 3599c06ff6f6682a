// NotebookDocument: a `.kymo` text split into cells and parsed. A line starting with
// `%%` opens a cell (the rest of the line is its title); lines before the
// first `%%` form an untitled first cell (dropped when it holds no code).
// Each cell is scanned and parsed on its own, with line numbers of the whole
// file, so one cell's syntax error never spills into the next.

import Foundation

public struct Cell {
    /// 0-based position in the notebook.
    public let index: Int
    /// The text after `%%`, or nil for the untitled first cell.
    public let title: String?
    /// The cell's source lines (without the `%%` line).
    public let source: String
    /// The file line of the cell's first source line.
    public let firstLine: Int
    /// The number of source lines.
    public let lineCount: Int
    public let statements: [Stmt]
    public let diagnostics: [Diagnostic]

    /// The title as shown in output: `%% Title`, or `(untitled)`.
    public var displayTitle: String { title.map { "%% \($0)" } ?? "%% (untitled)" }
}

public struct NotebookDocument {
    public let file: SourceFile
    public let cells: [Cell]

    /// Every syntax error of every cell, in file order.
    public var syntaxErrors: [Diagnostic] { cells.flatMap(\.diagnostics) }

    public init(name: String, text: String) {
        self.init(file: SourceFile(name: name, text: text))
    }

    public init(file: SourceFile) {
        self.file = file
        var cells: [Cell] = []
        var title: String?
        var start = 1
        var lines: [Substring] = []
        var isFirst = true
        func flush() {
            let source = lines.joined(separator: "\n")
            let parsed = NotebookDocument.parse(file: file, text: source, firstLine: start)
            if !(isFirst && title == nil && parsed.statements.isEmpty && parsed.diagnostics.isEmpty) {
                cells.append(Cell(index: cells.count, title: title, source: source, firstLine: start,
                                  lineCount: lines.count, statements: parsed.statements, diagnostics: parsed.diagnostics))
            }
            isFirst = false
        }
        for (i, line) in file.lines.enumerated() {
            if line.hasPrefix("%%") {
                flush()
                let t = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
                title = t
                start = i + 2
                lines = []
            } else {
                lines.append(line)
            }
        }
        flush()
        self.cells = cells
    }

    public static func parse(file: SourceFile, text: String, firstLine: Int) -> (statements: [Stmt], diagnostics: [Diagnostic]) {
        var scanner = Scanner(file: file, text: text, firstLine: firstLine)
        let tokens = scanner.scanAll()
        var parser = Parser(tokens: tokens)
        let statements = parser.parseProgram()
        // One message per mistake: a scanner error usually explains the parser's.
        var diagnostics = scanner.diagnostics
        for d in parser.diagnostics where !diagnostics.contains(where: { $0.span?.start.line == d.span?.start.line }) {
            diagnostics.append(d)
        }
        diagnostics.sort { ($0.span?.start ?? SourceLocation(line: 0, column: 0)) < ($1.span?.start ?? SourceLocation(line: 0, column: 0)) }
        return (statements, diagnostics)
    }
}
