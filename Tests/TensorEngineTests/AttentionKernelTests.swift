// The attention's own kernels (AttentionKernels.swift: the scores with their
// row maxima, backward's one-pass recompute from the rows' max and 1/Σ, and
// dq; q and k transposed once per call) give the bits of the sgemm-based attention they replaced
// (`AttentionReference`, kept verbatim): the output and dq, dk, dv through the
// tape with the map kept and recomputed (from the rows' max and 1/Σ the
// forward keeps, and without them), at N = M = 1024 and 256, N ≠ M, N
// and M off multiples of 8, 16 and 256, d other than 8 (1, 4, 12, 16), rows
// whose maxima are −inf, NaN, +inf and +0, several samples, 1–3 threads and
// both GEMM paths (z, dv, dA and dk still go through kymo_sgemm, but for C ≤ 4,
// where z is kymo_rows_dot's and dv, dA and the softmax gradient are AttentionNarrowGrad.swift's one pass);
// C off multiples of 8 and 32, C = 1 to 4, odd N.
//
// `swift build -c release --build-tests -Xswiftc -enable-testing`, then
// `KYMO_ATTENTION_TIMING=1 swift test -c release --skip-build -Xswiftc -enable-testing --filter AttentionKernelTests/testTiming`
// (a debug build does not inline FastMath's vector helpers across files) prints thread CPU times, best of 7, of one forward + backward per sample,
// old and new, split into the products, the softmax passes and the copies;
// `--filter AttentionKernelTests/testKeptMapTiming` times the 32×32 grid's map
// kept against recomputed over 38 calls in a row, as training meets it, and
// `--filter AttentionKernelTests/testBlockTiming` blocks of 256 to 16 query rows.
// Also here: the score kernel (two rows per pass) against main's one-row
// kernel, and block sizes against the reference's 256-row blocks.
import XCTest
@testable import TensorEngine
import CKymoGEMM
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

final class AttentionKernelTests: XCTestCase {
    override func tearDown() {
        Engine.configure(threads: 2)
        AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed)
        AttentionBlocking.rows.store(AttentionBlocking.defaultRows, ordering: .relaxed)
        _ = Numerics.forceGemmPath(.automatic)
    }

    private func bits(_ t: Tensor) -> [UInt32] { t.toArray().map(\.bitPattern) }

    /// The first element whose bits differ, or nil.
    private func firstDifference(_ got: Tensor, _ want: Tensor) -> String? {
        guard got.shape == want.shape else { return "shape \(got.shape) vs \(want.shape)" }
        let g = bits(got), w = bits(want)
        guard let i = g.indices.first(where: { g[$0] != w[$0] }) else { return nil }
        return "element \(i) of \(g.count): \(Float(bitPattern: g[i])) (0x\(String(g[i], radix: 16))) vs \(Float(bitPattern: w[i])) (0x\(String(w[i], radix: 16)))"
    }

    /// The attention through the tape against the reference, bit for bit.
    private func check(q q0: Tensor, k k0: Tensor, v v0: Tensor, gz: Tensor, _ tag: String) throws {
        let want = AttentionReference.forward(q: q0, k: k0, v: v0)
        let (wdq, wdk, wdv) = AttentionReference.backward(grad: gz, q: q0, k: k0, v: v0)
        // the map kept, then recomputed in backward
        for limit in [Int.max, 0] {
            AttentionMapKeeping.limit.store(limit, ordering: .relaxed)
            let q = q0.detached().requiringGrad(), k = k0.detached().requiringGrad(), v = v0.detached().requiringGrad()
            let z = try Tensor.attention(q: q, k: k, v: v)
            if case let .attention(_, _, _, map, rows) = z.op {
                XCTAssertEqual(map != nil, limit > 0, "\(tag): map kept")
                XCTAssertEqual(rows != nil, map == nil, "\(tag): the rows' statistics kept instead of a map")
            } else { XCTFail("\(tag): not recorded") }
            try z.backward(seed: gz)
            let t = "\(tag), limit \(limit)"
            for (name, got, exp) in [("out", z, want), ("dq", q.grad!, wdq), ("dk", k.grad!, wdk), ("dv", v.grad!, wdv)] {
                if let diff = firstDifference(got, exp) { XCTFail("\(name), \(t): \(diff)") }
            }
        }
        AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed)
        // backward with neither a map nor the rows' max and 1/Σ: the scores and softmax recomputed in full
        let direct = attentionBackward(grad: gz, q: q0.detached().requiringGrad(), k: k0.detached().requiringGrad(), v: v0.detached().requiringGrad())
        for (name, got, exp) in [("dq", direct[0]!, wdq), ("dk", direct[1]!, wdk), ("dv", direct[2]!, wdv)] {
            if let diff = firstDifference(got, exp) { XCTFail("\(name), \(tag), full recompute: \(diff)") }
        }
    }

    func testSameBitsAsTheSgemmAttention() throws {
        // (B, d, N, M, C)
        let shapes = [(1, 8, 1024, 1024, 32), (2, 8, 256, 256, 32), (2, 8, 300, 261, 5), (3, 4, 37, 45, 3),
                      (1, 12, 513, 77, 4), (2, 16, 33, 40, 3), (2, 1, 17, 9, 2), (2, 8, 513, 1, 4), (1, 8, 7, 300, 2),
                      (1, 8, 67, 50, 37), (2, 4, 33, 20, 64), (1, 8, 1, 9, 40), (1, 8, 259, 263, 33),
                      (1, 8, 1024, 1024, 1), (2, 8, 262, 263, 1), (1, 8, 5, 13, 1)]
        try onEveryPathAndThreadCount { path, threads in
            for (b, d, n, m, c) in shapes where threads == 2 || n * m <= 300 * 300 {
                let tag = "[\(b), \(d), \(n), \(m), \(c)], \(threads) threads, \(path)"
                try check(q: randomTensor([b, d, n], "q\(tag)", low: -2, high: 2), k: randomTensor([b, d, m], "k\(tag)", low: -2, high: 2),
                          v: randomTensor([b, c, m], "v\(tag)"), gz: randomTensor([b, c, n], "gz\(tag)"), tag)
            }
        }
    }

    /// `body(path, threads)` on every GEMM path this CPU runs (at least one), forced, on 1–3 threads.
    func onEveryPathAndThreadCount(_ body: (Numerics.GemmPath, Int) throws -> Void) rethrows {
        var paths: [Numerics.GemmPath] = []
        for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) { paths.append(path) }
        XCTAssertFalse(paths.isEmpty)
        for path in paths {
            XCTAssertTrue(Numerics.forceGemmPath(path))
            for threads in 1...3 {
                Engine.configure(threads: threads)
                try body(path, threads)
            }
        }
    }

    /// kymo_rows_dot (eight rows of A in each chain's lanes) against the
    /// kymo_sgemm call it stands for, bit for bit: C = 1–4, rows around its
    /// groups of 8, 16 and 32 rows, M around its 8-column steps, rows 4 KB
    /// apart and padded; C = 5 is refused and writes nothing.
    func testRowsDotGivesSgemmsBits() {
        for c in 1...5 {
            for rows in [1, 7, 8, 9, 16, 31, 33, 70] {
                for m in [1, 7, 8, 13, 64, 1024] {
                    for lda in Set([m, attentionRowStride(m)]) {
                        let a = randomTensor([rows, lda], "rows_dot/a/\(c)/\(rows)/\(m)", low: 0, high: 1)
                        let v = randomTensor([c, m], "rows_dot/v/\(c)/\(rows)/\(m)", low: -2, high: 2)
                        let want = Tensor(zeros: [c, rows]), got = Tensor(zeros: [c, rows])
                        kymo_sgemm(0, 1, c, rows, m, v.data, m, a.data, lda, want.data, rows, 0)
                        let done = kymo_rows_dot(a.data, lda, rows, m, v.data, m, Int32(c), got.data, rows)
                        let tag = "C = \(c), rows \(rows), M = \(m), lda \(lda)"
                        if c > attentionNarrowChannels {
                            XCTAssertEqual(done, 0, tag)
                            XCTAssertEqual(bits(got), [UInt32](repeating: 0, count: c * rows), "\(tag): wrote when refusing")
                        } else {
                            XCTAssertEqual(done, 1, tag)
                            if let diff = firstDifference(got, want) { XCTFail("\(tag): \(diff)") }
                        }
                    }
                }
            }
        }
    }

    /// `attentionScoreRows` (two rows per pass, an odd last row as both) against
    /// main's one-row kernel (`AttentionReference.scoreRowsOneAtATime`, kept
    /// verbatim): every score and every row max bit for bit, 1–9 rows, M
    /// around the 8- and 32-column steps, d = 1, 4, 8, 12, rows of random
    /// values and rows whose maxima are ±0, −inf, +inf and NaN.
    func testScoreRowsAgainstTheOneRowKernel() {
        for d in [1, 4, 8, 12] {
            for m in [1, 7, 8, 9, 31, 32, 33, 40, 63, 64, 65, 100] {
                for rows in 1...9 {
                    let tag = "d \(d), M \(m), \(rows) rows"
                    var q = randomTensor([rows * d], "sq \(tag)", low: -2, high: 2).toArray()
                    var k = randomTensor([d * m], "sk \(tag)", low: -2, high: 2).toArray()
                    if rows >= 4 {   // specials in channel 0 of rows 0–3 (the others zero there)
                        for r in 0..<4 { for t in 1..<d { q[r * d + t] = 0 } }
                        for j in 0..<m { k[j] = j % 3 == 0 ? -0.0 : (j % 3 == 1 ? 0.0 : 1 + Float(j)) }
                        q[0] = -1; q[d] = .nan; q[2 * d] = -.infinity; q[3 * d] = .infinity
                        if rows >= 6 { q[5 * d] = 0 }
                    }
                    var sGot = [Float](repeating: 7, count: rows * m), sWant = sGot
                    var mxGot = [Float](repeating: 7, count: rows), mxWant = mxGot
                    q.withUnsafeBufferPointer { pq in k.withUnsafeBufferPointer { pk in
                        attentionScoreRows(pq.baseAddress!, pk.baseAddress!, &sGot, ld: m, d: d, m: m, rows: rows, maxima: &mxGot)
                        AttentionReference.scoreRowsOneAtATime(pq.baseAddress!, pk.baseAddress!, &sWant, d: d, m: m, rows: rows, maxima: &mxWant)
                    } }
                    if let i = sGot.indices.first(where: { sGot[$0].bitPattern != sWant[$0].bitPattern }) {
                        XCTFail("score \(i), \(tag): \(sGot[i]) vs \(sWant[i])")
                    }
                    if let r = mxGot.indices.first(where: { mxGot[$0].bitPattern != mxWant[$0].bitPattern }) {
                        XCTFail("max of row \(r), \(tag): \(mxGot[r]) vs \(mxWant[r])")
                    }
                }
            }
        }
    }

    /// The block of query rows (`AttentionBlocking`) changes no bit: z's
    /// columns are independent per block, and dv and dk continue each
    /// element's one FMA chain across blocks (kymo_sgemm's accumulate starts
    /// from C's old value). Against the reference's 256-row blocks: blocks of
    /// 8, 24, 64 and 256 rows, one block for all N, and a last block of 1–7
    /// rows; 1–3 threads, both GEMM paths.
    func testBlockSizesKeepTheBits() throws {
        defer { AttentionBlocking.rows.store(AttentionBlocking.defaultRows, ordering: .relaxed) }
        // (B, d, N, M, C)
        let shapes = [(1, 8, 1024, 1024, 32), (2, 8, 300, 261, 5), (1, 8, 259, 263, 33), (2, 4, 33, 20, 64), (2, 8, 70, 9, 3)]
        try onEveryPathAndThreadCount { path, threads in
            for (b, d, n, m, c) in shapes where threads == 2 || n * m <= 300 * 300 {
                for rows in [8, 24, 64, 256, Int.max] where rows == 64 || rows == Int.max || n * m <= 300 * 300 {
                    AttentionBlocking.rows.store(rows, ordering: .relaxed)
                    XCTAssertEqual(AttentionBlocking.rows(n: n), min(rows, n))
                    let tag = "[\(b), \(d), \(n), \(m), \(c)], blocks of \(min(rows, n)), \(threads) threads, \(path)"
                    try check(q: randomTensor([b, d, n], "bq\(tag)", low: -2, high: 2), k: randomTensor([b, d, m], "bk\(tag)", low: -2, high: 2),
                              v: randomTensor([b, c, m], "bv\(tag)"), gz: randomTensor([b, c, n], "bg\(tag)"), tag)
                }
            }
        }
    }

    /// Score rows whose maxima are −inf, NaN (a whole row), +0 and +inf beside
    /// finite values. (No score is −0: its chain starts from +0, and
    /// fma(a, b, +0) is +0 where a·b is −0.)
    func testRowsWithInfiniteNaNAndSignedZeroMaxima() throws {
        for d in [1, 8] {
            for (n, m) in [(12, 40), (9, 7)] {
                var q = randomTensor([2, d, n], "q special \(d) \(n)", low: -1, high: 1).toArray()
                var k = randomTensor([2, d, m], "k special \(d) \(m)", low: -1, high: 1).toArray()
                // sample 0: channel 0 carries the specials, the other channels are zero
                for t in 1..<d { for r in 0..<n { q[t * n + r] = 0 }; for j in 0..<m { k[t * m + j] = 0 } }
                for j in 0..<m { k[j] = j % 3 == 0 ? -0.0 : (j % 3 == 1 ? 0.0 : 1 + Float(j)) }
                q[0] = 0            // row 0: all +0
                q[1] = -.infinity   // row 1: −inf where k > 0, NaN (0·inf) where k is ±0
                q[2] = .nan         // row 2: all NaN
                q[3] = -1           // row 3: ±0 products at the zeros of k (+0 scores), the rest < 0: maximum +0
                q[4] = .infinity    // row 4: +inf and NaN
                k[1] = .infinity    // sample 0, column 1: row maxima +inf or NaN
                // sample 1: a row of −inf everywhere (q = −inf, k > 0 in channel 0, 0 elsewhere)
                let s1q = d * n, s1k = d * m
                for t in 0..<d { q[s1q + t * n] = t == 0 ? -.infinity : 0 }
                for j in 0..<m { k[s1k + j] = 1 + Float(j) }
                let tag = "d \(d), N \(n), M \(m)"
                try check(q: Tensor(q, shape: [2, d, n]), k: Tensor(k, shape: [2, d, m]), v: randomTensor([2, 3, m], "v \(tag)"),
                          gz: randomTensor([2, 3, n], "gz \(tag)"), tag)
            }
        }
    }

    // MARK: timing (not a check: prints, only with KYMO_ATTENTION_TIMING=1)

    private func threadSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    private func best(_ reps: Int = 7, _ body: () -> Void) -> Double {
        var b = Double.infinity
        for _ in 0..<reps { let t0 = threadSeconds(); body(); b = min(b, threadSeconds() - t0) }
        return b * 1000
    }

    /// Keeping the map against recomputing it, as training meets it: `calls`
    /// recorded forwards in a row (a fresh map each, as one sample's layers
    /// and steps), then their backwards in reverse order, each op's map
    /// released after its backward; thread CPU time (page faults included)
    /// per forward + backward, best of 5, five rounds alternating.
    func testKeptMapTiming() throws {
        guard ProcessInfo.processInfo.environment["KYMO_ATTENTION_TIMING"] == "1" else {
            throw XCTSkip("timing: set KYMO_ATTENTION_TIMING=1 (a release build)")
        }
        Engine.configure(threads: 1)
        let calls = 38, d = 8, n = 1024, m = 1024, c = 32
        let q = randomTensor([1, d, n], "kq", low: -2, high: 2), k = randomTensor([1, d, m], "kk", low: -2, high: 2)
        let v = randomTensor([1, c, m], "kv"), gz = randomTensor([1, c, n], "kg")
        func round(limit: Int) throws -> (ms: Double, kept: Int) {
            AttentionMapKeeping.limit.store(limit, ordering: .relaxed)
            defer { AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed) }
            var bestMs = Double.infinity, kept = 0
            for _ in 0..<5 {
                let t0 = threadSeconds()
                var ops: [(Tensor, Tensor?, Tensor?)?] = []
                for _ in 0..<calls {
                    let qr = q.detached().requiringGrad()
                    let z = try Tensor.attention(q: qr, k: k, v: v)
                    guard case let .attention(_, _, _, map, rows) = z.op else { XCTFail("not recorded"); return (0, 0) }
                    ops.append((qr, map, rows))
                }
                kept = ops.filter { $0?.1 != nil }.count
                for i in (0..<calls).reversed() {
                    let (qr, map, rows) = ops[i]!
                    _ = attentionBackward(grad: gz, q: qr, k: k, v: v, map: map, rows: rows)
                    ops[i] = nil   // the op and its map go
                }
                bestMs = min(bestMs, (threadSeconds() - t0) * 1000 / Double(calls))
            }
            return (bestMs, kept)
        }
        print("attention kept map, N = M = 1024, d = 8, C = 32, \(calls) calls in a row, ms of thread CPU time per forward + backward, best of 5, GEMM path \(Numerics.activeGemmPath)")
        for r in 0..<5 {
            let recomputed = try round(limit: 0)
            let kept = try round(limit: Int.max)
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            print("  round \(r + 1): recomputed \(f(recomputed.ms)) (\(recomputed.kept) of \(calls) kept);  kept \(f(kept.ms)) (\(kept.kept) of \(calls))")
        }
    }

    /// Blocks of 256, 128, 64, 32 and 16 query rows (`AttentionBlocking`)
    /// alternating, five rounds: ms of thread CPU time per forward and per
    /// backward, best of 7, one sample, one thread; N = M = 1024 with the map
    /// recomputed (as the seq2seq grid) and N = M = 256 with it kept (the
    /// predictor's).
    func testBlockTiming() throws {
        guard ProcessInfo.processInfo.environment["KYMO_ATTENTION_TIMING"] == "1" else {
            throw XCTSkip("timing: set KYMO_ATTENTION_TIMING=1 (a release build)")
        }
        defer { AttentionBlocking.rows.store(AttentionBlocking.defaultRows, ordering: .relaxed) }
        Engine.configure(threads: 1)
        print("attention block timing, ms of thread CPU time, best of 7, one sample, 1 thread, GEMM path \(Numerics.activeGemmPath); the default block: \(AttentionBlocking.defaultRows) rows")
        for (n, c, kept) in [(1024, 32, false), (256, 32, true), (4096, 32, false)] {
            let d = 8, m = n
            let q = randomTensor([1, d, n], "btq", low: -2, high: 2), k = randomTensor([1, d, m], "btk", low: -2, high: 2)
            let v = randomTensor([1, c, m], "btv"), gz = randomTensor([1, c, n], "btg")
            AttentionMapKeeping.limit.store(kept ? Int.max : 0, ordering: .relaxed)
            defer { AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed) }
            let qr = q.detached().requiringGrad()
            let z = try Tensor.attention(q: qr, k: k, v: v)
            var map: Tensor?, rowStats: Tensor?
            if case let .attention(_, _, _, mp, st) = z.op { map = mp; rowStats = st }
            print("N = M = \(n), d = 8, C = \(c), map \(kept ? "kept" : "recomputed"): rows per block: forward / backward")
            for r in 0..<5 {
                var line = "  round \(r + 1):"
                for rows in [256, 128, 64, 32, 16] where rows <= n {
                    AttentionBlocking.rows.store(rows, ordering: .relaxed)
                    let f = best { _ = try? Tensor.attention(q: q, k: k, v: v) }
                    let b = best { _ = attentionBackward(grad: gz, q: qr, k: k, v: v, map: map, rows: rowStats) }
                    line += String(format: "  %d: %.3f / %.3f", rows, f, b)
                }
                print(line)
            }
        }
    }

    func testTiming() throws {
        guard ProcessInfo.processInfo.environment["KYMO_ATTENTION_TIMING"] == "1" else {
            throw XCTSkip("timing: set KYMO_ATTENTION_TIMING=1 (a release build)")
        }
        Engine.configure(threads: 1)
        print("attention timing, ms of thread CPU time, best of 7, one sample, 1 thread, GEMM path \(Numerics.activeGemmPath)")
        for (n, c, kept) in [(1024, 32, false), (1024, 1, false), (256, 32, true)] {
            let d = 8, m = n, blk = min(256, n)
            let q = randomTensor([1, d, n], "tq", low: -2, high: 2), k = randomTensor([1, d, m], "tk", low: -2, high: 2)
            let v = randomTensor([1, c, m], "tv"), gz = randomTensor([1, c, n], "tg")
            AttentionMapKeeping.limit.store(kept ? Int.max : 0, ordering: .relaxed)
            let qr = q.detached().requiringGrad()
            let z = try Tensor.attention(q: qr, k: k, v: v)
            var map: Tensor?, rowStats: Tensor?
            if case let .attention(_, _, _, mp, st) = z.op { map = mp; rowStats = st }
            let oldF = best { _ = AttentionReference.forward(q: q, k: k, v: v) }
            let oldB = best { _ = AttentionReference.backward(grad: gz, q: q, k: k, v: v, map: map) }
            let newF = best { _ = try? Tensor.attention(q: q, k: k, v: v) }
            let newB = best { _ = attentionBackward(grad: gz, q: qr, k: k, v: v, map: map, rows: rowStats) }
            AttentionMapKeeping.limit.store(AttentionMapKeeping.defaultLimit, ordering: .relaxed)
            // the parts, one sample's blocks
            let s = UnsafeMutablePointer<Float>.allocate(capacity: blk * m), da = UnsafeMutablePointer<Float>.allocate(capacity: blk * m)
            let qt = UnsafeMutablePointer<Float>.allocate(capacity: n * d + blk), kt = UnsafeMutablePointer<Float>.allocate(capacity: m * d)
            let out = UnsafeMutablePointer<Float>.allocate(capacity: max(c, d) * max(n, m))
            defer { [s, da, qt, kt, out].forEach { $0.deallocate() } }
            let pq = q.data, pk = k.data, pv = v.data, pg = gz.data
            let blocks = n / blk
            attentionTranspose(pq, rows: d, cols: n, ld: n, qt, ldDst: d)
            attentionTranspose(pk, rows: d, cols: m, ld: m, kt, ldDst: d)
            func each(_ body: (Int) -> Void) -> Double { best { for bl in 0..<blocks { body(bl * blk) } } }
            let sOld = each { r0 in sgemm(MatView(ptr: pq + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: pk, ld: m, trans: false, batchStride: 0),
                                          s, ldc: m, m: blk, n: m, k: d) }
            let sNew = each { r0 in attentionScoreRows(qt + r0 * d, pk, s, ld: m, d: d, m: m, rows: blk, maxima: qt + n * d) }
            let soft = each { _ in for r in 0..<blk { softmaxRow(s + r * m, s + r * m, m) } }
            let softGivenMax = each { _ in for r in 0..<blk { softmaxRow(s + r * m, s + r * m, m, max: qt[n * d + r]) } }
            let prob = rowStats.map { st in each { r0 in attentionProbRows(qt + r0 * d, pk, s, ld: m, d: d, m: m, rows: blk, stats: st.data + r0 * 2) } }
            let zT = each { r0 in sgemm(MatView(ptr: pv, ld: m, trans: false, batchStride: 0), MatView(ptr: s, ld: m, trans: true, batchStride: 0),
                                        out + r0, ldc: n, m: c, n: blk, k: m) }
            let dvT = each { r0 in sgemm(MatView(ptr: pg + r0, ld: n, trans: false, batchStride: 0), MatView(ptr: s, ld: m, trans: false, batchStride: 0),
                                         out, ldc: m, m: c, n: m, k: blk, accumulate: true) }
            let daT = each { r0 in sgemm(MatView(ptr: pg + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: pv, ld: m, trans: false, batchStride: 0),
                                         da, ldc: m, m: blk, n: m, k: c) }
            let grad = each { _ in softmaxGradRows(s, da, da, rows: blk, m, stride: m) }
            // the narrow kernels on rows at the attention's padded stride, as it runs them (rows 4 KB
            // apart share their cache sets: kymo_rows_dot's eight rows per chain took 2.4× as long)
            let ldp = attentionRowStride(m)
            let sp = UnsafeMutablePointer<Float>.allocate(capacity: blk * ldp), dap = UnsafeMutablePointer<Float>.allocate(capacity: blk * ldp)
            defer { sp.deallocate(); dap.deallocate() }
            sp.initialize(repeating: 1 / Float(m), count: blk * ldp)
            let zNarrow = c <= attentionNarrowChannels ? each { r0 in _ = kymo_rows_dot(sp, ldp, blk, m, pv, m, Int32(c), out + r0, n) } : nil
            let narrow = c <= attentionNarrowChannels ? each { r0 in
                attentionNarrowGradRows(sp, dap, ld: ldp, g: pg + r0, ldg: n, v: pv, dv: out, c: c, m: m, rows: blk) } : nil
            let dqOld = each { r0 in sgemm(MatView(ptr: pk, ld: m, trans: false, batchStride: 0), MatView(ptr: da, ld: m, trans: true, batchStride: 0),
                                           out + r0, ldc: n, m: d, n: blk, k: m) }
            let dqNew = each { r0 in attentionDq(kt, da, ld: m, out + r0, d: d, dp: d, m: m, rows: blk, ldq: n) }
            let dkOld = each { r0 in sgemm(MatView(ptr: pq + r0, ld: n, trans: false, batchStride: 0), MatView(ptr: da, ld: m, trans: false, batchStride: 0),
                                           out, ldc: m, m: d, n: m, k: blk, accumulate: true) }
            let copies = best { attentionTranspose(pq, rows: d, cols: n, ld: n, qt, ldDst: d); attentionTranspose(pk, rows: d, cols: m, ld: m, kt, ldDst: d) }
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            print("N = M = \(n), d = 8, C = \(c), map \(kept ? "kept" : "recomputed"):")
            print("  forward \(f(oldF)) -> \(f(newF));  backward \(f(oldB)) -> \(f(newB));  total \(f(oldF + oldB)) -> \(f(newF + newB))")
            print("  S = q_blkᵀk: sgemm \(f(sOld)) -> kernel with row max \(f(sNew));  softmax rows \(f(soft)) (given the max \(f(softGivenMax)))"
                  + (prob.map { ";  backward's recompute from the rows' max and 1/Σ \(f($0))" } ?? ""))
            print("  z = v·Aᵀ \(f(zT))" + (zNarrow.map { " (kymo_rows_dot, rows \(ldp) apart, \(f($0)))" } ?? "") + ", dv += dZ·A \(f(dvT)), dA = dZᵀv \(f(daT)) (sgemm, unchanged);  softmax gradient rows \(f(grad))"
                  + (narrow.map { ";  the three in one pass (C ≤ \(attentionNarrowChannels), rows \(ldp) apart) \(f($0))" } ?? ""))
            print("  dq = k·dSᵀ: sgemm \(f(dqOld)) -> \(f(dqNew));  dk += q·dS (sgemm, unchanged) \(f(dkOld));  transposes of q and k \(f(copies))")
        }
    }
}
