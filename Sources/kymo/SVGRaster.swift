// SVGRaster: an SVG figure as a PNG, for the places that show raster images
// only (TensorBoard's image tab, `kymo runs export --tensorboard`). librsvg
// parses and draws the SVG onto a Cairo image surface at `dpi` (SVG user units
// are CSS pixels at 96 dpi); the PNG is Cairo's. Bounded: files over 32 MiB
// or drawings over 8,192 px a side are not rasterized (nil), and any parse or
// render error is nil, never a crash. Timing and display only; no record
// compares these bytes.

import CRSVG
import Foundation

enum SVGRaster {
    static let maximumBytes = 32 << 20
    static let maximumSide = 8192.0

    /// The PNG of `svg` at `dpi`, or nil when it cannot be drawn.
    static func png(svg: [UInt8], dpi: Double = 150) -> [UInt8]? {
        guard !svg.isEmpty, svg.count <= maximumBytes else { return nil }
        var error: UnsafeMutablePointer<GError>?
        guard let handle = svg.withUnsafeBufferPointer({ rsvg_handle_new_from_data($0.baseAddress, gsize($0.count), &error) }) else {
            if let error { g_error_free(error) }
            return nil
        }
        defer { g_object_unref(UnsafeMutableRawPointer(handle)) }
        rsvg_handle_set_dpi(handle, dpi)
        var w = 0.0, h = 0.0
        guard rsvg_handle_get_intrinsic_size_in_pixels(handle, &w, &h) != 0, w >= 1, h >= 1,
              w <= maximumSide, h <= maximumSide else { return nil }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w.rounded(.up)), Int32(h.rounded(.up))) else { return nil }
        defer { cairo_surface_destroy(surface) }
        guard let cr = cairo_create(surface) else { return nil }
        defer { cairo_destroy(cr) }
        // A white page under the drawing, as the figure looks in a document.
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        var viewport = RsvgRectangle(x: 0, y: 0, width: w, height: h)
        guard rsvg_handle_render_document(handle, cr, &viewport, &error) != 0 else {
            if let error { g_error_free(error) }
            return nil
        }
        cairo_surface_flush(surface)
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let status = cairo_surface_write_to_png_stream(surface, { closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque())
        return withExtendedLifetime(sink) { status == CAIRO_STATUS_SUCCESS ? sink.bytes : nil }
    }
}
