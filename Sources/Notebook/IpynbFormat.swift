// IpynbFormat: Jupyter's `.ipynb` (nbformat 4) as a second notebook format.
// Reading gives `.kymo` text: code cells in order, each a `%%` cell; a
// markdown cell becomes a comment block, and a markdown cell that starts
// with a `## Heading` just before a code cell gives that cell its title
// (otherwise a code cell is titled `cell N`). Writing does the reverse: each
// `%%` cell's leading comment block (with its title as `## Title`) becomes a
// markdown cell, the rest a code cell. Outputs are not read; writing can
// attach each cell's recorded printed output as a `stream` output.
// Round trip: writing also keeps, in each Jupyter cell's metadata
// (`"kymo": {"text": …}`), the exact `.kymo` lines the cell came from (its
// `%%` line, comment marks, blank lines); reading uses them for every cell
// whose source is still what they give, so `.kymo` → `.ipynb` → `.kymo` is
// byte-exact, and an edited cell (or one Jupyter made) is read as above.
// Deliberately not: raw cells' content (skipped), attachments, widgets.

import Foundation

public enum IpynbFormat {
    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): error: \(reason)" }
    }

    public static func isIpynb(_ path: String) -> Bool { path.lowercased().hasSuffix(".ipynb") }

    /// A cell's `source`: one string or a list of strings.
    private static func source(_ any: Any?) -> String? {
        if let s = any as? String { return s }
        if let parts = any as? [Any] {
            var out = ""
            for p in parts { guard let s = p as? String else { return nil }; out += s }
            return out
        }
        return nil
    }

    private static func commented(_ markdown: String) -> [String] {
        markdown.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "#" : "# " + $0 }
    }

    private static func isBlank(_ line: Substring) -> Bool { line.trimmingCharacters(in: .whitespaces).isEmpty }

    /// What one `.kymo` cell (`title` nil: the lines before the first `%%`)
    /// becomes in Jupyter: the markdown of its title and leading comment
    /// block (nil when there is none), the code after it (blank lines around
    /// it dropped), whether a code cell is written, and how many body lines
    /// the comment block took.
    struct Parts: Equatable {
        var markdown: String?
        var code: String
        var writesCode: Bool
        var commentLines: Int
    }

    static func parts(title: String?, body: ArraySlice<Substring>) -> Parts {
        var comments: [String] = []
        var rest = body
        while let first = rest.first, first.hasPrefix("#") {
            let t = first.dropFirst()
            comments.append(String(t.hasPrefix(" ") ? t.dropFirst() : t))
            rest = rest.dropFirst()
        }
        let commentLines = comments.count
        while let first = rest.first, isBlank(first) { rest = rest.dropFirst() }
        while let last = rest.last, isBlank(last) { rest = rest.dropLast() }
        var markdown = comments
        if let title, !title.isEmpty { markdown.insert("## " + title, at: 0) }
        return Parts(markdown: markdown.isEmpty ? nil : markdown.joined(separator: "\n"), code: rest.joined(separator: "\n"),
                     writesCode: title != nil || !rest.isEmpty, commentLines: commentLines)
    }

    /// A cell's kept `.kymo` text (see the top): whether it opens a `%%` cell
    /// (blank lines may come first), that `%%` line, and the Parts it gives.
    struct Kept {
        var text: String
        var header: String?
        var parts: Parts

        init(_ text: String) {
            self.text = text
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if text.hasSuffix("\n") { lines.removeLast() }
            let firstText = lines.firstIndex { !isBlank($0) }
            if let h = firstText, lines[h].hasPrefix("%%") {
                header = String(lines[h])
                parts = IpynbFormat.parts(title: lines[h].dropFirst(2).trimmingCharacters(in: .whitespaces), body: lines[(h + 1)...])
            } else {
                header = nil
                parts = IpynbFormat.parts(title: nil, body: lines[...])
            }
        }
    }

    /// The kept `.kymo` text of a cell when its source is still what that text gives.
    private static func kept(_ cell: [String: Any], source: String, code: Bool) -> Kept? {
        guard let meta = cell["metadata"] as? [String: Any], let kymo = meta["kymo"] as? [String: Any],
              let text = kymo["text"] as? String else { return nil }
        let k = Kept(text)
        let unchanged = code ? (k.parts.markdown == nil && k.parts.code == source)
                             : (k.parts.markdown == source && k.parts.code.isEmpty)
        return unchanged ? k : nil
    }

    /// The `.kymo` text of an `.ipynb` document.
    public static func kymoText(json text: String, path: String) throws -> String {
        guard let data = text.data(using: .utf8),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FormatError(path: path, reason: "not a Jupyter notebook: the file is not a JSON object")
        }
        guard let cells = root["cells"] as? [Any] else {
            throw FormatError(path: path, reason: "not a Jupyter notebook (nbformat 4): no \"cells\" list")
        }
        if let major = root["nbformat"] as? Int, major != 4 {
            throw FormatError(path: path, reason: "nbformat \(major) is not supported (Kymo reads nbformat 4)")
        }
        var out = ""
        var opened = false  // a `%%` line is in `out`: code from here on needs a cell of its own
        func append(_ s: String) {
            if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
            out += s
        }
        func append(lines: [String]) { append(lines.map { $0 + "\n" }.joined()) }
        enum Pending { case kept(Kept), markdown(String) }
        var pending: [Pending] = []  // markdown cells since the last code cell
        func flush() {
            for p in pending {
                switch p {
                case .kept(let k):
                    append(k.text)
                    if k.header != nil { opened = true }
                case .markdown(let m): append(lines: commented(m))
                }
            }
            pending = []
        }
        var codeCount = 0
        for (i, any) in cells.enumerated() {
            guard let cell = any as? [String: Any], let type = cell["cell_type"] as? String else {
                throw FormatError(path: path, reason: "cell \(i + 1) is not an object with a \"cell_type\"")
            }
            guard let src = source(cell["source"]) else {
                throw FormatError(path: path, reason: "cell \(i + 1) has no \"source\" text")
            }
            switch type {
            case "markdown":
                if let k = kept(cell, source: src, code: false) {
                    pending.append(.kept(k))
                } else {
                    pending.append(.markdown(src.hasSuffix("\n") ? String(src.dropLast()) : src))
                }
            case "code":
                codeCount += 1
                let exact = kept(cell, source: src, code: true)
                let written = ((cell["metadata"] as? [String: Any])?["kymo"] as? [String: Any])?["text"] as? String
                if exact?.header != nil {
                    // An untitled `%%` cell, as written: its own `%%` line.
                    flush()
                } else if case .kept(let k)? = pending.last, k.header != nil {
                    flush()  // its title and comments, as written
                } else if case .markdown(let last)? = pending.last, last.hasPrefix("## ") {
                    let parts = last.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                    let title = String(parts[0].dropFirst(3)).trimmingCharacters(in: .whitespaces)
                    pending.removeLast()
                    flush()
                    append(lines: ["%% " + title] + (parts.count > 1 ? commented(String(parts[1])) : []))
                    opened = true
                } else if !opened, let written, Kept(written).header == nil {
                    flush()  // code before the first `%%`, as written
                } else {
                    flush()
                    append(lines: [written.flatMap { Kept($0).header } ?? "%% cell \(codeCount)"])
                    opened = true
                }
                if let exact {
                    append(exact.text)
                    if exact.header != nil { opened = true }
                } else {
                    let code = src.hasSuffix("\n") ? String(src.dropLast()) : src
                    if !code.isEmpty { append(lines: code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)) }
                }
            default:
                continue  // raw cells are not run
            }
        }
        flush()
        return out.isEmpty ? "\n" : out
    }

    /// The `.ipynb` JSON of a `.kymo` text; `outputs[i]`: the printed output of code cell i (from a record).
    public static func ipynb(kymo text: String, outputs: [String]? = nil) -> String {
        var cells: [[String: Any]] = []
        func lines(_ s: String) -> [String] {
            var parts = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if parts.count > 1, parts.last == "" { parts.removeLast(); return parts.map { $0 + "\n" } }
            return parts.enumerated().map { $0.offset < parts.count - 1 ? $0.element + "\n" : $0.element }
        }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        /// The exact text of lines `r` (each with its newline; the file's last line as it ends).
        func exact(_ r: Range<Int>) -> String { r.map { String(all[$0]) + ($0 < all.count - 1 ? "\n" : "") }.joined() }
        func metadata(_ r: Range<Int>) -> [String: Any] { ["kymo": ["text": exact(r)]] }
        var from = 0  // the first line not yet kept by a cell (blank lines before the first `%%` wait for the next cell)
        /// One `.kymo` cell: its `%%` line (nil before the first) and its body lines `body`.
        func add(header: Int?, body: Range<Int>) {
            let title = header.map { all[$0].dropFirst(2).trimmingCharacters(in: .whitespaces) }
            let p = parts(title: title, body: all[body])
            let split = body.lowerBound + p.commentLines
            if let markdown = p.markdown {
                cells.append(["cell_type": "markdown", "id": "md-\(cells.count)",
                              "metadata": metadata(from..<(p.writesCode ? split : body.upperBound)),
                              "source": lines(markdown)])
                from = p.writesCode ? split : body.upperBound
            }
            guard p.writesCode else { return }
            let index = cells.filter { $0["cell_type"] as? String == "code" }.count
            var outs: [[String: Any]] = []
            if let outputs, index < outputs.count, !outputs[index].isEmpty {
                outs = [["output_type": "stream", "name": "stdout", "text": lines(outputs[index])]]
            }
            cells.append(["cell_type": "code", "id": "code-\(index + 1)", "metadata": metadata(from..<body.upperBound),
                          "execution_count": NSNull(), "outputs": outs,
                          "source": lines(p.code)])
            from = body.upperBound
        }
        var header: Int?
        var start = 0
        for (i, line) in all.enumerated() where line.hasPrefix("%%") {
            add(header: header, body: start..<i)
            header = i
            start = i + 1
        }
        add(header: header, body: start..<all.count)
        let root: [String: Any] = [
            "cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": "kymo", "display_name": "Kymo", "language": "kymo"],
                "language_info": ["name": "kymo", "file_extension": ".kymo", "mimetype": "text/x-kymo"],
            ] as [String: Any],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
