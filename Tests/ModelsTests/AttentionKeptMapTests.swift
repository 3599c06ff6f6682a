// The attention forward keeps its softmaxed score map A for backward when the
// map is small (N·M ≤ `AttentionMapKeeping.limit` floats per sample) instead
// of backward recomputing S = qᵀk and its exps. Shown here to give the bits of
// the recompute: the output and every gradient with the map kept and with it
// recomputed (the limit set to keep everything, then nothing), bit for bit,
// through the tape (shapes under and over the default limit, several samples,
// 1–3 threads) and through unrolled two-layer SA-ConvLSTM and SAM-ConvLSTM
// stacks (their SA and SAM modules; a 16×16 grid, the bench's predictor case,
// whose N·M is exactly the default limit). Also: which ops keep a map (only
// recorded ones, only under the limit).
import XCTest
@testable import TensorEngine
import TestSupport
@testable import Models

final class AttentionKeptMapTests: XCTestCase {
    override func tearDown() {
        Engine.configure(threads: 2)
        AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed)
    }

    private func bits(_ t: Tensor) -> [UInt32] { t.toArray().map(\.bitPattern) }

    /// The kept maps of the attention ops recorded in the graph below `root` (nil: recomputed).
    private func attentionMaps(below root: Tensor) -> [Tensor?] {
        var seen = Set<ObjectIdentifier>(), stack = [root], maps: [Tensor?] = []
        while let t = stack.popLast() {
            guard seen.insert(ObjectIdentifier(t)).inserted, let op = t.op else { continue }
            if case let .attention(_, _, _, map, _) = op { maps.append(map) }
            stack.append(contentsOf: op.inputs)
        }
        return maps
    }

    private func withLimit<R>(_ limit: Int, _ body: () throws -> R) rethrows -> R {
        AttentionMapKeeping.limit.store(limit, ordering: .relaxed)
        defer { AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed) }
        return try body()
    }

    func testDefaultLimitKeepsThe16x16GridAndRecomputesThe32x32() {
        XCTAssertEqual(AttentionMapKeeping.limit.load(ordering: .relaxed), 256 * 256)
        XCTAssertLessThanOrEqual(256 * 256, AttentionMapKeeping.defaultLimit)
        XCTAssertGreaterThan(1024 * 1024, AttentionMapKeeping.defaultLimit)
    }

    func testKeptAndRecomputedMapsGiveTheSameBitsThroughTheTape() throws {
        // (B, d, N, M, C): N·M = 65,536 (the limit: kept), under it with N, M off
        // multiples of 8, over it (78,300 and 1024², recomputed by default), M = 1.
        let shapes = [(3, 8, 256, 256, 16), (2, 4, 37, 45, 3), (2, 8, 300, 261, 5), (1, 8, 1024, 1024, 4), (3, 2, 513, 1, 4)]
        for threads in 1...3 {
            Engine.configure(threads: threads)
            for (b, d, n, m, c) in shapes {
                let tag = "[\(b), \(d), \(n), \(m), \(c)], \(threads) threads"
                var runs: [[[UInt32]]] = []
                for limit in [Int.max, 0, AttentionMapKeeping.defaultLimit] {
                    try withLimit(limit) {
                        let q = randomTensor([b, d, n], "q\(tag)", low: -2, high: 2).requiringGrad()
                        let k = randomTensor([b, d, m], "k\(tag)", low: -2, high: 2).requiringGrad()
                        let v = randomTensor([b, c, m], "v\(tag)").requiringGrad()
                        let z = try Tensor.attention(q: q, k: k, v: v)
                        let maps = attentionMaps(below: z)
                        XCTAssertEqual(maps.count, 1, tag)
                        XCTAssertEqual(maps[0] != nil, n * m <= limit, "map kept iff N·M ≤ \(limit): \(tag)")
                        if let map = maps[0] { XCTAssertEqual(map.shape, [b, n, m], tag) }
                        try z.backward(seed: randomTensor([b, c, n], "gz\(tag)"))
                        runs.append([bits(z), bits(q.grad!), bits(k.grad!), bits(v.grad!)])
                    }
                }
                for (i, name) in ["out", "dq", "dk", "dv"].enumerated() {
                    XCTAssertEqual(runs[0][i], runs[1][i], "\(name), kept vs recomputed, \(tag)")
                    XCTAssertEqual(runs[0][i], runs[2][i], "\(name), kept vs the default limit, \(tag)")
                }
            }
        }
    }

    func testOnlyARecordedOpKeepsAMap() throws {
        let q = randomTensor([2, 4, 16], "q"), k = randomTensor([2, 4, 16], "k"), v = randomTensor([2, 3, 16], "v")
        XCTAssertNil(try Tensor.attention(q: q, k: k, v: v).op, "no input needs a gradient: nothing recorded")
        q.requiringGrad()
        let z = try GradMode.withNoGrad { try Tensor.attention(q: q, k: k, v: v) }
        XCTAssertNil(z.op, "no-grad mode: nothing recorded, no map")
        let maps = attentionMaps(below: try Tensor.attention(q: q, k: k, v: v))
        XCTAssertEqual(maps.count, 1)
        XCTAssertNotNil(maps.first ?? nil, "recorded and small: kept")
    }

    /// Two stacked SA- or SAM-ConvLSTM cells unrolled over three steps, B = 3:
    /// outputs, every parameter gradient and the input gradients with the maps
    /// kept and recomputed.
    func testKeptAndRecomputedMapsGiveTheSameBitsThroughSAAndSAMStacks() throws {
        for threads in 1...3 {
            Engine.configure(threads: threads)
            for sam in [false, true] {
                // 16×16: N·M = 65,536 (kept by default); 5×7: N·M = 1,225
                for (b, cin, hidden, hh, ww) in [(3, 2, 4, 16, 16), (2, 3, 3, 5, 7)] {
                    let tag = "\(sam ? "SAM" : "SA") [\(b), \(cin), \(hidden), \(hh), \(ww)], \(threads) threads"
                    let stream = RandomStream(seed: 29, name: "kept-map \(tag)")
                    func cell(_ name: String, _ inC: Int) -> RecurrentCell {
                        sam ? SAMCell(inChannels: inC, hidden: hidden, kernel: 3, height: hh, width: ww, activation: .tanh,
                                      attentionWidth: 3, stream: stream.split(name))
                            : SACell(inChannels: inC, hidden: hidden, kernel: 3, height: hh, width: ww, activation: .tanh,
                                     attentionWidth: 3, stream: stream.split(name))
                    }
                    let l1 = cell("l1", cin), l2 = cell("l2", hidden)
                    let params = (l1.namedParameters + l2.namedParameters).map(\.tensor)
                    for p in params where p.shape.count == 3 {   // peepholes off zero
                        try p.assign(randomTensor(p.shape, "peep\(p.shape)\(tag)", low: -0.5, high: 0.5))
                    }
                    let xs = (0..<3).map { randomTensor([b, cin, hh, ww], "x\($0)\(tag)") }
                    let r = randomTensor([b, 3 * hidden, hh, ww], "r\(tag)")
                    var runs: [[[UInt32]]] = []
                    for limit in [Int.max, 0] {
                        try withLimit(limit) {
                            for p in params { p.grad = nil }
                            for x in xs { x.requiringGrad(); x.grad = nil }
                            var s1 = l1.initialState(batch: b), s2 = l2.initialState(batch: b)
                            var outs: [Tensor] = []
                            for x in xs {
                                s1 = try l1.step(x, s1, probe: nil)
                                s2 = try l2.step(s1.h, s2, probe: nil)
                                outs.append(s2.h)
                            }
                            let loss = try Tensor.concat(outs, axis: 1).mul(r).sum()
                            let maps = attentionMaps(below: loss)
                            // SA: attention_x and attention_h per cell and step; SAM: two per cell and step
                            XCTAssertEqual(maps.count, 2 * 2 * xs.count, tag)
                            XCTAssertTrue(maps.allSatisfy { ($0 != nil) == (limit == Int.max) }, "maps kept iff the limit allows, \(tag)")
                            try loss.backward()
                            runs.append(outs.map(bits) + params.map { bits($0.grad!) } + xs.map { bits($0.grad!) })
                        }
                    }
                    XCTAssertEqual(runs[0].count, runs[1].count)
                    for (i, (kept, recomputed)) in zip(runs[0], runs[1]).enumerated() {
                        XCTAssertEqual(kept, recomputed, "tensor \(i) (outputs, parameter gradients, input gradients), \(tag)")
                    }
                }
            }
        }
    }
}
