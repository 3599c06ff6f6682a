// Colour maps against their published definitions, and the line cycle.

import XCTest
@testable import Figures

final class ColorMapTests: XCTestCase {
    func hex(_ c: Color) -> String { c.hexString }

    func testViridisAndMagmaMatchThePublishedTables() {
        XCTAssertEqual(ColorMap.viridis.entryCount, 256)
        XCTAssertEqual(ColorMap.magma.entryCount, 256)
        // Well-known hex values of the published maps.
        XCTAssertEqual(hex(ColorMap.viridis.entry(0)), "#440154")
        XCTAssertEqual(hex(ColorMap.viridis.entry(128)), "#21918c")
        XCTAssertEqual(hex(ColorMap.viridis.entry(255)), "#fde725")
        XCTAssertEqual(hex(ColorMap.magma.entry(0)), "#000004")
        XCTAssertEqual(hex(ColorMap.magma.entry(128)), "#b73779")
        XCTAssertEqual(hex(ColorMap.magma.entry(255)), "#fcfdbf")
        XCTAssertEqual(hex(ColorMap.viridis.color(at: 0)), "#440154")
        XCTAssertEqual(hex(ColorMap.viridis.color(at: 1)), "#fde725")
    }

    /// Transcription check: neighbouring entries of a smooth map change smoothly.
    func testTablesAreSmooth() {
        for map in [ColorMap.viridis, ColorMap.magma] {
            for i in 1..<(map.entryCount - 1) {
                let a = map.entry(i - 1), b = map.entry(i), c = map.entry(i + 1)
                let second = abs(a.red - 2 * b.red + c.red) + abs(a.green - 2 * b.green + c.green)
                    + abs(a.blue - 2 * b.blue + c.blue)
                XCTAssertLessThan(second, 0.004, "\(map.name) entry \(i)")
            }
        }
    }

    func testPerceptualMapsGetLighterMonotonically() {
        func lin(_ u: Double) -> Double { u > 0.04045 ? pow((u + 0.055) / 1.055, 2.4) : u / 12.92 }
        func luminance(_ c: Color) -> Double { 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue) }
        for map in [ColorMap.viridis, ColorMap.magma] {
            for i in 1..<map.entryCount {
                XCTAssertGreaterThan(luminance(map.entry(i)), luminance(map.entry(i - 1)) - 1e-9, "\(map.name) \(i)")
            }
        }
    }

    func testCoolWarmFollowsMorelandsDefinition() {
        let m = ColorMap.coolWarm
        XCTAssertEqual(hex(m.color(at: 0)), "#3b4cc0")  // (59, 76, 192)
        XCTAssertEqual(hex(m.color(at: 1)), "#b40426")  // (180, 4, 38)
        // Moreland's published 33-entry table: 0.5 → (221, 221, 221), 0.25 → (141, 176, 254), 1/32 → (68, 90, 204).
        func near(_ c: Color, _ r: Int, _ g: Int, _ b: Int, file: StaticString = #filePath, line: UInt = #line) {
            let (cr, cg, cb) = c.rgb8
            XCTAssertLessThanOrEqual(abs(Int(cr) - r), 2, file: file, line: line)
            XCTAssertLessThanOrEqual(abs(Int(cg) - g), 2, file: file, line: line)
            XCTAssertLessThanOrEqual(abs(Int(cb) - b), 2, file: file, line: line)
        }
        near(m.color(at: 0.5), 221, 221, 221)
        near(m.color(at: 0.25), 141, 176, 254)
        near(m.color(at: 1.0 / 32), 68, 90, 204)
    }

    func testValueLookupClampsAndFlagsNaN() {
        let m = ColorMap.viridis
        XCTAssertEqual(m.color(of: -5, in: 0...1), m.color(at: 0))
        XCTAssertEqual(m.color(of: 7, in: 0...1), m.color(at: 1))
        XCTAssertEqual(m.color(of: .nan, in: 0...1), m.badColor)
        XCTAssertEqual(hex(ColorMap.gray.color(of: 0.5, in: 0...1)), "#808080")
    }

    func testOkabeItoCycle() {
        XCTAssertEqual(Color.okabeIto.map(\.hexString),
                       ["#0072b2", "#d55e00", "#009e73", "#e69f00", "#cc79a7", "#56b4e9", "#000000", "#f0e442"])
        XCTAssertEqual(Color.cycle(8), Color.cycle(0))
        XCTAssertEqual(Color.cycle(-1), Color.cycle(7))
    }
}
