// FlatColorRenderer: passes drawing on with every translucent colour replaced
// by the opaque colour it shows over white (c·a + 1·(1 − a)). Figures drawn in
// an opaque style (FigureStyle.opaque, the "paper" style) then use no
// transparency, so their PDFs need no transparency group: pdflatex takes
// several on one page without its "multiple pdfs with page group" warning.
// Bands that overlap cover each other instead of mixing.

final class FlatColorRenderer: Renderer {
    let base: Renderer
    init(_ base: Renderer) { self.base = base }

    static func flat(_ c: Color) -> Color {
        guard c.alpha < 1 else { return c }
        let a = max(0, c.alpha)
        return Color(red: c.red * a + (1 - a), green: c.green * a + (1 - a), blue: c.blue * a + (1 - a))
    }

    func measure(_ text: String, font: Font) -> TextMetrics { base.measure(text, font: font) }
    func fill(_ path: Path, color: Color) { base.fill(path, color: Self.flat(color)) }
    func stroke(_ path: Path, style: StrokeStyle) {
        var s = style
        s.color = Self.flat(style.color)
        base.stroke(path, style: s)
    }
    func drawText(_ text: String, at point: Point, font: Font, color: Color, anchor: TextAnchor, rotation: TextRotation) {
        base.drawText(text, at: point, font: font, color: Self.flat(color), anchor: anchor, rotation: rotation)
    }
    func drawImage(_ image: RasterImage, in rect: Rect) { base.drawImage(image, in: rect) }
}
