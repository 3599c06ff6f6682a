// MarkupText: the one escaping of text for HTML and SVG markup — & < > " '
// as entities, everything else as it is. Callers decide first what to do
// with control and bidi characters (HTML.escape shows them escaped,
// SVGSanitizer drops them).

public enum MarkupText {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
