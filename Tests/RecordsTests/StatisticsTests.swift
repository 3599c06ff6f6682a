// Statistics against SciPy: the regularized incomplete beta function, the t
// distribution's CDF, two-sided tail and quantiles, sample summaries with
// their 95 % t-interval, and Welch's test — every value from
// Reference/statistics_reference.json (made by statistics_reference.py
// beside it; CI reads only the JSON). Tolerance 1e-10 absolute, and relative
// for quantities that can be large.
import Foundation
import XCTest
@testable import Records

final class StatisticsTests: XCTestCase {
    // Read once, never mutated: safe to share between tests.
    nonisolated(unsafe) static let reference: [String: Any] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Reference/statistics_reference.json"
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    func rows(_ key: String) throws -> [[String: Any]] {
        let r = try XCTUnwrap(Self.reference[key] as? [[String: Any]], "reference JSON lacks '\(key)'")
        XCTAssertFalse(r.isEmpty)
        return r
    }

    func near(_ a: Double, _ b: Double, _ what: String, tol: Double = 1e-10, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(a - b), tol * max(1, abs(b)), "\(what): \(a) vs SciPy \(b)", file: file, line: line)
    }

    func num(_ r: [String: Any], _ k: String) -> Double { (r[k] as? NSNumber)?.doubleValue ?? .nan }

    func testIncompleteBetaMatchesSciPy() throws {
        for r in try rows("betainc") {
            let (a, b, x) = (num(r, "a"), num(r, "b"), num(r, "x"))
            near(Statistics.regularizedIncompleteBeta(a, b, x), num(r, "value"), "I_\(x)(\(a), \(b))")
        }
    }

    func testStudentTCDFAndTwoSidedTailMatchSciPy() throws {
        for r in try rows("tcdf") {
            let (t, df) = (num(r, "t"), num(r, "df"))
            near(Statistics.studentTCDF(t, df: df), num(r, "value"), "cdf(\(t), df \(df))")
            near(Statistics.twoSidedTail(t, df: df), num(r, "sf2"), "2·sf(|\(t)|, df \(df))")
        }
    }

    func testStudentTQuantilesMatchSciPy() throws {
        for r in try rows("tppf") {
            let (p, df) = (num(r, "p"), num(r, "df"))
            near(Statistics.studentTQuantile(p, df: df), num(r, "value"), "ppf(\(p), df \(df))")
        }
    }

    func testSummariesMatchSciPy() throws {
        let all = try XCTUnwrap(Self.reference["summaries"] as? [String: [String: Any]])
        XCTAssertEqual(all.count, 5)
        for (name, r) in all {
            let values = try XCTUnwrap(r["values"] as? [Double])
            let s = Statistics.summary(values)
            XCTAssertEqual(s.n, r["n"] as? Int)
            near(s.mean, num(r, "mean"), "\(name) mean")
            near(try XCTUnwrap(s.sd), num(r, "sd"), "\(name) sd")
            let ci = try XCTUnwrap(s.interval)
            near(ci.low, num(r, "low"), "\(name) interval low")
            near(ci.high, num(r, "high"), "\(name) interval high")
        }
        XCTAssertNil(Statistics.summary([3]).sd)
        XCTAssertNil(Statistics.summary([3]).interval)
    }

    func testWelchMatchesSciPy() throws {
        let samples = try XCTUnwrap(Self.reference["summaries"] as? [String: [String: Any]])
        for r in try rows("welch") {
            let a = try XCTUnwrap(samples[r["a"] as! String]?["values"] as? [Double])
            let b = try XCTUnwrap(samples[r["b"] as! String]?["values"] as? [Double])
            let w = try XCTUnwrap(Statistics.welch(a, b))
            let what = "welch(\(r["a"]!), \(r["b"]!))"
            near(w.t, num(r, "t"), what + " t")
            near(w.df, num(r, "df"), what + " df")
            near(w.p, num(r, "p"), what + " p")
            near(w.difference, num(r, "difference"), what + " difference")
            near(w.low, num(r, "low"), what + " low")
            near(w.high, num(r, "high"), what + " high")
        }
        XCTAssertNil(Statistics.welch([1], [2, 3]))
        let same = try XCTUnwrap(Statistics.welch([2, 2], [2, 2, 2]))
        XCTAssertEqual(same.p, 1)
    }

    // Read once, never mutated: safe to share between tests.
    nonisolated(unsafe) static let pairedHolm: [String: Any] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Reference/paired_holm_reference.json"
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    /// SciPy's `ttest_rel` (Reference/paired_holm_reference.py); the first case
    /// is the paper sweep's MSE, SAM-ConvLSTM against SA-ConvLSTM by seed.
    func testPairedTestMatchesSciPy() throws {
        let cases = try XCTUnwrap(Self.pairedHolm["paired"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 5)
        for r in cases {
            let a = try XCTUnwrap(r["a"] as? [Double]), b = try XCTUnwrap(r["b"] as? [Double])
            let w = try XCTUnwrap(Statistics.paired(a, b))
            let what = "paired(\(a), \(b))"
            near(w.t, num(r, "t"), what + " t")
            near(w.df, num(r, "df"), what + " df")
            near(w.p, num(r, "p"), what + " p")
            near(w.difference, num(r, "difference"), what + " difference")
            near(w.low, num(r, "low"), what + " low")
            near(w.high, num(r, "high"), what + " high")
        }
        XCTAssertNil(Statistics.paired([1], [2]))
        // Pairing matters: the same numbers unpaired are far from significant.
        let first = cases[0]
        let a = first["a"] as! [Double], b = first["b"] as! [Double]
        XCTAssertLessThan(Statistics.paired(a, b)!.p, 0.05)
        XCTAssertGreaterThan(Statistics.welch(a, b)!.p, 0.2)
        // Constant differences: exact, no interval width.
        let exact = try XCTUnwrap(Statistics.paired([1, 2, 3], [0, 1, 2]))
        XCTAssertEqual(exact.p, 0)
        XCTAssertEqual(exact.low, 1)
    }

    /// statsmodels' `multipletests(method="holm")`.
    func testHolmMatchesStatsmodels() throws {
        let cases = try XCTUnwrap(Self.pairedHolm["holm"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 6)
        for r in cases {
            let ps = try XCTUnwrap(r["p"] as? [Double]), want = try XCTUnwrap(r["adjusted"] as? [Double])
            let got = Statistics.holm(ps)
            XCTAssertEqual(got.count, want.count)
            for (g, w) in zip(got, want) { near(g, w, "holm(\(ps))") }
        }
        XCTAssertEqual(Statistics.holm([]), [])
    }
}
