// The scoped element accessors, the only way outside TensorEngine to reach a
// tensor's elements (Tensor.data is internal to the engine): withMutableData
// writes in place into the tensor's own storage, shared with its views, and
// withContiguousData reads any view (copying a strided one) in row-major order.
import XCTest
import TensorEngine

final class ScopedDataTests: XCTestCase {
    func testWithMutableDataWritesInPlaceAndViewsSeeIt() throws {
        let t = Tensor(zeros: [2, 3])
        let n = t.withMutableData { p -> Int in
            for i in 0..<p.count { p[i] = Float(i) + 0.5 }
            return p.count
        }
        XCTAssertEqual(n, 6)
        XCTAssertEqual(t.toArray(), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
        let row = try t.select(axis: 0, index: 1)        // a view into the same storage
        XCTAssertTrue(row.storage === t.storage)
        XCTAssertEqual(row.toArray(), [3.5, 4.5, 5.5])
        row.withMutableData { $0[0] = -1 }               // contiguous view: writes land in t
        XCTAssertEqual(t.toArray(), [0.5, 1.5, 2.5, -1, 4.5, 5.5])
    }

    func testWithContiguousDataReadsAStridedViewInRowMajorOrder() throws {
        let t = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let v = try t.transposed(0, 1)                     // [3, 2], not contiguous
        XCTAssertFalse(v.isContiguous)
        XCTAssertEqual(v.withContiguousData { Array($0) }, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(v.withContiguousData { $0.reduce(0, +) }, 21)
    }
}
