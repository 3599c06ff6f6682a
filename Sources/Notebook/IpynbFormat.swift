// IpynbFormat: Jupyter's `.ipynb` (nbformat 4) as a second notebook format.
// Reading gives `.kymo` text: code cells in order, each a `%%` cell; a
// markdown cell becomes a comment block, and a markdown cell that starts
// with a `## Heading` just before a code cell gives that cell its title
// (otherwise a code cell is titled `cell N`). Writing does the reverse: each
// `%%` cell's leading comment block (with its title as `## Title`) becomes a
// markdown cell, the rest a code cell. Outputs are not read; writing can
// attach each cell's recorded printed output as a `stream` output.
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
        var lines: [String] = []
        var pending: [String] = []  // markdown cells since the last code cell
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
                pending.append(src.hasSuffix("\n") ? String(src.dropLast()) : src)
            case "code":
                codeCount += 1
                var title = "cell \(codeCount)"
                var heading: [String] = []
                if let last = pending.last, last.hasPrefix("## ") {
                    let parts = last.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                    title = String(parts[0].dropFirst(3)).trimmingCharacters(in: .whitespaces)
                    if parts.count > 1 { heading = commented(String(parts[1])) }
                    pending.removeLast()
                }
                for m in pending { lines += commented(m) }
                pending = []
                lines.append("%% " + title)
                lines += heading
                let code = src.hasSuffix("\n") ? String(src.dropLast()) : src
                if !code.isEmpty { lines += code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            default:
                continue  // raw cells are not run
            }
        }
        for m in pending { lines += commented(m) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `.ipynb` JSON of a `.kymo` text; `outputs[i]`: the printed output of code cell i (from a record).
    public static func ipynb(kymo text: String, outputs: [String]? = nil) -> String {
        var cells: [[String: Any]] = []
        func lines(_ s: String) -> [String] {
            var parts = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if parts.count > 1, parts.last == "" { parts.removeLast(); return parts.map { $0 + "\n" } }
            return parts.enumerated().map { $0.offset < parts.count - 1 ? $0.element + "\n" : $0.element }
        }
        func add(title: String?, body: [Substring]) {
            var comments: [String] = []
            var rest = body[...]
            while let first = rest.first, first.hasPrefix("#") {
                let t = first.dropFirst()
                comments.append(String(t.hasPrefix(" ") ? t.dropFirst() : t))
                rest = rest.dropFirst()
            }
            while let first = rest.first, first.trimmingCharacters(in: .whitespaces).isEmpty { rest = rest.dropFirst() }
            while let last = rest.last, last.trimmingCharacters(in: .whitespaces).isEmpty { rest = rest.dropLast() }
            var markdown = comments
            if let title, !title.isEmpty { markdown.insert("## " + title, at: 0) }
            if !markdown.isEmpty {
                cells.append(["cell_type": "markdown", "id": "md-\(cells.count)", "metadata": [:] as [String: Any],
                              "source": lines(markdown.joined(separator: "\n"))])
            }
            guard title != nil || !rest.isEmpty else { return }
            let index = cells.filter { $0["cell_type"] as? String == "code" }.count
            var outs: [[String: Any]] = []
            if let outputs, index < outputs.count, !outputs[index].isEmpty {
                outs = [["output_type": "stream", "name": "stdout", "text": lines(outputs[index])]]
            }
            cells.append(["cell_type": "code", "id": "code-\(index + 1)", "metadata": [:] as [String: Any],
                          "execution_count": NSNull(), "outputs": outs,
                          "source": lines(rest.joined(separator: "\n"))])
        }
        var title: String?
        var body: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("%%") {
                add(title: title, body: body)
                title = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
                body = []
            } else {
                body.append(line)
            }
        }
        add(title: title, body: body)
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
