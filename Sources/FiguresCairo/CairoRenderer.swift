// CairoRenderer: the Renderer that draws into a Cairo context. Text is DejaVu
// Sans through Cairo's toy font API with metric hinting off, so measurements
// agree across SVG, PDF and PNG. Rasters are drawn crisp: as sharp-edged
// cells in vector output (Cairo's SVG surface would blur a scaled image) and
// as a nearest-neighbour image in PNG. Not public: figures reach it through
// `Figure.render(as:)` and `Figure.save(to:)`.

import CCairo
import Figures

final class CairoRenderer: Renderer {
    let cr: OpaquePointer
    /// How rasters are drawn.
    enum RasterMode {
        /// Every run of equal pixels a rectangle (PDF).
        case cells
        /// Rectangles up to `maxCells` runs, else a pre-scaled image (SVG).
        case cellsOrPrescaled(maxCells: Int, targetPixels: Int)
        /// One image with the nearest-neighbour filter (PNG).
        case nearest
    }
    let rasterMode: RasterMode
    private var currentFont: Font?
    /// Set: text is collected here (SVG <text> elements, SVGText.swift) instead of drawn as glyphs.
    var collectedText: [SVGTextItem]?

    init(context: OpaquePointer, rasterMode: RasterMode, collectText: Bool = false) {
        cr = context
        self.rasterMode = rasterMode
        collectedText = collectText ? [] : nil
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
    }

    private func use(_ font: Font) {
        if currentFont == font { return }
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, font.size)
        currentFont = font
    }

    private func setColor(_ c: Color) {
        if c.alpha >= 1 {
            cairo_set_source_rgb(cr, c.red, c.green, c.blue)
        } else {
            cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
        }
    }

    private func build(_ path: Path) {
        cairo_new_path(cr)
        for e in path.elements {
            switch e {
            case .move(let p): cairo_move_to(cr, p.x, p.y)
            case .line(let p): cairo_line_to(cr, p.x, p.y)
            case .close: cairo_close_path(cr)
            case .rect(let r): cairo_rectangle(cr, r.x, r.y, r.width, r.height)
            case let .circle(c, radius):
                cairo_new_sub_path(cr)
                cairo_arc(cr, c.x, c.y, radius, 0, 2 * Double.pi)
                cairo_close_path(cr)
            }
        }
    }

    func measure(_ text: String, font: Font) -> TextMetrics {
        use(font)
        var ext = cairo_text_extents_t()
        cairo_text_extents(cr, text, &ext)
        return TextMetrics(width: ext.x_advance, ascent: TextMetrics.ascent(for: font),
                           descent: TextMetrics.descent(for: font))
    }

    func fill(_ path: Path, color: Color) {
        build(path)
        setColor(color)
        cairo_fill(cr)
    }

    func stroke(_ path: Path, style: StrokeStyle) {
        build(path)
        setColor(style.color)
        cairo_set_line_width(cr, style.width)
        if style.dash.isEmpty {
            cairo_set_dash(cr, nil, 0, 0)
        } else {
            cairo_set_dash(cr, style.dash, Int32(style.dash.count), 0)
        }
        cairo_stroke(cr)
    }

    func drawText(_ text: String, at point: Point, font: Font, color: Color,
                  anchor: TextAnchor, rotation: TextRotation) {
        use(font)
        let m = measure(text, font: font)
        let (dx, dy) = TextGeometry.baselineOffset(metrics: m, anchor: anchor)
        if collectedText != nil {
            collectedText!.append(SVGTextItem(text: text, origin: point, dx: dx, dy: dy, font: font, color: color, up: rotation == .up))
            return
        }
        cairo_save(cr)
        cairo_translate(cr, point.x, point.y)
        if rotation == .up { cairo_rotate(cr, -Double.pi / 2) }
        cairo_new_path(cr)
        cairo_move_to(cr, dx, dy)
        setColor(color)
        cairo_show_text(cr, text)
        cairo_restore(cr)
    }

    func drawImage(_ image: RasterImage, in rect: Rect) {
        switch rasterMode {
        case .cells:
            drawCells(image, in: rect)
        case let .cellsOrPrescaled(maxCells, target):
            if Self.runCount(image) <= maxCells {
                drawCells(image, in: rect)
            } else {
                drawNearest(image, in: rect, prescale: max(1, min(32, target / max(image.width, image.height))))
            }
        case .nearest:
            drawNearest(image, in: rect, prescale: 1)
        }
    }

    /// Number of rectangles `drawCells` would emit.
    static func runCount(_ image: RasterImage) -> Int {
        let px = image.rgb
        var n = 0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let i = 3 * (y * image.width + x)
                if x == 0 || px[i] != px[i - 3] || px[i + 1] != px[i - 2] || px[i + 2] != px[i - 1] { n += 1 }
            }
        }
        return n
    }

    /// Each run of equal pixels in a row becomes one rectangle. Cells reach a
    /// little into their right and lower neighbours, which are painted later
    /// and cover the overlap, so viewers show no hairline seams between cells.
    private func drawCells(_ image: RasterImage, in rect: Rect) {
        let cw = rect.width / Double(image.width), ch = rect.height / Double(image.height)
        let overlap = min(0.5, 0.5 * min(cw, ch))
        let px = image.rgb
        for y in 0..<image.height {
            var x = 0
            let y0 = rect.y + Double(y) * ch
            let h = ch + (y < image.height - 1 ? overlap : 0)
            while x < image.width {
                let i = 3 * (y * image.width + x)
                var end = x + 1
                while end < image.width {
                    let j = 3 * (y * image.width + end)
                    if px[j] != px[i] || px[j + 1] != px[i + 1] || px[j + 2] != px[i + 2] { break }
                    end += 1
                }
                let w = Double(end - x) * cw + (end < image.width ? overlap : 0)
                cairo_rectangle(cr, rect.x + Double(x) * cw, y0, w, h)
                cairo_set_source_rgb(cr, Double(px[i]) / 255, Double(px[i + 1]) / 255, Double(px[i + 2]) / 255)
                cairo_fill(cr)
                x = end
            }
        }
    }

    /// One image surface, each pixel repeated `prescale`² times, scaled with
    /// the nearest-neighbour filter.
    private func drawNearest(_ image: RasterImage, in rect: Rect, prescale k: Int) {
        let w = image.width * k, h = image.height * k
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(w), Int32(h))
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else { return }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let px = image.rgb
        for y in 0..<h {
            let row = (data + y * stride).withMemoryRebound(to: UInt32.self, capacity: w) { $0 }
            let sy = y / k
            for x in 0..<w {
                let i = 3 * (sy * image.width + x / k)
                row[x] = 0xFF00_0000 | UInt32(px[i]) << 16 | UInt32(px[i + 1]) << 8 | UInt32(px[i + 2])
            }
        }
        cairo_surface_mark_dirty(surface)
        cairo_save(cr)
        cairo_translate(cr, rect.x, rect.y)
        cairo_scale(cr, rect.width / Double(w), rect.height / Double(h))
        cairo_set_source_surface(cr, surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST)
        cairo_new_path(cr)
        cairo_rectangle(cr, 0, 0, Double(w), Double(h))
        cairo_fill(cr)
        cairo_restore(cr)
    }
}
