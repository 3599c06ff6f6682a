// The Cairo renderer: formats by extension, byte-identical output (within a
// process and against committed goldens), crisp rasters, text metrics, and
// atomic, clearly failing writes.

import XCTest
import TestSupport
import CCairo
@testable import Figures
@testable import FiguresCairo

final class CairoOutputTests: XCTestCase {
    var dir: String = ""

    override func setUpWithError() throws {
        dir = ScratchFolders.make("figures-" + name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func sample() throws -> Figure {
        let frame = try FloatImage(width: 8, height: 8, pixels: (0..<64).map { Float($0 % 9) / 8 })
        let map = try FloatImage(width: 8, height: 8, pixels: (0..<64).map { Float($0) / 64 })
        let run = try LossRun(label: "run", steps: (0..<50).map(Double.init), loss: (0..<50).map { 1 / Double($0 + 1) },
                              validationSteps: [10, 20, 30], validationLoss: [0.1, 0.06, 0.04])
        var fig = try LossPlot.figure(runs: [run], logY: true, title: "Sample — loss")
        fig.columns = 2
        fig.width = 520
        fig.panels.append(.image([ImageLayer(values: frame), ImageLayer(values: map, colorMap: .magma, range: 0...1, opacity: 0.6)],
                                 markers: [PixelMarker(y: 2, x: 5)], caption: "t = 1"))
        fig.colorBars = [ColorBar(colorMap: .magma, range: 0...1, label: "weight")]
        return fig
    }

    /// Equal byte arrays, reported by size and first difference rather than dumped.
    func assertSameBytes(_ a: [UInt8], _ b: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard a != b else { return }
        let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        XCTFail("\(what): \(a.count) vs \(b.count) bytes, first difference at byte \(first)", file: file, line: line)
    }

    func testFormatComesFromTheExtension() throws {
        XCTAssertEqual(try FigureFormat(path: "a/b/fig.SVG"), .svg)
        XCTAssertEqual(try FigureFormat(path: "fig.pdf"), .pdf)
        XCTAssertEqual(try FigureFormat(path: "x.y/fig.png"), .png)
        for bad in ["fig.jpg", "fig", "dir.svg/fig", ".svg"] {
            XCTAssertThrowsError(try FigureFormat(path: bad)) {
                XCTAssertEqual($0 as? FigureSaveError, .unsupportedFormat(path: bad))
                XCTAssertTrue("\($0)".contains("'\(bad)'"))
            }
        }
        let fig = try sample()
        let svg = try fig.render(as: .svg), pdf = try fig.render(as: .pdf), png = try fig.render(as: .png)
        XCTAssertTrue(String(decoding: svg.prefix(100), as: UTF8.self).contains("<svg"))
        XCTAssertEqual(Array(pdf.prefix(5)), Array("%PDF-".utf8))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // PNG size: points × scale, rounded up (IHDR width and height, big-endian).
        func be32(_ b: ArraySlice<UInt8>) -> Int { b.reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual(be32(png[16..<20]), 1040)
        XCTAssertEqual(be32(png[20..<24]), 560)
    }

    func testSVGIsByteIdenticalAcrossRendersInOneProcess() throws {
        let fig = try sample()
        let a = try fig.render(as: .svg)
        // Other renders in between advance Cairo's process-wide surface counters.
        _ = try DemoFigures.metricCurves().render(as: .svg)
        _ = try fig.render(as: .png)
        let b = try fig.render(as: .svg)
        assertSameBytes(a, b, "two SVG renders")
        let text = String(decoding: a, as: UTF8.self)
        XCTAssertTrue(text.contains("id=\"surface1\""), "ids renumbered from 1")
        XCTAssertFalse(text.contains("<image"), "small rasters are drawn as cells in SVG")
    }

    func testSVGIdNormalizerRenumbersByFirstAppearance() {
        let raw = Array(##"<g id="surface17"><image id="image40"/><use xlink:href="#image40"/><use href="#surface17"/><g id="surface3"> surface9 glyph0-1"##.utf8)
        XCTAssertEqual(String(decoding: SVGIds.normalize(raw), as: UTF8.self),
                       ##"<g id="surface1"><image id="image1"/><use xlink:href="#image1"/><use href="#surface1"/><g id="surface2"> surface9 glyph0-1"##)
    }

    func testPDFIsByteIdenticalWithAPinnedDate() throws {
        let fig = try sample()
        let a = try fig.render(as: .pdf)
        _ = try DemoFigures.metricCurves().render(as: .pdf)
        let b = try fig.render(as: .pdf)
        assertSameBytes(a, b, "two PDF renders")
        let text = String(decoding: a, as: UTF8.self)
        // Cairo 1.16 writes the date without the "D:" prefix; later versions add it.
        XCTAssertTrue(text.contains("/CreationDate (20000101000000") || text.contains("/CreationDate (D:20000101000000"),
                      "creation date pinned")
        XCTAssertTrue(text.contains("DejaVuSans"), "DejaVu Sans embedded")
    }

    // MARK: Goldens

    /// The committed renders of `goldenFigure()`, as the source tree holds them.
    static let goldenSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    /// Small and fixed: a title, a log-scale line panel with legend, an image panel with an
    /// overlay, a marker and a caption, and a colour bar.
    func goldenFigure() throws -> Figure {
        let frame = try FloatImage(width: 6, height: 6, pixels: (0..<36).map { Float($0 % 7) / 6 })
        let map = try FloatImage(width: 3, height: 3, pixels: (0..<9).map { Float($0) / 8 })
        let run = try LossRun(label: "run", steps: (0..<20).map(Double.init), loss: (0..<20).map { 1 / Double($0 + 1) })
        var fig = try LossPlot.figure(runs: [run], logY: true, title: "Golden")
        fig.columns = 2
        fig.width = 320
        fig.height = 160
        fig.panels.append(.image([ImageLayer(values: frame), ImageLayer(values: map, colorMap: .magma, range: 0...1, opacity: 0.6)],
                                 markers: [PixelMarker(y: 1, x: 4)], caption: "t = 1"))
        fig.colorBars = [ColorBar(colorMap: .magma, range: 0...1, label: "weight")]
        return fig
    }

    /// SVG, PDF and PNG of a fixed figure equal, byte for byte, the files committed in
    /// Goldens/ (rendered in another process, on another day). They depend on the Cairo
    /// version and the DejaVu fonts; `cairo-version.txt` says which Cairo made them.
    /// `KYMO_UPDATE_GOLDENS=1` rewrites them in the source tree (and fails, so that it is
    /// never left on): review the new files and commit them when the change is intended.
    func testRendersMatchTheGoldens() throws {
        let fig = try goldenFigure()
        let cairo = String(cString: cairo_version_string())
        let regenerate = "if the change is intended, regenerate with "
            + "`KYMO_UPDATE_GOLDENS=1 swift test --filter CairoOutputTests/testRendersMatchTheGoldens` and commit Tests/FiguresTests/Goldens"
        if ProcessInfo.processInfo.environment["KYMO_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenSource, withIntermediateDirectories: true)
            for format in FigureFormat.allCases {
                try Data(try fig.render(as: format)).write(to: Self.goldenSource.appendingPathComponent("small.\(format.rawValue)"))
            }
            try Data("\(cairo)\n".utf8).write(to: Self.goldenSource.appendingPathComponent("cairo-version.txt"))
            XCTFail("KYMO_UPDATE_GOLDENS=1: rewrote the goldens in \(Self.goldenSource.path) with Cairo \(cairo); "
                    + "check them, commit them, and run again without it")
            return
        }
        let goldens = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Goldens")
        let madeWith = (try? String(contentsOf: goldens.appendingPathComponent("cairo-version.txt"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        for format in FigureFormat.allCases {
            let name = "small.\(format.rawValue)"
            let golden = try XCTUnwrap(FileManager.default.contents(atPath: goldens.appendingPathComponent(name).path),
                                       "missing golden \(name); \(regenerate)")
            let fresh = try fig.render(as: format)
            guard fresh != Array(golden) else { continue }
            // Leave the fresh render where it can be compared with the golden.
            let out = NSTemporaryDirectory() + "kymo-golden-mismatch-\(getpid())-" + name
            try? Data(fresh).write(to: URL(fileURLWithPath: out))
            assertSameBytes(fresh, Array(golden), "\(name) differs from its golden (made with Cairo \(madeWith), "
                            + "this is Cairo \(cairo)); the fresh render is \(out); \(regenerate)")
        }
    }

    func testLargeRastersInSVGArePrescaledImages() throws {
        var noisy = [Float](repeating: 0, count: 64 * 64)
        for i in noisy.indices { noisy[i] = Float((i * 7919) % 251) / 250 }
        let fig = Figure(width: 200, height: 200, panels: [.image([ImageLayer(values: try FloatImage(width: 64, height: 64, pixels: noisy))])])
        let svg = String(decoding: try fig.render(as: .svg), as: UTF8.self)
        XCTAssertTrue(svg.contains("<image id=\"image1\" width=\"512\" height=\"512\""))
        XCTAssertLessThan(svg.utf8.count, 400_000)
    }

    /// Draws a 2×2 raster into 100×100 px and reads the pixels back: no blending between cells.
    func testPNGRastersAreNearestNeighbour() throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 100)!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        let r = CairoRenderer(context: cr, rasterMode: .nearest)
        r.drawImage(RasterImage(width: 2, height: 2, rgb: [255, 0, 0, 0, 0, 255, 0, 255, 0, 255, 255, 255]),
                    in: Rect(x: 0, y: 0, width: 100, height: 100))
        cairo_destroy(cr)
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!
        let stride = Int(cairo_image_surface_get_stride(surface))
        func px(_ x: Int, _ y: Int) -> UInt32 {
            (data + y * stride).withMemoryRebound(to: UInt32.self, capacity: 100) { $0[x] } & 0xFFFFFF
        }
        XCTAssertEqual(px(0, 0), 0xFF0000); XCTAssertEqual(px(49, 49), 0xFF0000)
        XCTAssertEqual(px(50, 0), 0x0000FF); XCTAssertEqual(px(99, 49), 0x0000FF)
        XCTAssertEqual(px(0, 50), 0x00FF00); XCTAssertEqual(px(99, 99), 0xFFFFFF)
    }

    func testRecordingMetricsMatchCairo() throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10)!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        let cairo = CairoRenderer(context: cr, rasterMode: .nearest), rec = RecordingRenderer()
        for text in ["loss", "SAM-ConvLSTM (validation)", "0.025", "Training loss on Moving MNIST", "10⁻³ × 2"] {
            for font in [Font(size: 8), Font(size: 11.5, bold: true)] {
                let a = cairo.measure(text, font: font).width, b = rec.measure(text, font: font).width
                XCTAssertEqual(a, b, accuracy: 0.01 * a + 0.05, "\(text) \(font)")
            }
        }
    }

    // MARK: Saving

    func testSaveWritesTheRenderedBytes() throws {
        let fig = try sample()
        for format in FigureFormat.allCases {
            let path = dir + "/fig." + format.rawValue
            try fig.save(to: path)
            assertSameBytes(Array(try Data(contentsOf: URL(fileURLWithPath: path))), try fig.render(as: format), "saved \(format)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["fig.pdf", "fig.png", "fig.svg"])
    }

    func testFailedRenderLeavesTheExistingFileUntouched() throws {
        let good = try sample()
        for format in FigureFormat.allCases {
            let path = dir + "/keep." + format.rawValue
            try good.save(to: path)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            // PNG: too many pixels for Cairo. SVG/PDF: a figure that cannot be drawn.
            var bad = good
            if format == .png { bad.width = 40_000 } else { bad.rowLabels = ["one", "two", "three"] }
            XCTAssertThrowsError(try bad.save(to: path)) { error in
                guard case let .renderFailed(p, f, _)? = error as? FigureSaveError else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path); XCTAssertEqual(f, format)
                XCTAssertTrue("\(error)".contains(path))
            }
            XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(format) file untouched")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["keep.pdf", "keep.png", "keep.svg"],
                       "no temporary files left behind")
    }

    func testUnwritablePathsAreClearErrors() throws {
        let fig = try sample()
        let missing = dir + "/no/such/dir/fig.svg"
        XCTAssertThrowsError(try fig.save(to: missing)) { error in
            XCTAssertEqual("\(error)", "cannot write figure to '\(missing)': directory '\(dir)/no/such/dir' does not exist")
        }
        let file = dir + "/plain"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data([1])))
        XCTAssertThrowsError(try fig.save(to: file + "/fig.pdf")) { error in
            XCTAssertTrue("\(error)".contains("'\(file)/fig.pdf'") && "\(error)".contains("not a directory"), "\(error)")
        }
        let sub = dir + "/sub.png"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        XCTAssertThrowsError(try fig.save(to: sub)) { error in
            guard case let .cannotWrite(p, _)? = error as? FigureSaveError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, sub)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["plain", "sub.png"])
    }

    func testRenderDemoFiguresWritesEveryFigureInEveryFormat() throws {
        let out = dir + "/demo"
        let paths = try renderDemoFigures(into: out)
        XCTAssertEqual(paths.count, DemoFigures.names.count * 3)
        XCTAssertEqual(paths.first, out + "/loss.svg")
        for p in paths {
            let size = (try FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 1000, p)
        }
        // Deterministic: a second run writes the same bytes.
        let first = try paths.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) }
        _ = try renderDemoFigures(into: out)
        for (p, before) in zip(paths, first) {
            assertSameBytes(Array(try Data(contentsOf: URL(fileURLWithPath: p))), before, p)
        }
    }

    func testPNGsSavedWithADpiSayItAndHaveItsPixels() throws {
        var f = try DemoFigures.figure(named: DemoFigures.names[0])
        let plain = try f.render(as: .png)
        XCTAssertNil(PNGResolution.dpi(of: plain), "no dpi asked, no tag (the bytes as before)")
        f.dpi = 300
        let png = try f.render(as: .png)
        XCTAssertEqual(try XCTUnwrap(PNGResolution.dpi(of: png)), 300, accuracy: 0.01)
        let fitted = try f.fitted()
        let width = Int(png[16]) << 24 | Int(png[17]) << 16 | Int(png[18]) << 8 | Int(png[19])
        XCTAssertEqual(width, Int((fitted.width * 300 / 72).rounded(.up)))
        XCTAssertEqual(PNGResolution.crc32(Array("IEND".utf8)), 0xAE42_6082, "the PNG CRC of IEND")
        XCTAssertEqual(try f.render(as: .png), png, "byte-identical again")
    }

    /// A figure with a translucent band, a faint line and a legend.
    func translucentFigure(style: FigureStyle) throws -> Figure {
        var p = Panel(xAxis: Axis(label: "x"), yAxis: Axis(label: "y"),
                      lines: [try LineSeries(x: [0, 1, 2], y: [1, 2, 1.5], label: "mean"),
                              try LineSeries(x: [0, 1, 2], y: [1.2, 2.1, 1.4], opacity: 0.3)])
        p.bands = [try BandSeries(x: [0, 1, 2], low: [0.8, 1.7, 1.2], high: [1.2, 2.3, 1.8])]
        var f = Figure(width: 240, height: 180, panels: [p], title: "translucent")
        f.style = style
        return f
    }

    func testOpaqueStylePDFsHaveNoTransparencyGroup() throws {
        let text = { (b: [UInt8]) in String(decoding: b, as: UTF8.self) }
        let standard = text(try translucentFigure(style: .standard).render(as: .pdf))
        XCTAssertTrue(standard.contains("/S /Transparency"), "the standard style as before")
        let paperBytes = try translucentFigure(style: .paper).render(as: .pdf)
        let paper = text(paperBytes)
        XCTAssertFalse(paper.contains("/Transparency"), "no page group")
        XCTAssertFalse(paper.contains("/ca 0.") || paper.contains("/CA 0."), "no translucent colour")
        XCTAssertEqual(try translucentFigure(style: .paper).render(as: .pdf), paperBytes, "byte-identical again")
        // the xref offsets still point at their objects
        let startxref = try XCTUnwrap(paper.range(of: "startxref\n"))
        let offset = Int(paper[startxref.upperBound...].prefix { $0.isNumber })!
        XCTAssertTrue(String(decoding: paperBytes[offset..<(offset + 4)], as: UTF8.self) == "xref")
        // every band and line colour drawn is opaque, and the band shows what it showed over white
        let r = RecordingRenderer()
        try translucentFigure(style: .paper).draw(into: r)
        for c in r.calls {
            switch c {
            case let .fill(_, color): XCTAssertEqual(color.alpha, 1)
            case let .stroke(_, st): XCTAssertEqual(st.color.alpha, 1)
            default: break
            }
        }
        XCTAssertEqual(FlatColorRenderer.flat(Color(red: 0, green: 0.5, blue: 1, alpha: 0.2)),
                       Color(red: 0.8, green: 0.9, blue: 1))
    }
}
