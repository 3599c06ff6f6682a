// TextTable: the one way Kymo prints aligned columns — `table(…)` in a
// notebook, `kymo runs`, `kymo runs compare`. Columns are two spaces apart
// and as wide as their widest cell (counted in Characters); right-aligned
// columns pad on the left; trailing spaces are trimmed, so the last column
// is never padded.

public enum TextTable {
    public enum Alignment: Sendable { case left, right }

    /// The rows as lines. `align` (default: all left) per column; `rule`
    /// draws a line of dashes under the first row (the header).
    public static func render(_ rows: [[String]], align: [Alignment] = [], rule: Bool = false) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (c, cell) in cells.enumerated() {
                let gap = String(repeating: " ", count: widths[c] - cell.count)
                parts.append(c < align.count && align[c] == .right ? gap + cell : cell + gap)
            }
            var s = parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s + "\n"
        }
        var out = ""
        for (i, row) in rows.enumerated() {
            out += line(row)
            if i == 0, rule { out += line(widths.map { String(repeating: "-", count: $0) }) }
        }
        return out
    }
}
