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

    /// Gradients of several slices of one tensor (overlapping, along the first, middle and
    /// last axis, beside a use of the whole tensor, and `select` of every index as the
    /// seq2seq layers read their input sequence): each slice's contribution is its
    /// zero-padded copy (`sliceBackward`) summed with the others, so a −0 that meets a +0
    /// of another slice's padding is +0 and infinities pass through; bit for bit. (A sum
    /// of later slices in one pass, without the padded copy, kept these bits but measured
    /// no faster: docs/engine.md, "Speed".)
    func testSliceGradientsAreSummedAsZeroPaddedCopies() throws {
        let shape = [2, 5, 3], count = 30
        // −0, +0, +inf and finite values in the slices (−inf only where nothing overlaps: select)
        let special: [Float] = [-0.0, 0.0, .infinity, 3, -0.0, -2, 0.5]
        func values(_ n: Int, _ seed: Int, _ list: [Float]) -> [Float] { (0..<n).map { list[($0 * 5 + seed) % list.count] } }
        for axis in 0..<3 {
            let len = shape[axis]
            // (start, length) of each slice: overlapping, and every element outside at least one
            let cuts = [(0, (len + 1) / 2), (len / 2, len - len / 2), (len - 1, 1)]
            for withWhole in [false, true] {
                let x = try Tensor((0..<count).map { Float($0) }, shape: shape).requiringGrad()
                var loss = Tensor(scalar: 0)
                var expected = [[Float]](repeating: [], count: count)   // each element's contributions
                for (i, (start, length)) in cuts.enumerated() {
                    var sliceShape = shape
                    sliceShape[axis] = length
                    let w = values(sliceShape.reduce(1, *), i, special)
                    loss = try loss.add(x.slice(axis: axis, start: start, length: length).mul(try Tensor(w, shape: sliceShape)).sum())
                    for e in 0..<count {
                        var idx = [e / 15, (e / 3) % 5, e % 3]
                        guard idx[axis] >= start && idx[axis] < start + length else { continue }
                        idx[axis] -= start
                        expected[e].append(w[(idx[0] * sliceShape[1] + idx[1]) * sliceShape[2] + idx[2]])
                    }
                }
                if withWhole {
                    let w = (0..<count).map { Float($0 % 4) - 1 }   // −1 … 2: finite, no −0
                    loss = try loss.add(x.mul(try Tensor(w, shape: shape)).sum())
                    for e in 0..<count { expected[e].append(w[e]) }
                }
                try loss.backward()
                let got = try XCTUnwrap(x.grad).toArray()
                for e in 0..<count {
                    // the contributions' sum (exact in any order: no +inf meets −inf here, checked),
                    // then the +0 of a slice that does not cover the element
                    let c = expected[e]
                    XCTAssertFalse(c.contains(.infinity) && c.contains(-.infinity), "test values")
                    var want = c.dropFirst().reduce(c.first ?? 0) { $0 + $1 }
                    want = want + Float(0)
                    XCTAssertEqual(got[e].bitPattern, want.bitPattern, "axis \(axis), whole \(withWhole), element \(e): \(got[e]) against \(want) from \(c)")
                }
            }
        }
        // select of every index (slice + reshape), as Seq2Seq reads a layer's output sequence
        let seq = try Tensor((0..<count).map { Float($0) }, shape: shape).requiringGrad()
        var loss = Tensor(scalar: 0)
        var want = [Float](repeating: 0, count: count)
        for t in 0..<5 {
            let w = values(6, t, special + [-.infinity])
            loss = try loss.add(seq.select(axis: 1, index: t).mul(try Tensor(w, shape: [2, 3])).sum())
            for b in 0..<2 { for j in 0..<3 { want[b * 15 + t * 3 + j] = w[b * 3 + j] + Float(0) } }
        }
        try loss.backward()
        XCTAssertEqual(try XCTUnwrap(seq.grad).toArray().map(\.bitPattern), want.map(\.bitPattern))
    }
}
