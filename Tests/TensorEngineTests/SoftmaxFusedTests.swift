// The fused softmax row (vector max, exp fused with the sum, vector scale) and
// the fused softmax-gradient row against the composition they replaced — kept
// here, verbatim, as the reference: a scalar max scan, exp8 per 8 lanes with a
// scalar tail, `sumRun`, a scalar scale; and dot = `dotRun` followed by a scalar
// y ⊙ (g − dot) loop. Compared bit for bit: rows of every length 1…40 and
// around the 8/256 boundaries with hostile values (±0 maxima, −inf, NaN,
// saturating exp), the `softmax` op forward and backward, and `Tensor.attention`
// forward and all three gradients (direct and through the tape) against the
// old blocked attention, on shapes with N and M not multiples of 8 or 16 and
// with several 256-row blocks, on 1, 2 and 3 threads. Also: rowMax's four
// accumulators against the scalar scan on long rows, and `softmaxGradRows`
// (four rows' dot products side by side) against `softmaxGradRow` row by row.
import XCTest
@testable import TensorEngine
import TestSupport

/// The attention's block of query rows when the fusion was made (the reference's).
let referenceAttentionBlock = 256

/// The softmax row as it was before the fusion (the reference).
func referenceSoftmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    var m = -Float.infinity
    for i in 0..<n where src[i] > m { m = src[i] }
    var i = 0
    let mv = V8(repeating: m)
    while i + 8 <= n { store8(exp8(load8(src + i) - mv), dst + i); i += 8 }
    while i < n { dst[i] = exp8(V8(repeating: src[i] - m))[0]; i += 1 }
    let s = sumRun(dst, n)
    let inv = 1 / s
    for j in 0..<n { dst[j] *= inv }
}

/// y ⊙ (g − Σ g⊙y) as the attention backward and `softmaxBackward` computed it before.
func referenceSoftmaxGradRow(_ y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    let dot = dotRun(y, g, n)
    for j in 0..<n { out[j] = y[j] * (g[j] - dot) }
}

/// The blocked attention forward before the fusion (same products, reference rows).
func referenceAttention(q: Tensor, k: Tensor, v: Tensor) -> Tensor {
    let b = q.shape[0], d = q.shape[1], n = q.shape[2], m = k.shape[2], c = v.shape[1]
    let qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous()
    let out = Tensor(uninitialized: [b, c, n])
    let s = UnsafeMutablePointer<Float>.allocate(capacity: referenceAttentionBlock * m)
    defer { s.deallocate() }
    withExtendedLifetime((qc, kc, vc)) {
        for bi in 0..<b {
            let qb = qc.data + bi * d * n, kb = kc.data + bi * d * m, vb = vc.data + bi * c * m
            var r0 = 0
            while r0 < n {
                let rows = min(referenceAttentionBlock, n - r0)
                referenceScores(qb, kb, s, d: d, n: n, m: m, r0: r0, rows: rows)
                sgemm(MatView(ptr: vb, ld: m, trans: false, batchStride: 0), MatView(ptr: s, ld: m, trans: true, batchStride: 0),
                      out.data + bi * c * n + r0, ldc: n, m: c, n: rows, k: m)
                r0 += rows
            }
        }
    }
    return out
}

func referenceScores(_ qb: UnsafeMutablePointer<Float>, _ kb: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                     d: Int, n: Int, m: Int, r0: Int, rows: Int) {
    sgemm(MatView(ptr: qb + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: kb, ld: m, trans: false, batchStride: 0),
          s, ldc: m, m: rows, n: m, k: d)
    for r in 0..<rows { referenceSoftmaxRow(s + r * m, s + r * m, m) }
}

/// The attention backward before the fusion: (dq, dk, dv).
func referenceAttentionBackward(grad gz: Tensor, q: Tensor, k: Tensor, v: Tensor) -> [Tensor] {
    let b = q.shape[0], d = q.shape[1], n = q.shape[2], m = k.shape[2], c = v.shape[1]
    let qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous(), gc = gz.contiguous()
    let dq = Tensor(uninitialized: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
    let s = UnsafeMutablePointer<Float>.allocate(capacity: referenceAttentionBlock * m)
    let da = UnsafeMutablePointer<Float>.allocate(capacity: referenceAttentionBlock * m)
    defer { s.deallocate(); da.deallocate() }
    withExtendedLifetime((qc, kc, vc, gc)) {
        for bi in 0..<b {
            let qb = qc.data + bi * d * n, kb = kc.data + bi * d * m, vb = vc.data + bi * c * m
            let gb = gc.data + bi * c * n
            let dqb = dq.data + bi * d * n, dkb = dk.data + bi * d * m, dvb = dv.data + bi * c * m
            var r0 = 0
            while r0 < n {
                let rows = min(referenceAttentionBlock, n - r0)
                referenceScores(qb, kb, s, d: d, n: n, m: m, r0: r0, rows: rows)
                sgemm(MatView(ptr: gb + r0, ld: n, trans: false, batchStride: 0), MatView(ptr: s, ld: m, trans: false, batchStride: 0),
                      dvb, ldc: m, m: c, n: m, k: rows, accumulate: true)
                sgemm(MatView(ptr: gb + r0, ld: n, trans: true, batchStride: 0), MatView(ptr: vb, ld: m, trans: false, batchStride: 0),
                      da, ldc: m, m: rows, n: m, k: c)
                for r in 0..<rows {
                    let ar = s + r * m, dr = da + r * m
                    let dot = dotRun(ar, dr, m)
                    for j in 0..<m { dr[j] = ar[j] * (dr[j] - dot) }
                }
                sgemm(MatView(ptr: kb, ld: m, trans: false, batchStride: 0), MatView(ptr: da, ld: m, trans: true, batchStride: 0),
                      dqb + r0, ldc: n, m: d, n: rows, k: m)
                sgemm(MatView(ptr: qb + r0, ld: n, trans: false, batchStride: 0), MatView(ptr: da, ld: m, trans: false, batchStride: 0),
                      dkb, ldc: m, m: d, n: m, k: rows, accumulate: true)
                r0 += rows
            }
        }
    }
    return [dq, dk, dv]
}

final class SoftmaxFusedTests: XCTestCase {
    override func tearDown() { Engine.configure(threads: 2) }

    private func bits(_ t: Tensor) -> [UInt32] { t.toArray().map(\.bitPattern) }
    private func bits(_ p: UnsafePointer<Float>, _ n: Int) -> [UInt32] { (0..<n).map { p[$0].bitPattern } }

    /// Rows that probe every branch: plain values, ±0 maxima in either order,
    /// −inf entries and all-−inf rows, NaN, values far apart (exp saturates to 0).
    private func hostileRows(_ n: Int, seed: Int) -> [[Float]] {
        let plain = randomTensor([n], "row\(seed)", low: -4, high: 4).toArray()
        var rows: [[Float]] = [plain, plain.map { $0 * 40 }, plain.map { $0 - 200 }]
        var zeros = plain.map { -abs($0) - 1 }
        zeros[n / 2] = -0.0
        if n > 1 { zeros[n - 1] = 0.0 }
        rows.append(zeros)
        var zeros2 = zeros
        zeros2[n / 2] = 0.0
        if n > 1 { zeros2[n - 1] = -0.0 }
        rows.append(zeros2)
        rows.append(plain.map { _ in -0.0 })
        var infs = plain
        for j in stride(from: 0, to: n, by: 3) { infs[j] = -.infinity }
        rows.append(infs)
        rows.append([Float](repeating: -.infinity, count: n))
        var nan = plain
        nan[n / 3] = .nan
        rows.append(nan)
        var big = plain
        big[n - 1] = 90
        rows.append(big)
        return rows
    }

    func testSoftmaxRowMatchesOldCompositionBitForBit() {
        for n in Array(1...40) + [63, 64, 65, 127, 255, 256, 257, 1023, 1024, 1031] {
            for (r, row) in hostileRows(n, seed: n).enumerated() {
                let src = UnsafeMutablePointer<Float>.allocate(capacity: n)
                let a = UnsafeMutablePointer<Float>.allocate(capacity: n), b = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { src.deallocate(); a.deallocate(); b.deallocate() }
                src.initialize(from: row, count: n)
                referenceSoftmaxRow(src, a, n)
                softmaxRow(src, b, n)
                XCTAssertEqual(bits(a, n), bits(b, n), "n = \(n), row \(r)")
                softmaxRow(src, src, n)   // in place
                XCTAssertEqual(bits(a, n), bits(src, n), "n = \(n), row \(r), in place")
                // the gradient row, out of place and in place (the attention's)
                let g = (0..<n).map { Float($0 % 7) - 3.1 + (row[$0].isFinite ? row[$0] * 0.01 : 0) }
                let ga = UnsafeMutablePointer<Float>.allocate(capacity: n), gb = UnsafeMutablePointer<Float>.allocate(capacity: n)
                let out = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { ga.deallocate(); gb.deallocate(); out.deallocate() }
                ga.initialize(from: g, count: n)
                gb.initialize(from: g, count: n)
                referenceSoftmaxGradRow(a, ga, ga, n)
                softmaxGradRow(a, gb, out, n)
                XCTAssertEqual(bits(ga, n), bits(out, n), "n = \(n), row \(r), gradient")
                softmaxGradRow(a, gb, gb, n)
                XCTAssertEqual(bits(ga, n), bits(gb, n), "n = \(n), row \(r), gradient in place")
            }
        }
    }

    func testRowMaxKeepsTheScansSignedZero() {
        for row: [Float] in [[-0.0, 0.0], [0.0, -0.0], [-1, -0.0, -2, 0.0, -3, -4, -5, -6, -7, -8, 0.0],
                             [-1, -2, -3, -4, -5, -6, -7, 0.0, -0.0], [.nan, -0.0, .nan], [.nan], []] {
            var m = -Float.infinity
            for x in row where x > m { m = x }
            let got = row.withUnsafeBufferPointer { rowMax($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, row.count) }
            XCTAssertEqual(got.bitPattern, m.bitPattern, "\(row)")
        }
    }

    /// rowMax's four accumulators against the scalar scan, on long rows: the
    /// maximum (or a ±0 maximum, or NaNs) in every accumulator and in the tail.
    func testRowMaxOfLongRowsIsTheScansValue() {
        for n in [31, 32, 33, 40, 63, 64, 65, 71, 96, 100, 255, 256, 257, 1031] {
            var rows = hostileRows(n, seed: 1000 + n)
            for at in Set([0, 8, 16, 24, n / 2, n - 1, max(0, n - 9)]) where at < n {
                var r = rows[0].map { -abs($0) - 1 }
                r[at] = 3
                rows.append(r)
                r[at] = 0.0
                rows.append(r)
                r[at] = -0.0
                r[(at + 8) % n] = 0.0
                rows.append(r)
                var nan = rows[0]
                nan[at] = .nan
                rows.append(nan)
            }
            for (k, row) in rows.enumerated() {
                var m = -Float.infinity
                for x in row where x > m { m = x }
                let got = row.withUnsafeBufferPointer { rowMax($0.baseAddress!, n) }
                XCTAssertEqual(got.bitPattern, m.bitPattern, "n = \(n), row \(k)")
            }
        }
    }

    /// `softmaxGradRows` (four rows' dot products side by side) against
    /// `softmaxGradRow` one row at a time: 1–9 rows (whole groups of four and
    /// remainders), lengths around 8, in place and out of place, rows with a
    /// stride longer than the row.
    func testGradRowsMatchOneRowAtATime() {
        for n in Array(1...20) + [31, 32, 33, 255, 256, 257] {
            for rows in 1...9 {
                for stride in [n, n + 3] {
                    let ys = (0..<rows).flatMap { r -> [Float] in
                        let h = hostileRows(n, seed: 7 * n + r)
                        return h[r % h.count].map { $0.isFinite ? $0 : 0.25 } + [Float](repeating: 0, count: stride - n)
                    }
                    let gs = randomTensor([rows * stride], "g\(n) \(rows) \(stride)", low: -3, high: 3).toArray()
                    var want = gs, got = gs, inPlace = gs
                    ys.withUnsafeBufferPointer { y in
                        gs.withUnsafeBufferPointer { g in
                            want.withUnsafeMutableBufferPointer { w in
                                for r in 0..<rows { softmaxGradRow(y.baseAddress! + r * stride, g.baseAddress! + r * stride, w.baseAddress! + r * stride, n) }
                            }
                            got.withUnsafeMutableBufferPointer { o in
                                softmaxGradRows(y.baseAddress!, g.baseAddress!, o.baseAddress!, rows: rows, n, stride: stride)
                            }
                        }
                        inPlace.withUnsafeMutableBufferPointer { o in
                            softmaxGradRows(y.baseAddress!, o.baseAddress!, o.baseAddress!, rows: rows, n, stride: stride)
                        }
                    }
                    let tag = "n = \(n), \(rows) rows, stride \(stride)"
                    XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), tag)
                    XCTAssertEqual(inPlace.map(\.bitPattern), want.map(\.bitPattern), tag + ", in place")
                }
            }
        }
    }

    func testSoftmaxOpForwardAndBackwardMatchOldComposition() throws {
        for threads in 1...3 {
            Engine.configure(threads: threads)
            for shape in [[3, 5, 37], [2, 256], [4, 3, 9, 17], [1, 1000]] {
                let x = randomTensor(shape, "sm\(shape)", low: -6, high: 6).requiringGrad()
                let y = try x.softmax()
                let n = shape.last!, rows = x.count / n
                let ref = Tensor(uninitialized: shape)
                let xc = x.contiguous()
                for r in 0..<rows { referenceSoftmaxRow(xc.data + r * n, ref.data + r * n, n) }
                XCTAssertEqual(bits(y), bits(ref), "softmax \(shape), \(threads) threads")
                let g = randomTensor(shape, "smg\(shape)")
                try y.backward(seed: g)
                let gc = g.contiguous(), dref = Tensor(uninitialized: shape)
                for r in 0..<rows { referenceSoftmaxGradRow(ref.data + r * n, gc.data + r * n, dref.data + r * n, n) }
                XCTAssertEqual(bits(x.grad!), bits(dref), "softmax gradient \(shape), \(threads) threads")
            }
        }
    }

    func testAttentionForwardAndGradientsMatchOldCompositionBitForBit() throws {
        // (B, d, N, M, C): one block of 256, N and M off multiples of 8 and 16,
        // several blocks with a ragged last one, M = 1.
        let shapes = [(2, 8, 256, 256, 16), (1, 4, 37, 45, 3), (3, 8, 300, 261, 5), (2, 3, 13, 7, 2), (1, 2, 513, 1, 4)]
        for threads in 1...3 {
            Engine.configure(threads: threads)
            for (b, d, n, m, c) in shapes {
                let tag = "[\(b), \(d), \(n), \(m), \(c)], \(threads) threads"
                let q = randomTensor([b, d, n], "q\(tag)", low: -2, high: 2).requiringGrad()
                let k = randomTensor([b, d, m], "k\(tag)", low: -2, high: 2).requiringGrad()
                let v = randomTensor([b, c, m], "v\(tag)").requiringGrad()
                let gz = randomTensor([b, c, n], "gz\(tag)")
                let z = try Tensor.attention(q: q, k: k, v: v)
                XCTAssertEqual(bits(z), bits(referenceAttention(q: q, k: k, v: v)), "forward \(tag)")
                let want = referenceAttentionBackward(grad: gz, q: q, k: k, v: v)
                let direct = attentionBackward(grad: gz, q: q, k: k, v: v)
                try z.backward(seed: gz)
                for (i, name) in ["dq", "dk", "dv"].enumerated() {
                    XCTAssertEqual(bits(direct[i]!), bits(want[i]), "\(name) \(tag)")
                }
                XCTAssertEqual(bits(q.grad!), bits(want[0]), "dq through the tape \(tag)")
                XCTAssertEqual(bits(k.grad!), bits(want[1]), "dk through the tape \(tag)")
                XCTAssertEqual(bits(v.grad!), bits(want[2]), "dv through the tape \(tag)")
                // attention maps (attentionRows) use the same row
                let rows = try Tensor.attentionRows(q: q, k: k, sample: b - 1, queries: [0, n - 1])
                let s = UnsafeMutablePointer<Float>.allocate(capacity: n * m)
                defer { s.deallocate() }
                let qc = q.contiguous(), kc = k.contiguous()
                for (r, qi) in [0, n - 1].enumerated() {
                    for j in 0..<m {
                        var acc: Float = 0
                        for t in 0..<d { acc += qc.data[((b - 1) * d + t) * n + qi] * kc.data[((b - 1) * d + t) * m + j] }
                        s[r * m + j] = acc
                    }
                    referenceSoftmaxRow(s + r * m, s + r * m, m)
                }
                XCTAssertEqual(bits(rows), bits(s, 2 * m), "attention rows \(tag)")
            }
        }
    }
}
