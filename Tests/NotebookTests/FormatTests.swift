// FormatTests: format(x, spec) against Python's format() on the table that
// reference/format_goldens.py wrote (Fixtures/format_goldens.tsv), plus the
// specs Kymo rejects and the table built-in's layout.

import Foundation
import XCTest
@testable import KymoLanguage
@testable import Notebook

final class FormatTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/format_goldens.tsv")

    func testMatchesPythonFormat() throws {
        let text = try String(contentsOf: FormatTests.fixture, encoding: .utf8)
        var checked = 0
        var failures: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix("#") && !line.isEmpty {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f.count, 4, "bad fixture line \(line)")
            guard f.count == 4 else { continue }
            let value: Value
            switch f[0] {
            case "float": value = .float(Double(f[1])!)
            case "int": value = .int(Int(f[1])!)
            default: value = .string(f[1])
            }
            do {
                let got = try FormatSpec(f[2]).apply(value)
                if got != f[3] { failures.append("format(\(f[1]), \"\(f[2])\"): got \"\(got)\", Python \"\(f[3])\"") }
            } catch {
                failures.append("format(\(f[1]), \"\(f[2])\"): threw \(error)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1000)
        XCTAssert(failures.isEmpty, "\(failures.count) of \(checked) differ from Python:\n" + failures.prefix(40).joined(separator: "\n"))
    }

    func testRejectedSpecs() {
        for (value, spec, message) in [
            (Value.float(1.5), ".3q", "unexpected 'q'"), (.float(1.5), ".f", "followed by a precision"),
            (.float(1.5), "d", "type 'd' formats ints"), (.int(3), ".2d", "precision is not allowed"),
            (.string("a"), ".2f", "formats numbers"), (.string("a"), "+", "sign is not allowed"),
            (.float(1), "99999w", "too large"), (.float(1), ".500f", "too large"),
        ] as [(Value, String, String)] {
            XCTAssertThrowsError(try FormatSpec(spec).apply(value), "\(spec)") { e in
                XCTAssert("\((e as? FormatSpec.Invalid)?.message ?? "\(e)")".contains(message), "\(spec): \(e)")
            }
        }
    }

    func testExactExpansion() {
        // 0.1 is 0.1000000000000000055511151231257827021181583404541015625 exactly.
        XCTAssertEqual(DecimalExpansion(0.1).fixed(55), "0.1000000000000000055511151231257827021181583404541015625")
        XCTAssertEqual(DecimalExpansion(5e-324).exponent(3, upper: false), "4.941e-324")
        XCTAssertEqual(DecimalExpansion(0.5).fixed(0), "0")
        XCTAssertEqual(DecimalExpansion(1.5).fixed(0), "2")
        XCTAssertEqual(DecimalExpansion(0.0006).fixed(2), "0.00")
        XCTAssertEqual(DecimalExpansion(0.006).fixed(2), "0.01")
        XCTAssertEqual(DecimalExpansion(9.96).fixed(1), "10.0")
    }

    func testTableLayout() throws {
        let rows = Value.list([
            .record(Record([("model", .string("ConvLSTM")), ("mse", .float(153.34001799646467)), ("params", .int(178960)),
                            ("per_frame", .list([.float(1)]))])),
            .record(Record([("model", .string("SAM")), ("mse", .float(9.5)), ("params", .int(7))])),
        ])
        XCTAssertEqual(try Table.render(rows, columns: .null, format: .null, label: ""), """
            model       mse  params
            --------  -----  ------
            ConvLSTM  153.3  178960
            SAM         9.5       7

            """)
        XCTAssertEqual(try Table.render(rows, columns: .list([.string("mse"), .string("model")]), format: .string(".2f"), label: ""), """
               mse  model
            ------  --------
            153.34  ConvLSTM
              9.50  SAM

            """)
        let byName = Value.record(Record([("a", .record(Record([("x", .float(0.5))]))),
                                          ("bb", .record(Record([("x", .float(0.25)), ("y", .bool(true))])))]))
        XCTAssertEqual(try Table.render(byName, columns: .null, format: .record(Record([("x", .string(".1%"))])), label: "name"), """
            name      x  y
            ----  -----  ----
            a     50.0%
            bb    25.0%  true

            """)
        XCTAssertThrowsError(try Table.render(rows, columns: .list([.string("mes")]), format: .null, label: "")) { e in
            XCTAssertEqual("\(e)", "table: no row has a column 'mes'; did you mean 'mse'?")
        }
        XCTAssertThrowsError(try Table.render(.list([.int(1)]), columns: .null, format: .null, label: "")) { e in
            XCTAssertEqual("\(e)", "table: row 0 must be a record, got int")
        }
    }
}
