// What a saved figure says about itself (FigureMetadata): a PDF's document
// information read back by poppler's pdfinfo (Title, Subject, Creator,
// CreationDate and ModDate from the given date, never the clock), an SVG's
// <title>, a PNG's Title and Software chunks; same metadata, same bytes.

import XCTest
@testable import Figures
@testable import FiguresCairo

final class FigureMetadataTests: XCTestCase {
    func figure(title: String?) throws -> Figure {
        let run = try LossRun(label: "run", steps: [1, 2, 3], loss: [0.3, 0.2, 0.15])
        var fig = try LossPlot.figure(runs: [run], title: title)
        fig.width = 237.6
        fig.style = .paper
        fig.dpi = 300
        fig.metadata = FigureMetadata(date: "2026-11-29T03:55:12.345Z", creator: "Kymo 9.8.7", subject: "loss curves of 1 run(s)")
        return fig
    }

    /// pdfinfo's "Key: value" lines.
    func pdfinfo(_ pdf: [UInt8]) throws -> [String: String] {
        let path = NSTemporaryDirectory() + "kymo-metadata-\(getpid())-\(UUID().uuidString).pdf"
        try Data(pdf).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pdfinfo")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdfinfo") else {
            throw XCTSkip("pdfinfo (poppler-utils, scripts/setup.sh) is not installed")
        }
        p.arguments = ["-isodates", path]
        p.environment = ["TZ": "UTC", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        var fields: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    func testPDFInformationComesFromTheFigureAndItsRunNotTheClock() throws {
        let pdf = try figure(title: "Training loss × 3").render(as: .pdf)
        let info = try pdfinfo(pdf)
        XCTAssertEqual(info["Title"], "Training loss × 3")
        XCTAssertEqual(info["Subject"], "loss curves of 1 run(s)")
        XCTAssertEqual(info["Creator"], "Kymo 9.8.7")
        XCTAssertEqual(info["CreationDate"], "2026-11-29T03:55:12Z")
        XCTAssertEqual(info["ModDate"], "2026-11-29T03:55:12Z")
        XCTAssertEqual(info["Page size"]?.hasPrefix("237.6 x"), true, info["Page size"] ?? "")
        // an untitled figure is titled by what it shows; no date: the pinned one
        var untitled = try figure(title: nil)
        untitled.metadata.date = nil
        let plain = try pdfinfo(try untitled.render(as: .pdf))
        XCTAssertEqual(plain["Title"], "loss curves of 1 run(s)")
        XCTAssertEqual(plain["CreationDate"], "2000-01-01T00:00:00Z")
        // same figure and metadata, same bytes; another date changes only the date
        let again = try figure(title: "Training loss × 3").render(as: .pdf)
        XCTAssertEqual(pdf, again)
        var later = try figure(title: "Training loss × 3")
        later.metadata.date = "2026-12-06T10:00:00Z"
        let other = try later.render(as: .pdf)
        XCTAssertNotEqual(pdf, other)
        XCTAssertEqual(pdf.count, other.count)
        XCTAssertEqual(try pdfinfo(other)["CreationDate"], "2026-12-06T10:00:00Z")
    }

    func testDocumentDatesAreCutToSecondsAndMalformedOnesPinned() {
        XCTAssertEqual(FigureMetadata(date: "2026-11-29T03:55:12.345Z").documentDate, "2026-11-29T03:55:12Z")
        XCTAssertEqual(FigureMetadata(date: "2026-11-29T03:55:12Z").documentDate, "2026-11-29T03:55:12Z")
        XCTAssertEqual(FigureMetadata(date: "yesterday").documentDate, FigureMetadata.pinnedDate)
        XCTAssertEqual(FigureMetadata(date: "2026/11/29 03:55:12").documentDate, FigureMetadata.pinnedDate)
    }

    func testSVGHasATitleAndPNGItsTextChunks() throws {
        let fig = try figure(title: "Loss <of> \"runs\" & more")
        let svg = String(decoding: try fig.render(as: .svg), as: UTF8.self)
        XCTAssertTrue(svg.contains("<title>Loss &lt;of&gt; &quot;runs&quot; &amp; more</title>"), String(svg.prefix(300)))
        let titleAt = try XCTUnwrap(svg.range(of: "<title>")), rootAt = try XCTUnwrap(svg.range(of: "<svg"))
        XCTAssertLessThan(rootAt.lowerBound, titleAt.lowerBound)
        XCTAssertEqual(svg.components(separatedBy: "<title>").count, 2, "one title")
        XCTAssertLessThan(titleAt.lowerBound, try XCTUnwrap(svg.range(of: "<path")).lowerBound, "before anything drawn")
        // Latin-1 text as tEXt, anything else as iTXt (UTF-8)
        var png = try fig.render(as: .png)
        XCTAssertEqual(PNGText.texts(of: png), ["Title": "Loss <of> \"runs\" & more", "Software": "Kymo 9.8.7"])
        XCTAssertTrue(String(decoding: png, as: UTF8.self).contains("tEXtTitle"))
        png = try figure(title: "MSE (sum over H×W) — 3 runs").render(as: .png)
        XCTAssertEqual(PNGText.texts(of: png)["Title"], "MSE (sum over H×W) — 3 runs")
        XCTAssertTrue(String(decoding: png, as: UTF8.self).contains("iTXtTitle"))
        XCTAssertEqual(PNGResolution.dpi(of: png).map { Int($0.rounded()) }, 300, "the resolution chunk stays")
        // every chunk's CRC is right (a reader would reject the file otherwise)
        var i = 8
        while i + 12 <= png.count {
            let n = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            let crc = UInt32(png[i + 8 + n]) << 24 | UInt32(png[i + 9 + n]) << 16 | UInt32(png[i + 10 + n]) << 8 | UInt32(png[i + 11 + n])
            XCTAssertEqual(PNGResolution.crc32(Array(png[(i + 4)..<(i + 8 + n)])), crc, "chunk at \(i)")
            i += 12 + n
        }
        XCTAssertEqual(i, png.count)
    }
}
