// A safetensors file whose tensor has no elements but an axis of
// 9223372036854775807 (`[0, 9223372036854775807]`): refused when read, so
// no op (a transpose's strides, an allocation) ever computes with it.
import Foundation
import XCTest
@testable import TensorEngine

final class HostileTensorFileTests: XCTestCase {
    func safetensors(shape: String) -> Data {
        var data = Data()
        let header = #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,0]}}"#
        var len = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        return data
    }

    func testAnEmptyTensorWithAnImpossibleAxisIsRefused() throws {
        for shape in ["[0, 9223372036854775807]", "[9223372036854775807, 0]", "[0, 4611686018427387904, 4]"] {
            XCTAssertThrowsError(try Safetensors.decode(safetensors(shape: shape), path: "evil.safetensors"), shape) { e in
                XCTAssertTrue("\(e)".contains("impossibly large"), "\(e)")
            }
        }
        // An honest empty tensor still reads, and transposes.
        let ok = try Safetensors.decode(safetensors(shape: "[0, 3]"))
        XCTAssertEqual(ok.tensors.first?.tensor.shape, [0, 3])
        XCTAssertEqual(try ok.tensors.first?.tensor.transposed(0, 1).shape, [3, 0])
        // A large but addressable empty shape is read, and ops on it neither trap nor allocate.
        let wide = try Safetensors.decode(safetensors(shape: "[0, 1099511627776]")).tensors[0].tensor
        let t = try wide.transposed(0, 1)
        XCTAssertEqual(t.shape, [1 << 40, 0])
        XCTAssertEqual(t.scaled(by: 2).shape, [1 << 40, 0])
        XCTAssertEqual(t.contiguous().shape, [1 << 40, 0])
        XCTAssertTrue(isAddressableShape([0, 1 << 40]))
        XCTAssertFalse(isAddressableShape([0, Int.max]))
        XCTAssertFalse(isAddressableShape([-1]))
    }
}
