// Parallel.lanes (independent computations side by side, one per thread) and
// backward into a GradientSink: what training's leaves run on.
import XCTest
import Foundation
import TensorEngine
import TestSupport

final class LanesTests: XCTestCase {
    override func setUp() { Engine.configure(threads: 2) }

    /// One sample's conv + tanh + attention-free loss, its gradient into `sink`.
    func leaf(_ x: Tensor, _ w: Tensor, _ b: Tensor, into sink: GradientSink) throws -> Float {
        let y = try x.conv2d(weight: w, bias: b).tanh()
        let loss = try y.mul(y).sum()
        try loss.backward(into: sink)
        return try loss.item()
    }

    func testLeavesInLanesGiveTheBitsOfLeavesRunAlone() throws {
        let w = randomTensor([8, 3, 3, 3], "w").requiringGrad(), b = randomTensor([8], "b").requiringGrad()
        let xs = (0..<5).map { randomTensor([1, 3, 12, 12], "x\($0)") }
        // Alone: one thread, in turn.
        Engine.configure(threads: 1)
        var alone: [(Float, [Float], [Float])] = []
        for x in xs {
            let sink = GradientSink()
            let l = try leaf(x, w, b, into: sink)
            alone.append((l, try XCTUnwrap(sink[w]).toArray(), try XCTUnwrap(sink[b]).toArray()))
        }
        XCTAssertNil(w.grad, "a sink keeps the gradient out of .grad")
        // Side by side: 2 and 3 lanes over 5 leaves.
        for threads in [2, 3] {
            Engine.configure(threads: threads)
            let sinks = xs.map { _ in GradientSink() }
            var losses = [Float](repeating: 0, count: xs.count)
            try losses.withUnsafeMutableBufferPointer { out in
                let p = out.baseAddress!
                try Parallel.lanes(xs.count) { i in p[i] = try leaf(xs[i], w, b, into: sinks[i]) }
            }
            for i in xs.indices {
                XCTAssertEqual(losses[i].bitPattern, alone[i].0.bitPattern, "leaf \(i), \(threads) lanes: loss")
                XCTAssertEqual(try XCTUnwrap(sinks[i][w]).toArray().map(\.bitPattern), alone[i].1.map(\.bitPattern), "leaf \(i): ∂w")
                XCTAssertEqual(try XCTUnwrap(sinks[i][b]).toArray().map(\.bitPattern), alone[i].2.map(\.bitPattern), "leaf \(i): ∂b")
            }
        }
        XCTAssertNil(w.grad)
    }

    func testSinkHoldsWhatGradWouldHold() throws {
        let w = randomTensor([4, 2, 3, 3], "w").requiringGrad(), b = randomTensor([4], "b").requiringGrad()
        let x = randomTensor([2, 2, 6, 6], "x")
        let sink = GradientSink()
        _ = try leaf(x, w, b, into: sink)
        let y = try x.conv2d(weight: w, bias: b).tanh()
        try y.mul(y).sum().backward()
        XCTAssertEqual(try XCTUnwrap(sink[w]).toArray().map(\.bitPattern), try XCTUnwrap(w.grad).toArray().map(\.bitPattern))
        XCTAssertEqual(try XCTUnwrap(sink[b]).toArray().map(\.bitPattern), try XCTUnwrap(b.grad).toArray().map(\.bitPattern))
        XCTAssertNil(sink[x], "x needs no gradient")
    }

    struct Boom: Error, Equatable { let item: Int }

    func testFirstErrorByItemIsRethrownAfterEveryItemRan() throws {
        let ran = NSLock()
        var done = Set<Int>()
        XCTAssertThrowsError(try Parallel.lanes(6) { i in
            ran.lock(); done.insert(i); ran.unlock()
            if i == 4 || i == 1 { throw Boom(item: i) }
        }) { e in XCTAssertEqual(e as? Boom, Boom(item: 1)) }
        XCTAssertEqual(done, Set(0..<6))
    }

    func testEveryItemRunsOnceForAnyThreadCount() throws {
        let saved = Engine.threads
        defer { Engine.configure(threads: saved) }
        for threads in [1, 2, 3] {
            Engine.configure(threads: threads)
            for count in [0, 1, 2, 7] {
                let lock = NSLock()
                var runs = [Int](repeating: 0, count: count)
                try Parallel.lanes(count) { i in lock.lock(); runs[i] += 1; lock.unlock() }
                XCTAssertEqual(runs, [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
            }
        }
    }

    /// Lanes take the next free item: while item 0's lane is held up (here: until
    /// every other item has run), the other lane runs all the rest. Dealt round
    /// robin (item i on lane i % 2) item 0 would wait for item 2 on its own lane.
    func testAHeldUpLaneLeavesItsItemsToTheOthers() throws {
        let saved = Engine.threads
        Engine.configure(threads: 2)   // two lanes, whatever KYMO_THREADS or the test before left
        defer { Engine.configure(threads: saved) }
        let others = DispatchSemaphore(value: 0)
        let lock = NSLock()
        var left = 5
        var timedOut = false
        try Parallel.lanes(6) { i in
            if i == 0 {
                if others.wait(timeout: .now() + 30) == .timedOut { lock.lock(); timedOut = true; lock.unlock() }
            } else {
                lock.lock(); left -= 1; let last = left == 0; lock.unlock()
                if last { others.signal() }
            }
        }
        XCTAssertFalse(timedOut, "item 0 waited 30 s for the other items: they were not left to the other lane")
        XCTAssertEqual(left, 0)
    }

    func testLanesKeepTheirOwnGradModeAndNest() throws {
        var recorded = [Bool](repeating: false, count: 4)
        let w = randomTensor([3], "w").requiringGrad()
        try recorded.withUnsafeMutableBufferPointer { out in
            let p = out.baseAddress!
            try Parallel.lanes(4) { i in
                // Lanes 0 and 1 run at once; one turns recording off for a while, the other must still record.
                if i % 2 == 0 {
                    try withNoGrad { Thread.sleep(forTimeInterval: 0.02); _ = try w.mul(w) }
                    p[i] = try w.mul(w).requiresGrad
                } else {
                    Thread.sleep(forTimeInterval: 0.01)
                    p[i] = try w.mul(w).requiresGrad
                    try Parallel.lanes(2) { _ in _ = try w.add(w) }   // nested: runs in turn on this lane
                }
            }
        }
        XCTAssertEqual(recorded, [true, true, true, true])
        XCTAssertTrue(GradMode.isEnabled)
        try withNoGrad {
            var seen = [Bool](repeating: true, count: 2)
            try seen.withUnsafeMutableBufferPointer { out in
                let p = out.baseAddress!
                try Parallel.lanes(2) { i in p[i] = GradMode.isEnabled }
            }
            XCTAssertEqual(seen, [false, false], "lanes start with the caller's mode")
            XCTAssertFalse(GradMode.isEnabled, "the caller's mode is its own again after the lanes")
        }
    }
}
