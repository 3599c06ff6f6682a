import XCTest
@testable import TensorEngine

final class RandomTests: XCTestCase {
    // Known-answer vectors of Random123 (kat_vectors, philox4x32_10).
    func testPhiloxKnownAnswers() {
        func check(_ c: (UInt32, UInt32, UInt32, UInt32), _ k: (UInt32, UInt32), _ e: [UInt32]) {
            let r = philox4x32(counter: c, key: k)
            XCTAssertEqual([r.0, r.1, r.2, r.3], e)
        }
        check((0, 0, 0, 0), (0, 0), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8])
        check((0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), (0xffffffff, 0xffffffff),
              [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd])
        check((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
              [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1])
    }
}
