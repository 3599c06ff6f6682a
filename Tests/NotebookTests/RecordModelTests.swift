// Record model: metric values round-trip bit for bit through record.json
// (NaN payloads, ±Inf, −0, subnormals), the readable decimals must agree with
// the bits, ids sort by time.
import Foundation
import XCTest
import Records
import TestSupport
@testable import KymoLanguage
@testable import Notebook
import TensorEngine

final class RecordModelTests: XCTestCase {
    static let doubles: [Double] = [
        0, -0.0, 1, -1, 0.1, 1.0 / 3.0, .pi, 1e-300, -1e300,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude,
        .infinity, -.infinity, .nan, -.nan,
        Double(bitPattern: 0x7FF8_0000_0000_1234),   // quiet NaN with a payload
        Double(bitPattern: 0x7FF0_0000_0000_0001),   // signaling NaN
        Double(bitPattern: 0xFFF4_0000_DEAD_BEEF),   // negative signaling NaN with a payload
    ]

    static let floats: [Float] = [
        0, -0.0, 0.1, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, 3.4028235e38,
        .infinity, -.infinity, .nan,
        Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFA0_BEEF),
    ]

    func roundTrip(_ v: ExactValues) throws -> ExactValues {
        var r = RecordFixtures.record()
        r.metrics = [MetricSeriesRecord(name: "m", source: "log", steps: Array(0..<v.count), values: v)]
        let data = try RecordSeal.fileBytes(&r)
        return try RunStore.decode(data, path: "test.json").metrics[0].values
    }

    func testDoublesRoundTripBitForBit() throws {
        let back = try roundTrip(ExactValues(Self.doubles))
        XCTAssertEqual(back.width, .f64)
        XCTAssertEqual(back.bits, Self.doubles.map(\.bitPattern))
        XCTAssertEqual(back.doubles.map(\.bitPattern), Self.doubles.map(\.bitPattern))
    }

    func testFloatsRoundTripBitForBit() throws {
        let back = try roundTrip(ExactValues(Self.floats))
        XCTAssertEqual(back.width, .f32)
        XCTAssertEqual(back.bits.map { UInt32($0) }, Self.floats.map(\.bitPattern))
    }

    func testReadableValuesAreWrittenBesideTheBits() throws {
        var r = RecordFixtures.record()
        r.metrics = [MetricSeriesRecord(name: "m", source: "log", steps: [1, 2, 3, 4], values: ExactValues([0.1, -.infinity, .nan, -0.0]))]
        let text = String(decoding: try RecordSeal.fileBytes(&r), as: UTF8.self)
        XCTAssertTrue(text.contains("0.1,"), text)
        XCTAssertTrue(text.contains("\"-inf\""))
        XCTAssertTrue(text.contains("\"nan\""))
        XCTAssertTrue(text.contains("3fb999999999999afff00000000000007ff80000000000008000000000000000"), "bits of 0.1, -inf, nan, -0")
    }

    func testReadableValueThatContradictsItsBitsIsRefused() throws {
        var r = RecordFixtures.record(loss: [0.5])
        let data = try RecordSeal.fileBytes(&r)
        // Change the readable decimal but not the bits.
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var metrics = object["metrics"] as! [[String: Any]]
        var values = metrics[0]["values"] as! [String: Any]
        values["values"] = [0.75]
        metrics[0]["values"] = values
        object["metrics"] = metrics
        let edited = try JSONSerialization.data(withJSONObject: object)
        XCTAssertThrowsError(try RunStore.decode(edited, path: "x.json")) { e in
            guard case .invalid(_, let detail)? = e as? RecordError else { return XCTFail("\(e)") }
            XCTAssertTrue(detail.contains("its bits say 0.5"), detail)
        }
    }

    func testSealCoversEveryField() throws {
        let a = RecordFixtures.record()
        var b = a
        b.cells[1].output = "loss 0.0626\n"
        XCTAssertNotEqual(try RecordSeal.seal(of: a), try RecordSeal.seal(of: b))
        var c = a
        c.seal = "anything"
        XCTAssertEqual(try RecordSeal.seal(of: a), try RecordSeal.seal(of: c), "the seal does not cover itself")
    }

    func testIdsSortByTimeAndDifferByContent() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let a = RunID.make(start: t0, notebookSHA256: "x", seed: 0, overrides: [])
        let b = RunID.make(start: t0.addingTimeInterval(1), notebookSHA256: "x", seed: 0, overrides: [])
        let c = RunID.make(start: t0, notebookSHA256: "y", seed: 0, overrides: [])
        XCTAssertTrue(a.hasPrefix("20270115-080000-"), a)
        XCTAssertTrue(RunID.isWellFormed(a))
        XCTAssertLessThan(a, b)
        XCTAssertNotEqual(a, c)
    }

}

final class RecordValueDigestTests: XCTestCase {
    final class FakeModel: HostObject {
        var weights: [Float]
        var describeCalls = 0
        init(_ w: [Float]) { weights = w }
        var kindName: String { "model" }
        var propertyNames: [String] { ["parameters", "count"] }
        func property(_ name: String) throws -> Value? {
            guard name == "parameters" else { return nil }
            return .record(Record([("w", .host(TensorValue(try Tensor(weights, shape: [weights.count]))))]))
        }
        func describe(indent: Int) -> String { describeCalls += 1; return "model with \(weights.count) parameters" }
    }

    func testDigestsFollowContentNotIdentity() throws {
        let a = ValueDigester.digest(.list([.int(1), .float(2.5), .string("x"), .record(Record([("k", .bool(true))]))]))
        XCTAssertEqual(a, ValueDigester.digest(.list([.int(1), .float(2.5), .string("x"), .record(Record([("k", .bool(true))]))])))
        XCTAssertNotEqual(a, ValueDigester.digest(.list([.int(1), .float(2.5), .string("x"), .record(Record([("j", .bool(true))]))])))
        XCTAssertNotEqual(ValueDigester.digest(.int(1)), ValueDigester.digest(.float(1)), "types are part of the digest")
        XCTAssertNotEqual(ValueDigester.digest(.float(0)), ValueDigester.digest(.float(-0.0)))
        XCTAssertNotEqual(ValueDigester.digest(.list([.string("ab"), .string("c")])), ValueDigester.digest(.list([.string("a"), .string("bc")])))
        let t1 = TensorValue(try Tensor([1, 2, 3, 4], shape: [2, 2]))
        let t2 = TensorValue(try Tensor([1, 2, 3, 4], shape: [2, 2]))
        let t3 = TensorValue(try Tensor([1, 2, 3, 4], shape: [4]))
        XCTAssertEqual(ValueDigester.digest(.host(t1)), ValueDigester.digest(.host(t2)))
        XCTAssertNotEqual(ValueDigester.digest(.host(t1)), ValueDigester.digest(.host(t3)), "shape counts")
        // Models by their weights' bits, not their description.
        let m1 = FakeModel([0.5, 0.25]), m2 = FakeModel([0.5, 0.25]), m3 = FakeModel([0.5, 0.25000003])
        XCTAssertEqual(ValueDigester.digest(.host(m1)), ValueDigester.digest(.host(m2)))
        XCTAssertNotEqual(ValueDigester.digest(.host(m1)), ValueDigester.digest(.host(m3)))
        XCTAssertEqual(m1.describeCalls, 0)
    }
}

extension RecordValueDigestTests {
    func testDeeplyNestedValuesDigestWithoutRecursion() {
        var v = Value.int(0)
        for _ in 0..<20_000 { v = .list([v]) }
        let a = ValueDigester.digest(v)
        XCTAssertEqual(a.count, 64)
        XCTAssertNotEqual(a, ValueDigester.digest(.list([v])))
        // Order inside records and lists is part of the digest.
        XCTAssertNotEqual(ValueDigester.digest(.record(Record([("a", .int(1)), ("b", .int(2))]))),
                          ValueDigester.digest(.record(Record([("b", .int(2)), ("a", .int(1))]))))
    }
}
