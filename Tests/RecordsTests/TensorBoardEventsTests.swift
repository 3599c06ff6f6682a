// TensorBoardEventsTests: the checksums against their published check values,
// and the TFRecord framing of an event file read back by hand (length, both
// masked CRCs). TensorBoard's own reader reads the files in
// Tests/Jupyter/test_kernel.py (CI).
import XCTest
import KymoBase
@testable import Records

final class TensorBoardEventsTests: XCTestCase {
    func testChecksumsMatchTheirCheckValues() {
        let digits = Array("123456789".utf8)
        XCTAssertEqual(CRC32.ieee(digits), 0xCBF4_3926)
        XCTAssertEqual(CRC32.castagnoli(digits), 0xE306_9283)
        XCTAssertEqual(CRC32.castagnoli([]), 0)
        // TensorFlow's mask: rotate right 15, add 0xa282ead8.
        let c = CRC32.castagnoli(digits)
        XCTAssertEqual(CRC32.maskedCastagnoli(digits), ((c >> 15) | (c << 17)) &+ 0xA282_EAD8)
    }

    func testRecordsAreFramedWithMaskedCRCs() throws {
        let payload: [UInt8] = Array("brain.Event:2".utf8)
        let framed = TensorBoardEvents.frame(payload)
        XCTAssertEqual(framed.count, 8 + 4 + payload.count + 4)
        let length = framed[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        XCTAssertEqual(length, UInt64(payload.count))
        func u32(_ at: Int) -> UInt32 { framed[at..<(at + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) } }
        XCTAssertEqual(u32(8), CRC32.maskedCastagnoli(framed[0..<8]))
        XCTAssertEqual(Array(framed[12..<(12 + payload.count)]), payload)
        XCTAssertEqual(u32(12 + payload.count), CRC32.maskedCastagnoli(payload))
    }

    func testAScalarEventIsTheProtobufTensorBoardReads() {
        // Event{wall_time=1 (double), step=2 (varint), summary=5{value=1{tag=1, simple_value=2 (float)}}}
        var e = TensorBoardEvents.Proto()
        e.double(1, 0)
        e.int(2, 300)
        var v = TensorBoardEvents.Proto(); v.string(1, "loss"); v.float(2, 1)
        var s = TensorBoardEvents.Proto(); s.message(1, v)
        e.message(5, s)
        XCTAssertEqual(e.bytes, [0x09, 0, 0, 0, 0, 0, 0, 0, 0,            // wall_time 0.0
                                 0x10, 0xAC, 0x02,                           // step 300
                                 0x2A, 0x0D, 0x0A, 0x0B,                     // summary (13 bytes), value (11)
                                 0x0A, 0x04] + Array("loss".utf8) + [0x15, 0, 0, 0x80, 0x3F])  // tag, 1.0f
    }
}
