// The memo of transformed Winograd weights (WinogradWeightMemo.swift) changes
// speed only: a reused transform is bit for bit a fresh one, and weights that
// changed in place (as an optimizer update changes them) are transformed again.
import XCTest
import TestSupport
@testable import TensorEngine

final class WinogradWeightMemoTests: XCTestCase {
    func fresh(_ w: Tensor, flipped: Bool) -> [Float] {
        let cout = w.shape[0], cin = w.shape[1]
        let v = winogradWeights(w.data, cout: cout, cin: cin, flipped: flipped)
        return Array(UnsafeBufferPointer(start: v.pointer, count: 16 * cout * cin))
    }

    func memo(_ w: Tensor, flipped: Bool) -> [Float] {
        let cout = w.shape[0], cin = w.shape[1]
        let k = WinogradWeightMemo.weights(w.data, cout: cout, cin: cin, flipped: flipped)
        return withExtendedLifetime(k) { Array(UnsafeBufferPointer(start: k.v.pointer, count: 16 * cout * cin)) }
    }

    /// The memo's packed weights (WinogradKernels) are packed for the GEMM path in
    /// use and served only on it; the convolution (forward, input and weight
    /// gradients, at the predictor's 16×16 and an odd size) gives the same bits on
    /// every path, with the memo warm or cold.
    func testPackedWeightsFollowThePathAndKeepTheBits() throws {
        defer { Numerics.forceGemmPath(.automatic) }
        func run(_ x: Tensor, _ w: Tensor) throws -> [[UInt32]] {
            let xg = x.detached().requiringGrad(), wg = w.detached().requiringGrad()
            let y = try xg.conv2d(weight: wg, padding: (1, 1))
            try y.backward(seed: y.detached())
            return [y.toArray(), try XCTUnwrap(xg.grad).toArray(), try XCTUnwrap(wg.grad).toArray()].map { $0.map(\.bitPattern) }
        }
        for (shape, cout) in [([1, 48, 16, 16], 128), ([2, 5, 7, 9], 12)] {
            let x = randomTensor(shape, "memo path x \(shape)")
            let w = randomTensor([cout, shape[1], 3, 3], "memo path w \(shape)", low: -0.2, high: 0.2)
            var results: [[[UInt32]]] = []
            for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) {
                let k = WinogradWeightMemo.weights(w.data, cout: cout, cin: shape[1], flipped: false)
                XCTAssertEqual(k.path, path.rawValue, "an entry packed for another path was served")
                results.append(try run(x, w))   // memo warm for the forward weights
                results.append(try run(x, w))
            }
            for r in results.dropFirst() { XCTAssertEqual(r, results[0], "x \(shape)") }
            XCTAssertGreaterThanOrEqual(results.count, 2)
        }
    }

    func testReuseIsAFreshTransformAndAnInPlaceChangeIsSeen() throws {
        let w = randomTensor([12, 5, 3, 3], "memo w")
        for flipped in [false, true] {
            let a = fresh(w, flipped: flipped)
            XCTAssertEqual(memo(w, flipped: flipped).map(\.bitPattern), a.map(\.bitPattern))
            XCTAssertEqual(memo(w, flipped: flipped).map(\.bitPattern), a.map(\.bitPattern), "second call (from the memo)")
        }
        // Change one weight in place, by one ulp: the memo must not answer with the old transform.
        w.data[37] = w.data[37].nextUp
        for flipped in [false, true] {
            XCTAssertEqual(memo(w, flipped: flipped).map(\.bitPattern), fresh(w, flipped: flipped).map(\.bitPattern))
        }
        // The convolution through the memo: repeated calls, same bits; after an in-place change, the fresh result.
        let x = randomTensor([2, 5, 7, 6], "memo x")
        let y1 = try x.conv2d(weight: w, padding: (1, 1)).toArray(), y2 = try x.conv2d(weight: w, padding: (1, 1)).toArray()
        XCTAssertEqual(y1.map(\.bitPattern), y2.map(\.bitPattern))
        let copy = w.detached()
        w.data[0] = w.data[0] + 1
        let changed = try x.conv2d(weight: w, padding: (1, 1)).toArray()
        copy.data[0] = copy.data[0] + 1   // the same weights in a tensor the memo has not seen
        let reference = try x.conv2d(weight: copy, padding: (1, 1)).toArray()
        XCTAssertEqual(changed.map(\.bitPattern), reference.map(\.bitPattern))
        XCTAssertNotEqual(changed.map(\.bitPattern), y1.map(\.bitPattern))
    }
}
