// HiddenState: what a Jupyter kernel session's record says about hidden
// state. The kernel titles each recorded cell `In [n] · cell k` (k: the
// cell's position in the notebook) and adds `· edited since In [m]` when the
// cell ran before with other text. From those titles: a cell that ran before
// a cell above it ("cell 5 ran before cell 3"), and a cell whose text changed
// between runs. Records of other hosts have no such titles and give nothing.

import Foundation

public enum HiddenState {
    /// (execution count, notebook position, edited since) of one recorded cell title.
    static func parse(_ title: String) -> (count: Int, cell: Int?, editedSince: Int?)? {
        let parts = title.components(separatedBy: " · ")
        guard let head = parts.first, head.hasPrefix("In ["), head.hasSuffix("]"),
              let count = Int(head.dropFirst(4).dropLast()) else { return nil }
        var cell: Int?, edited: Int?
        for p in parts.dropFirst() {
            if p.hasPrefix("cell "), let k = Int(p.dropFirst(5)) { cell = k }
            if p.hasPrefix("edited since In ["), p.hasSuffix("]"), let m = Int(p.dropFirst(17).dropLast()) { edited = m }
        }
        return (count, cell, edited)
    }

    /// One line per finding, in execution order (at most `limit`).
    public static func notes(titles: [String?], limit: Int = 8) -> [String] {
        let cells = titles.compactMap { $0.flatMap(parse) }
        var notes: [String] = []
        var seen = Set<String>()
        for (i, a) in cells.enumerated() {
            if let m = a.editedSince {
                notes.append("\(a.cell.map { "cell \($0)" } ?? "the cell of In [\(a.count)]") was edited after it ran (In [\(m)]); In [\(a.count)] ran the new text")
            }
            guard let ka = a.cell else { continue }
            // A later execution of a cell above this one: this one ran first.
            for b in cells[(i + 1)...] {
                guard let kb = b.cell, kb < ka else { continue }
                let note = "cell \(ka) ran before cell \(kb)"
                if seen.insert(note).inserted { notes.append(note) }
                break
            }
        }
        return Array(notes.prefix(limit))
    }
}
