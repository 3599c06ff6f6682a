// ReplPaste: notebook text given to the REPL. A paste that holds `%%` lines
// (bracketed paste delivers it whole) runs cell by cell, each title printed
// as `:load` prints it; a `%%` line typed or piped on its own is a cell
// marker and runs nothing.

import KymoLanguage

enum ReplPaste {
    /// The cells of `text` when it holds a `%%` line; nil otherwise.
    static func cells(_ text: String) -> [Cell]? {
        guard text.split(separator: "\n", omittingEmptySubsequences: false).contains(where: isCellMarker) else { return nil }
        return NotebookDocument(name: "paste", text: text).cells
    }

    static func isCellMarker<S: StringProtocol>(_ line: S) -> Bool {
        line.drop { $0 == " " || $0 == "\t" }.hasPrefix("%%")
    }
}
