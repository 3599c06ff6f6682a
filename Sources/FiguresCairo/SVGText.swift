// SVGText: a figure's text as SVG <text> elements (editable in Inkscape or
// Illustrator, searchable), for `Figure.svgText`. Cairo's SVG surface draws
// text as glyph outlines; with svgText the CairoRenderer collects each text
// instead, and the elements are written just before </svg>, over everything
// drawn (a figure draws its text last in each place anyway). The font is
// named (DejaVu Sans, whose metrics laid the figure out); numbers are written
// with 3 decimals, so the bytes depend on the figure alone.

import Foundation
import Figures

struct SVGTextItem {
    var text: String
    /// Where the baseline starts, after the anchor's offset, in the text's own
    /// (possibly turned) frame at `origin`.
    var origin: Point
    var dx: Double, dy: Double
    var font: Font
    var color: Color
    var up: Bool
}

enum SVGText {
    static func number(_ v: Double) -> String {
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    static func escaped(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// One <text> element.
    static func element(_ t: SVGTextItem) -> String {
        let turn = t.up ? " rotate(-90)" : ""
        return "<text transform=\"translate(\(number(t.origin.x)) \(number(t.origin.y)))\(turn)\" x=\"\(number(t.dx))\" y=\"\(number(t.dy))\" "
            + "font-family=\"DejaVu Sans\" font-size=\"\(number(t.font.size))\"\(t.font.bold ? " font-weight=\"bold\"" : "") "
            + "fill=\"\(t.color.hexString)\" xml:space=\"preserve\">\(escaped(t.text))</text>\n"
    }

    /// `svg` with the texts inserted before its closing </svg>.
    static func inserted(_ items: [SVGTextItem], into svg: [UInt8]) -> [UInt8] {
        let close = Array("</svg>".utf8)
        guard !items.isEmpty, svg.count >= close.count,
              let at = (0...(svg.count - close.count)).reversed().first(where: { svg[$0..<($0 + close.count)].elementsEqual(close) })
        else { return svg }
        let body = Array(("<g id=\"text\">\n" + items.map(element).joined() + "</g>\n").utf8)
        return Array(svg[..<at]) + body + Array(svg[at...])
    }
}
