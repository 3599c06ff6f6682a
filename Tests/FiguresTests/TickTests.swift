// Tick choice and tick labels: nice steps, exact decimals, log decades.

import XCTest
@testable import Figures

final class TickTests: XCTestCase {
    func labels(_ t: AxisTicks) -> [String] { t.major.map(\.label) }

    func testStepsAreOneTwoTwoPointFiveOrFiveTimesAPowerOfTen() {
        for (lo, hi) in [(0.0, 1.0), (0.0, 3000.0), (-7.3, 12.9), (0.0123, 0.0456), (1e-7, 3e-7), (100.0, 100.5)] {
            for maxTicks in 2...9 {
                let t = TickGenerator.linear(lower: lo, upper: hi, maxTicks: maxTicks, mode: .loose)
                // A loose range around zero needs −s, 0 and s.
                XCTAssertLessThanOrEqual(t.major.count, lo < 0 && hi > 0 ? max(maxTicks, 3) : maxTicks, "\(lo)...\(hi) max \(maxTicks)")
                XCTAssertGreaterThanOrEqual(t.major.count, 2)
                let step = t.major[1].value - t.major[0].value
                let e = floor(log10(step) + 1e-9)
                let m = step / pow(10, e)
                XCTAssertTrue([1, 2, 2.5, 5].contains { abs($0 - m) < 1e-6 }, "step \(step) for \(lo)...\(hi)")
                XCTAssertLessThanOrEqual(t.lower, lo); XCTAssertGreaterThanOrEqual(t.upper, hi)
            }
        }
    }

    func testLooseBoundsLandOnTicks() {
        let t = TickGenerator.linear(lower: 0.013, upper: 0.087, maxTicks: 5, mode: .loose)
        XCTAssertEqual(t.lower, t.major.first!.value)
        XCTAssertEqual(t.upper, t.major.last!.value)
        XCTAssertEqual(labels(t), ["0.000", "0.025", "0.050", "0.075", "0.100"])
    }

    func testLabelsHaveNoFloatNoiseAndShareDecimals() {
        let t = TickGenerator.linear(lower: 0, upper: 0.7, maxTicks: 8, mode: .loose)
        XCTAssertEqual(labels(t), ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
        let q = TickGenerator.linear(lower: 0, upper: 1, maxTicks: 5, mode: .loose)
        XCTAssertEqual(labels(q), ["0.00", "0.25", "0.50", "0.75", "1.00"])
        let big = TickGenerator.linear(lower: 0, upper: 3000, maxTicks: 7, mode: .loose)
        XCTAssertEqual(labels(big), ["0", "500", "1000", "1500", "2000", "2500", "3000"])
    }

    func testNegativeValuesUseTheMinusSign() {
        let t = TickGenerator.linear(lower: -1, upper: 1, maxTicks: 5, mode: .loose)
        XCTAssertEqual(labels(t), ["\u{2212}1.0", "\u{2212}0.5", "0.0", "0.5", "1.0"])
    }

    func testLargeAndSmallMagnitudesFactorOutAPowerOfTen() {
        let small = TickGenerator.linear(lower: 0, upper: 0.0031, maxTicks: 5, mode: .loose)
        XCTAssertEqual(small.multiplier, "×10⁻³")
        XCTAssertEqual(labels(small), ["0", "1", "2", "3", "4"])
        let large = TickGenerator.linear(lower: 0, upper: 250_000, maxTicks: 6, mode: .loose)
        XCTAssertEqual(large.multiplier, "×10⁵")
        XCTAssertEqual(labels(large), ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
        XCTAssertNil(TickGenerator.linear(lower: 0, upper: 5000, maxTicks: 6, mode: .loose).multiplier)
    }

    func testIntegerTicksNeverStepByFractions() {
        let t = TickGenerator.linear(lower: 10.5, upper: 20.5, maxTicks: 20, mode: .tight, integerOnly: true)
        XCTAssertEqual(labels(t), (11...20).map(String.init))
        let u = TickGenerator.linear(lower: 1, upper: 3, maxTicks: 9, mode: .loose, integerOnly: true)
        XCTAssertEqual(labels(u), ["1", "2", "3"])
    }

    func testTightRangeKeepsTheDataBounds() {
        let t = TickGenerator.linear(lower: 0.33, upper: 0.91, maxTicks: 5, mode: .tight)
        XCTAssertEqual(t.lower, 0.33); XCTAssertEqual(t.upper, 0.91)
        XCTAssertTrue(t.major.allSatisfy { $0.value >= 0.33 && $0.value <= 0.91 })
        XCTAssertEqual(labels(t), ["0.4", "0.6", "0.8"])
    }

    func testDegenerateRangeStillGetsTicks() {
        let t = TickGenerator.linear(lower: 2, upper: 2, maxTicks: 5, mode: .loose)
        XCTAssertGreaterThanOrEqual(t.major.count, 2)
        XCTAssertLessThan(t.lower, 2); XCTAssertGreaterThan(t.upper, 2)
    }

    func testLogAxisOverManyDecadesTicksAtDecades() {
        let t = TickGenerator.log(lower: 0.0013, upper: 870, maxTicks: 7, mode: .loose)
        XCTAssertEqual(labels(t), ["10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³"])
        XCTAssertEqual(t.lower, 0.001, accuracy: 1e-15)
        XCTAssertEqual(t.upper, 1000)
        XCTAssertTrue(t.minor.contains(0.002) && t.minor.contains(900))
    }

    func testLogAxisOverFewDecadesLabelsOneTwoFive() {
        let t = TickGenerator.log(lower: 0.0115, upper: 0.09, maxTicks: 6, mode: .loose)
        XCTAssertEqual(labels(t), ["0.01", "0.02", "0.05", "0.1"])
        XCTAssertEqual(t.lower, 0.01, accuracy: 1e-15)
        XCTAssertEqual(t.upper, 0.1, accuracy: 1e-15)
    }

    func testLogAxisThinsDecadesWhenCrowded() {
        let t = TickGenerator.log(lower: 1e-8, upper: 1e8, maxTicks: 5, mode: .loose)
        XCTAssertLessThanOrEqual(t.major.count, 5)
        XCTAssertTrue(labels(t).contains("10⁰"))
    }

    func testDecimalFormatting() {
        XCTAssertEqual(TickLabels.decimal(25, exponent: -3), "0.025")
        XCTAssertEqual(TickLabels.decimal(300, exponent: -2), "3")
        XCTAssertEqual(TickLabels.decimal(-5, exponent: 2), "\u{2212}500")
        XCTAssertEqual(TickLabels.powerOfTen(-12), "10⁻¹²")
    }
}

final class TickNotationTests: XCTestCase {
    /// A log axis writes all its ticks in one notation: 5×10⁻⁴ beside 10⁻³ and
    /// 2×10⁻³, never 0.005 beside 5×10⁻⁴ (a learning-rate axis).
    func testALogAxisUsesOneNotation() {
        let t = TickGenerator.log(lower: 4e-4, upper: 6e-3, maxTicks: 6, mode: .tight)
        let labels = t.major.map(\.label)
        XCTAssertEqual(labels, ["5×10⁻⁴", "10⁻³", "2×10⁻³", "5×10⁻³"])
        let plain = TickGenerator.log(lower: 0.02, upper: 0.3, maxTicks: 6, mode: .tight).major.map(\.label)
        XCTAssertEqual(plain, ["0.02", "0.05", "0.1", "0.2"], "decimals when every tick reads well so")
    }
}
