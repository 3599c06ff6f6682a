// The tape's gradient sums for a tensor used several times. An op's gradient
// may be its output's gradient itself (add gives the same tensor to both
// inputs) or a view of it, so a sum must never be written into a
// contribution (an in-place sum into the first contribution fails these
// tests; one into a sum the pass allocated passes them, but measured no
// faster, docs/engine.md "Speed"). The values are small integers, so every
// sum is exact in any order and the expected gradients are known.

import XCTest
import TestSupport
@testable import TensorEngine

final class GradientSumTests: XCTestCase {
    private func ints(_ values: [Float]) throws -> Tensor { try Tensor(values, shape: [values.count]) }

    /// p and q share the gradient add gives them; p then receives more.
    func testASharedContributionIsNotChangedByLaterSums() throws {
        for order in 0..<2 {
            let p = try ints([1, 2, 3, 4]).requiringGrad(), q = try ints([5, 6, 7, 8]).requiringGrad()
            let r = try ints([1, -2, 3, -4]), c1 = try ints([2, 2, 2, 2]), c2 = try ints([10, 20, 30, 40])
            let loss: Tensor
            if order == 0 {
                let u = try p.add(q).mul(r), w = try p.mul(c1), z = try p.mul(c2)
                loss = try u.sum().add(w.sum()).add(z.sum())
            } else {
                let w = try p.mul(c1), z = try p.mul(c2), u = try p.add(q).mul(r)
                loss = try w.sum().add(z.sum()).add(u.sum())
            }
            try loss.backward()
            XCTAssertEqual(q.grad?.toArray(), [1, -2, 3, -4], "order \(order)")
            XCTAssertEqual(p.grad?.toArray(), [13, 20, 35, 38], "order \(order)")
        }
    }

    /// h's gradient is a sum; add's backward hands that sum to both a and b;
    /// a then receives more, which must not reach b.
    func testASumPassedOnToTwoInputsStaysSharedSafely() throws {
        for order in 0..<2 {
            let a = try ints([1, 1, 1]).requiringGrad(), b = try ints([2, 2, 2]).requiringGrad()
            let r1 = try ints([1, 2, 3]), r2 = try ints([4, 5, 6]), c = try ints([100, 200, 300])
            let h = try a.add(b)
            let loss = order == 0
                ? try h.mul(r1).sum().add(h.mul(r2).sum()).add(a.mul(c).sum()).add(a.mul(c).sum())
                : try a.mul(c).sum().add(a.mul(c).sum()).add(h.mul(r1).sum()).add(h.mul(r2).sum())
            try loss.backward()
            XCTAssertEqual(b.grad?.toArray(), [5, 7, 9], "order \(order)")
            XCTAssertEqual(a.grad?.toArray(), [205, 407, 609], "order \(order)")
        }
    }

    /// A gradient that is a view (a reshape's) of another's, summed with more contributions.
    func testViewsOfAGradientAreSummedIntoACopy() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiringGrad()
        let y = try Tensor([1, 1, 1, 1, 1, 1], shape: [6]).requiringGrad()
        let flat = try x.reshaped([6])
        let s = try flat.add(y)   // s's gradient reaches x (through the reshape) and y as one tensor
        let k = try ints([1, 2, 3, 4, 5, 6]), m = try Tensor([10, 10, 10, 10, 10, 10], shape: [2, 3])
        let loss = try s.mul(k).sum().add(x.mul(m).sum()).add(y.mul(k).sum()).add(y.mul(k).sum())
        try loss.backward()
        XCTAssertEqual(x.grad?.toArray(), [11, 12, 13, 14, 15, 16])
        XCTAssertEqual(y.grad?.toArray(), [3, 6, 9, 12, 15, 18])
    }
}
