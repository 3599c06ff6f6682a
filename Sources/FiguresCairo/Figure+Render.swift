// Figure+Render: turning a Figure into SVG, PDF or PNG bytes with Cairo, and
// saving them. Output is byte-identical for identical input: the PDF creation
// date is pinned, SVG ids that Cairo numbers process-wide are renumbered, and
// nothing else varies. Each file carries the figure's metadata
// (FigureMetadata: PDF document information, an SVG <title>, PNG text chunks). Rendering happens in memory; the file is then written
// atomically, so a failed render never touches an existing file.

import CCairo
import Foundation
import KymoBase
import Figures

extension Figure {
    /// The date written into a PDF saved without a run's date, so that PDFs are reproducible.
    public static let pinnedPDFDate = FigureMetadata.pinnedDate

    /// Render to `path`, the format chosen by its extension (.svg, .pdf, .png).
    /// The file is replaced atomically (written to a temporary file in the same
    /// directory, then renamed), so readers see the old file or the new one.
    /// - Parameter pngScale: pixels per point for PNG; nil: the figure's `dpi`
    ///   (or 2 pixels a point, 144 dpi, untagged, when that is nil too).
    public func save(to path: String, pngScale: Double? = nil) throws {
        let format = try FigureFormat(path: path)
        let bytes: [UInt8]
        do {
            bytes = try render(as: format, pngScale: pngScale)
        } catch let FigureSaveError.renderFailed(_, f, reason) {
            throw FigureSaveError.renderFailed(path: path, format: f, reason: reason)
        }
        do { try AtomicFile.write(bytes, to: path) } catch let f as AtomicFile.Failure {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: f.folder, isDirectory: &isFolder)
            let reason = !exists ? "directory '\(f.folder)' does not exist"
                : !isFolder.boolValue ? "'\(f.folder)' is not a directory"
                : f.code == EACCES || f.code == EROFS ? "cannot create a file in '\(f.folder)': \(f.reason)" : f.reason
            throw FigureSaveError.cannotWrite(path: path, reason: reason)
        }
    }

    /// The figure as the bytes of an SVG, PDF or PNG file. A PNG is drawn at
    /// `pngScale` pixels a point when given (untagged), else at the figure's
    /// `dpi` (written into the file), else at 2 pixels a point (untagged).
    public func render(as format: FigureFormat, pngScale: Double? = nil) throws -> [UInt8] {
        let fig: Figure
        do {
            fig = try fitted()
        } catch {
            throw FigureSaveError.renderFailed(path: nil, format: format, reason: "\(error)")
        }
        guard pngScale == nil, let dpi, format == .png else {
            let bytes = try fig.renderFitted(as: format, pngScale: pngScale ?? 2)
            return format == .png ? PNGText.tagged(bytes, [("Title", fig.documentTitle), ("Software", fig.metadata.creator)]) : bytes
        }
        guard dpi.isFinite, dpi >= 10, dpi <= 2400 else {
            throw FigureSaveError.renderFailed(path: nil, format: format, reason: "dpi must be in 10…2400, got \(dpi)")
        }
        // 1e-6 px of slack: 420 pt at 300 dpi is 1750 px, not 1751 from 1750.0000000000002
        return PNGText.tagged(PNGResolution.tagged(try fig.renderFitted(as: format, pngScale: dpi / 72, slack: 1e-6), dpi: dpi),
                              [("Title", fig.documentTitle), ("Software", fig.metadata.creator)])
    }

    /// Render this figure at its own size (`fitted()` already applied).
    private func renderFitted(as format: FigureFormat, pngScale: Double, slack: Double = 0) throws -> [UInt8] {
        let sink = ByteSink()
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        let surface: OpaquePointer?
        switch format {
        case .svg:
            surface = cairo_svg_surface_create_for_stream(ByteSink.write, closure, width, height)
        case .pdf:
            surface = cairo_pdf_surface_create_for_stream(ByteSink.write, closure, width, height)
            if let surface {
                let date = metadata.documentDate
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date)
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date)
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, metadata.creator)
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, documentTitle)
                if let s = metadata.subject { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, s) }
            }
        case .png:
            guard pngScale > 0, pngScale.isFinite else {
                throw FigureSaveError.renderFailed(path: nil, format: format, reason: "PNG scale must be positive, got \(pngScale)")
            }
            let w = (width * pngScale - slack).rounded(.up), h = (height * pngScale - slack).rounded(.up)
            guard w <= 32767, h <= 32767 else {
                throw FigureSaveError.renderFailed(path: nil, format: format,
                    reason: "a \(Int(w))×\(Int(h)) pixel PNG exceeds Cairo's 32767-pixel limit")
            }
            surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(w), Int32(h))
        }
        guard let surface else {
            throw FigureSaveError.renderFailed(path: nil, format: format, reason: "Cairo could not create a surface")
        }
        defer { cairo_surface_destroy(surface) }
        try Self.check(cairo_surface_status(surface), format)

        let cr = cairo_create(surface)!
        var texts: [SVGTextItem] = []
        do {
            if format == .png {
                // The pixel grid is rounded up; paint all of it, not just the figure's points.
                cairo_set_source_rgb(cr, 1, 1, 1)
                cairo_paint(cr)
                cairo_scale(cr, pngScale, pngScale)
            }
            let mode: CairoRenderer.RasterMode
            switch format {
            case .pdf: mode = .cells
            case .svg: mode = .cellsOrPrescaled(maxCells: 300, targetPixels: 512)
            case .png: mode = .nearest
            }
            let renderer = CairoRenderer(context: cr, rasterMode: mode, collectText: format == .svg && svgText)
            try draw(into: renderer)
            texts = renderer.collectedText ?? []
            try Self.check(cairo_status(cr), format)
        } catch let e as FigureSaveError {
            cairo_destroy(cr)
            throw e
        } catch {
            cairo_destroy(cr)
            throw FigureSaveError.renderFailed(path: nil, format: format, reason: "\(error)")
        }
        cairo_destroy(cr)

        if format == .png {
            cairo_surface_flush(surface)
            try Self.check(cairo_surface_write_to_png_stream(surface, ByteSink.write, closure), format)
        } else {
            cairo_surface_finish(surface)
            try Self.check(cairo_surface_status(surface), format)
        }
        var bytes = withExtendedLifetime(sink) { sink.bytes }
        if format == .pdf && style.opaque { bytes = PDFPageGroup.blanked(bytes) }
        return format == .svg ? SVGTitle.inserted(documentTitle, into: SVGText.inserted(texts, into: SVGIds.normalize(bytes))) : bytes
    }

    static func check(_ status: cairo_status_t, _ format: FigureFormat) throws {
        guard status == CAIRO_STATUS_SUCCESS else {
            let reason = String(cString: cairo_status_to_string(status))
            throw FigureSaveError.renderFailed(path: nil, format: format, reason: "Cairo: \(reason)")
        }
    }
}

/// Collects what a Cairo stream surface writes.
final class ByteSink {
    var bytes: [UInt8] = []

    static let write: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }
}
