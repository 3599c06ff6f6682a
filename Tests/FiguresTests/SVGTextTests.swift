// Figure.svgText: an SVG whose text is <text> elements (editable), one per
// text the figure draws, naming DejaVu Sans at the drawn size, and no glyph
// outlines; byte-identical when rendered again. Without it, glyphs as before.

import XCTest
@testable import Figures
@testable import FiguresCairo

final class SVGTextTests: XCTestCase {
    func testSVGTextIsTextElementsAndStable() throws {
        var fig = try DemoFigures.figure(named: "loss")
        let outlines = String(decoding: try fig.render(as: .svg), as: UTF8.self)
        XCTAssertFalse(outlines.contains("<text"), "glyph outlines by default")
        XCTAssertTrue(outlines.contains("<symbol") || outlines.contains("glyph"))
        fig.svgText = true
        let bytes = try fig.render(as: .svg)
        let svg = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(svg.contains("glyph"), "no glyph outlines")
        let r = RecordingRenderer()
        try fig.fitted().draw(into: r)
        let elements = svg.components(separatedBy: "<text ").count - 1
        XCTAssertEqual(elements, r.texts.count, "one <text> per text drawn")
        XCTAssertTrue(svg.contains(">Training loss on Moving MNIST</text>"))
        XCTAssertTrue(svg.contains("font-family=\"DejaVu Sans\""))
        XCTAssertTrue(svg.contains("rotate(-90)"), "the y label turned up")
        XCTAssertEqual(try fig.render(as: .svg), bytes, "byte-identical again")
        // escaping
        XCTAssertEqual(SVGText.escaped("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;")
        XCTAssertEqual(SVGText.number(-0.0001), "0"); XCTAssertEqual(SVGText.number(12.5), "12.5")
    }
}
