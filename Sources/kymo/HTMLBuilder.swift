// HTMLBuilder: the few pieces `kymo report` writes HTML with. Every piece of
// text from a record goes through `HTML.escape` (the one escaping function);
// SVG figures are embedded inline only after `SVGSanitizer` rewrote them
// from a whitelist (ids prefixed so two figures' glyph and clip ids never
// collide); PNGs become data URIs; a Content-Security-Policy forbids scripts.
// Deliberately not: a template language, external CSS, scripts or fonts.

import Foundation
import KymoLanguage
import Notebook
import Records

enum HTML {
    /// Text or attribute value, escaped for HTML: & < > " ', and control and
    /// bidi characters shown as `\u{1b}` (TerminalText).
    static func escape(_ s: String) -> String {
        MarkupText.escape(TerminalText.safe(s))
    }

    /// `<tag attr="…">` + inner (already HTML) + `</tag>`.
    static func element(_ tag: String, _ attributes: [(String, String)] = [], _ inner: String) -> String {
        let attrs = attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
        return "<\(tag)\(attrs)>\(inner)</\(tag)>"
    }

    /// A table of escaped text cells; the first row is the header.
    static func table(_ rows: [[String]], numericColumns: Set<Int> = [], classes: String = "") -> String {
        guard let head = rows.first else { return "" }
        var out = "<table\(classes.isEmpty ? "" : " class=\"\(classes)\"")><thead><tr>"
        out += head.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows.dropFirst() {
            out += "<tr>" + row.enumerated().map { i, c in
                numericColumns.contains(i) ? "<td class=\"num\">\(escape(c))</td>" : "<td>\(escape(c))</td>"
            }.joined() + "</tr>"
        }
        return out + "</tbody></table>"
    }

    /// The page's Content-Security-Policy: no script of any kind, nothing
    /// fetched from anywhere (images only as data URIs, styles only inline).
    static let contentSecurityPolicy = "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        + "form-action 'none'; img-src data:; style-src 'unsafe-inline'"

    /// A whole page: the Content-Security-Policy, the style, the title, the body.
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(style)</style></head>
        <body>
        \(body)</body></html>

        """
    }

    static func dataURI(_ data: Data, mime: String) -> String {
        "data:\(mime);base64," + data.base64EncodedString()
    }

    /// A small line plot of one series as inline SVG (no text, no ids).
    static func sparkline(_ values: [Double], width: Int = 240, height: Int = 48) -> String {
        let finite = values.filter(\.isFinite)
        guard values.count >= 2, let lo = finite.min(), let hi = finite.max() else { return "" }
        let span = hi > lo ? hi - lo : 1
        var points: [String] = []
        for (i, v) in values.enumerated() where v.isFinite {
            let x = 2 + Double(i) / Double(values.count - 1) * Double(width - 4)
            let y = 2 + (1 - (v - lo) / span) * Double(height - 4)
            points.append(NumberText.format(x, ".1f") + "," + NumberText.format(y, ".1f"))
        }
        return "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\"><polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\" points=\""
            + points.joined(separator: " ") + "\"/></svg>"
    }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1b1f24}
        h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
        table{border-collapse:collapse;margin:.4em 0 1em} th,td{border:1px solid #d0d7de;padding:.2em .6em;text-align:left;vertical-align:top}
        th{background:#f6f8fa} td.num{text-align:right;font-variant-numeric:tabular-nums}
        pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6em .8em;overflow-x:auto;font:13px/1.4 "DejaVu Sans Mono",monospace;white-space:pre}
        pre.output{background:#fff} pre.error{background:#fff1f0;border-color:#ffa198}
        .status{display:inline-block;padding:0 .5em;border-radius:.8em;font-size:.85em;color:#fff;background:#57606a}
        .status.complete,.status.identical{background:#1a7f37} .status.failed,.status.different,.status.diverged{background:#cf222e}
        .status.interrupted,.status.drift{background:#9a6700}
        .figure{margin:.6em 0 1.2em} .figure svg,.figure img{max-width:100%;height:auto;border:1px solid #eaeef2}
        .caption{color:#57606a;font-size:.85em} section.cell{margin-bottom:2em} .meta{color:#57606a}
        """
}
