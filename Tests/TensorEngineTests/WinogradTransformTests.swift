// The Winograd transforms of CKymoGEMM's winograd.c against the 8-lane Swift loops
// of Tensor+Winograd.swift they replaced (kept in WinogradSwiftTransforms.swift): the
// input, output (with bias) and output-gradient transforms at 16 lanes (the AVX-512
// path, only where the CPU has AVX-512F) and at 8 lanes (the AVX2 path, on every CPU),
// and the weight gradient's Gᵀ·dV·G at 16 and 8 lanes (its Swift loop is kept below as
// the reference). Bit for bit,
// chunk by chunk, on odd and even H and W, H ≠ W, channel counts off multiples of
// 8 and 16, chunks that start and end inside a tile row and span samples, inputs
// with +0, −0 and widely different magnitudes; and whole convolutions (forward,
// input and weight gradients, with and without bias) on the AVX2 path on 1–3 threads
// and on the AVX-512 path against it. scripts/winograd-transforms.swift times the 8-lane C
// transforms against the Swift loops.
import XCTest
import TestSupport
import CKymoGEMM
@testable import TensorEngine

final class WinogradTransformTests: XCTestCase {
    override func tearDown() {
        Numerics.forceGemmPath(.automatic)
        Engine.configure(threads: 2)
    }

    /// The 16-lane transforms run only where the CPU has AVX-512F; the 8-lane ones everywhere.
    let wide = kymo_cpu_has_avx512f() == 1

    /// Deterministic values with exact zeros of both signs and magnitudes from 1e-3 to 1e3.
    func values(_ count: Int, _ seed: UInt32) -> [Float] {
        var s = seed &* 2654435761 &+ 1
        return (0..<count).map { i in
            s = s &* 1103515245 &+ 12345
            let r = Float(Int32(bitPattern: s >> 1) - (1 << 30)) / Float(1 << 30)
            switch i % 11 {
            case 3: return 0
            case 7: return -0.0
            case 5: return r * 1000
            case 9: return r * 0.001
            default: return r
            }
        }
    }

    /// (batch, channels, h, w): odd and even sizes, H ≠ W, tiny planes, channels off 8 and 16.
    static let shapes: [(Int, Int, Int, Int)] = [
        (1, 48, 16, 16), (1, 64, 16, 16), (1, 33, 32, 32), (2, 5, 7, 9), (3, 13, 17, 34), (2, 3, 1, 1),
        (3, 2, 2, 3), (2, 17, 9, 4), (1, 7, 40, 39), (4, 6, 30, 29), (2, 9, 3, 31), (3, 4, 12, 2),
    ]

    /// Chunks [lo, hi) as the convolution cuts them (fixed 128 tiles), plus odd ones that start
    /// and end inside tile rows.
    func chunks(_ total: Int) -> [(Int, Int)] {
        var out = stride(from: 0, to: total, by: winogradTileGroup).map { ($0, min(total, $0 + winogradTileGroup)) }
        for (lo, len) in [(1, 5), (3, 17), (total / 3, 40), (total - 1, 1), (0, total)] where lo >= 0 && lo < total {
            out.append((lo, min(total, lo + len)))
        }
        return out
    }

    func testInputTransformBitForBit() throws {
        for (batch, cin, h, w) in Self.shapes {
            let x = values(batch * cin * h * w, UInt32(cin * 131 + h * 7 + w))
            let g = WinogradTiles(batch: batch, h: h, w: w)
            for (lo, hi) in chunks(g.total) {
                let n = hi - lo, plane = WinogradTiles.plane(cin * n)   // the gaps between planes stay NaN
                var want = [Float](repeating: .nan, count: 16 * plane), got = want, got8 = want
                var rows = [Float](repeating: 0, count: g.scratchCount(channels: cin, n: n))
                x.withUnsafeBufferPointer { xp in
                    rows.withUnsafeMutableBufferPointer { r in
                        want.withUnsafeMutableBufferPointer {
                            winogradInput(xp.baseAddress!, cin: cin, g, lo, hi, u: $0.baseAddress!, plane: plane, rows: r.baseAddress!)
                        }
                        if wide { got.withUnsafeMutableBufferPointer { kymo_winograd_input(xp.baseAddress!, cin, h, w, lo, hi, $0.baseAddress!, plane, r.baseAddress!) } }
                        got8.withUnsafeMutableBufferPointer { kymo_winograd_input8(xp.baseAddress!, cin, h, w, lo, hi, $0.baseAddress!, plane, r.baseAddress!) }
                    }
                }
                if wide { XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "U of x [\(batch),\(cin),\(h),\(w)] tiles \(lo)..<\(hi), 16 lanes") }
                XCTAssertEqual(got8.map(\.bitPattern), want.map(\.bitPattern), "U of x [\(batch),\(cin),\(h),\(w)] tiles \(lo)..<\(hi), 8 lanes")
            }
        }
    }

    func testGradTransformBitForBit() throws {
        for (batch, cout, h, w) in Self.shapes {
            let dy = values(batch * cout * h * w, UInt32(cout * 17 + h * 5 + w))
            let g = WinogradTiles(batch: batch, h: h, w: w)
            for (lo, hi) in chunks(g.total) {
                let n = hi - lo, plane = WinogradTiles.plane(cout * n)
                var want = [Float](repeating: .nan, count: 16 * plane), got = want, got8 = want
                var rows = [Float](repeating: 0, count: g.scratchCount(channels: cout, n: n))
                dy.withUnsafeBufferPointer { yp in
                    let gy = yp.baseAddress!
                    rows.withUnsafeMutableBufferPointer { r in
                        want.withUnsafeMutableBufferPointer { m in
                            g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
                                for o in 0..<cout {
                                    gradTransform(gy + (b * cout + o) * h * w, h: h, w: w, ty: ty, tx0: tx0, len: len,
                                                  m: m.baseAddress! + o * n + n0, plane: plane, rows: r.baseAddress!)
                                }
                            }
                        }
                    }
                    if wide { got.withUnsafeMutableBufferPointer { kymo_winograd_grad(gy, cout, h, w, lo, hi, $0.baseAddress!, plane) } }
                    got8.withUnsafeMutableBufferPointer { kymo_winograd_grad8(gy, cout, h, w, lo, hi, $0.baseAddress!, plane) }
                }
                if wide { XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "dM of dy [\(batch),\(cout),\(h),\(w)] tiles \(lo)..<\(hi), 16 lanes") }
                XCTAssertEqual(got8.map(\.bitPattern), want.map(\.bitPattern), "dM of dy [\(batch),\(cout),\(h),\(w)] tiles \(lo)..<\(hi), 8 lanes")
            }
        }
    }

    func testOutputTransformBitForBit() throws {
        for (batch, cout, h, w) in Self.shapes {
            let g = WinogradTiles(batch: batch, h: h, w: w)
            for (lo, hi) in chunks(g.total) {
                let n = hi - lo
                let m = values(16 * cout * n, UInt32(cout * 29 + lo * 3 + hi))
                for bias in [nil, values(cout, UInt32(cout + 1))] {
                    // every element the chunk does not write keeps its value (NaN here)
                    var want = [Float](repeating: .nan, count: batch * cout * h * w), got = want, got8 = want
                    var rows = [Float](repeating: 0, count: 4 * n + 16 + g.scratchCount(channels: 1, n: n))
                    m.withUnsafeBufferPointer { mp in
                        rows.withUnsafeMutableBufferPointer { r in
                            want.withUnsafeMutableBufferPointer { y in
                                g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
                                    for o in 0..<cout {
                                        outputTransform(mp.baseAddress! + 16 * o * n + n0, plane: n, len: len, bias: bias?[o] ?? 0,
                                                        y: y.baseAddress! + (b * cout + o) * h * w, h: h, w: w, ty: ty, tx0: tx0,
                                                        rows: r.baseAddress!)
                                    }
                                }
                            }
                        }
                        if wide {
                            got.withUnsafeMutableBufferPointer { y in
                                if let bias {
                                    bias.withUnsafeBufferPointer { kymo_winograd_output(mp.baseAddress!, cout, h, w, lo, hi, $0.baseAddress!, y.baseAddress!) }
                                } else {
                                    kymo_winograd_output(mp.baseAddress!, cout, h, w, lo, hi, nil, y.baseAddress!)
                                }
                            }
                        }
                        got8.withUnsafeMutableBufferPointer { y in
                            if let bias {
                                bias.withUnsafeBufferPointer { kymo_winograd_output8(mp.baseAddress!, cout, h, w, lo, hi, $0.baseAddress!, y.baseAddress!) }
                            } else {
                                kymo_winograd_output8(mp.baseAddress!, cout, h, w, lo, hi, nil, y.baseAddress!)
                            }
                        }
                    }
                    if wide {
                        XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern),
                                       "y of [\(batch),\(cout),\(h),\(w)] tiles \(lo)..<\(hi) bias \(bias != nil), 16 lanes")
                    }
                    XCTAssertEqual(got8.map(\.bitPattern), want.map(\.bitPattern),
                                   "y of [\(batch),\(cout),\(h),\(w)] tiles \(lo)..<\(hi) bias \(bias != nil), 8 lanes")
                }
            }
        }
    }

    /// Gᵀ·dV·G at 16 lanes (AVX-512) and at 8 (AVX2, on every CPU Kymo runs on) against the Swift loop.
    func testWeightFinishBitForBit() throws {
        for (cout, cin) in [(128, 48), (128, 64), (5, 3), (19, 13), (40, 17), (7, 33), (1, 1)] {
            for groups in 1...3 {
                let plane = WinogradTiles.plane(cout * cin)
                let dv = values(groups * 16 * plane, UInt32(cout * 7 + cin + groups))
                for (o0, o1) in [(0, cout), (cout / 3, cout - cout / 4)] where o0 < o1 {
                    var want = [Float](repeating: .nan, count: cout * cin * 9), got = want, got8 = want
                    dv.withUnsafeBufferPointer { p in
                        want.withUnsafeMutableBufferPointer { winogradWeightFinish(p.baseAddress!, groups: groups, plane: plane, cin: cin, o0, o1, $0.baseAddress!) }
                        if wide { got.withUnsafeMutableBufferPointer { kymo_winograd_weight_finish(p.baseAddress!, groups, plane, cin, o0, o1, $0.baseAddress!) } }
                        got8.withUnsafeMutableBufferPointer { kymo_winograd_weight_finish8(p.baseAddress!, groups, plane, cin, o0, o1, $0.baseAddress!) }
                    }
                    let what = "dW [\(cout),\(cin)] from \(groups) partials, o \(o0)..<\(o1)"
                    if wide { XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), what + ", 16 lanes") }
                    XCTAssertEqual(got8.map(\.bitPattern), want.map(\.bitPattern), what + ", 8 lanes")
                }
            }
        }
    }

    /// The whole convolution, forward and both gradients, with and without bias: the AVX2 path
    /// gives its one-thread bits on 2 and 3 threads, and the AVX-512 path (16-lane transforms,
    /// AVX-512 GEMM; where the CPU has it) the AVX2 path's bits on 1, 2 and 3 threads.
    func testConvolutionSameBitsOnBothPathsAndThreadCounts() throws {
        func run(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ seed: Tensor) throws -> [[UInt32]] {
            let xg = x.detached().requiringGrad(), wg = w.detached().requiringGrad(), bg = b?.detached().requiringGrad()
            let y = try xg.conv2d(weight: wg, bias: bg, padding: (1, 1))
            try y.backward(seed: seed)
            var out = [y.toArray(), try XCTUnwrap(xg.grad).toArray(), try XCTUnwrap(wg.grad).toArray()]
            if let bg { out.append(try XCTUnwrap(bg.grad).toArray()) }
            return out.map { $0.map(\.bitPattern) }
        }
        let cases: [([Int], Int, Bool)] = [([1, 48, 16, 16], 128, true), ([1, 64, 16, 16], 128, false), ([2, 5, 7, 9], 12, true),
                                           ([3, 13, 17, 34], 19, false), ([4, 6, 30, 29], 40, true), ([2, 3, 1, 1], 5, true)]
        for (shape, cout, hasBias) in cases {
            let x = try Tensor(values(shape.reduce(1, *), 3), shape: shape)
            let w = randomTensor([cout, shape[1], 3, 3], "transform conv w \(shape)", low: -0.3, high: 0.3)
            let b = hasBias ? randomTensor([cout], "transform conv b \(shape)") : nil
            let seed = try Tensor(values(shape[0] * cout * shape[2] * shape[3], 5), shape: [shape[0], cout, shape[2], shape[3]])
            XCTAssertTrue(Numerics.forceGemmPath(.avx2))
            Engine.configure(threads: 1)
            let want = try run(x, w, b, seed)
            for threads in 2...3 {   // the AVX2 path (8-lane transforms) on more threads, on every CPU
                Engine.configure(threads: threads)
                XCTAssertEqual(try run(x, w, b, seed), want, "x \(shape) w [\(cout),\(shape[1]),3,3] bias \(hasBias), AVX2, \(threads) threads")
            }
            guard wide else { continue }
            XCTAssertTrue(Numerics.forceGemmPath(.avx512))
            for threads in 1...3 {
                Engine.configure(threads: threads)
                XCTAssertEqual(try run(x, w, b, seed), want, "x \(shape) w [\(cout),\(shape[1]),3,3] bias \(hasBias), \(threads) threads")
            }
        }
    }
}

/// The reference for winograd.c's `kymo_winograd_weight_finish` (16 lanes) and `…_finish8`
/// (8 lanes): the 8-lane Swift loop they replaced, as it was (but for the plane stride).
/// dW[o] = Gᵀ·dV·G for o ∈ [o0, o1) from `groups` partials dV [16, cout, cin] summed in
/// order (dV[ξ][o][c] of group g at pp[(16·g + ξ)·plane + o·cin + c]).
func winogradWeightFinish(_ pp: UnsafePointer<Float>, groups: Int, plane: Int, cin: Int, _ o0: Int, _ o1: Int,
                          _ dw: UnsafeMutablePointer<Float>) {
    let size = 16 * plane, blocks = (cin + 7) / 8
    for item in o0 * blocks..<o1 * blocks {
        let o = item / blocks, c0 = (item - o * blocks) * 8, lanes = min(8, cin - c0)
        @inline(__always) func v(_ xi: Int) -> V8 {
            var acc = V8()
            for grp in 0..<groups {
                let src = pp + grp * size + xi * plane + o * cin + c0
                var t = V8()
                if lanes == 8 { t = load8(src) } else { for l in 0..<lanes { t[l] = src[l] } }
                acc = grp == 0 ? t : acc + t
            }
            return acc
        }
        let half = V8(repeating: 0.5)
        // Gᵀ = [[1,½,½,0],[0,½,−½,0],[0,½,½,1]] down the rows i, then along j
        @inline(__always) func down(_ j: Int) -> (V8, V8, V8) {
            let v0 = v(j), v1 = v(4 + j), v2 = v(8 + j), v3 = v(12 + j)
            return (v0 + half * (v1 + v2), half * (v1 - v2), half * (v1 + v2) + v3)
        }
        let c0j = down(0), c1j = down(1), c2j = down(2), c3j = down(3)
        @inline(__always) func along(_ a: Int, _ q0: V8, _ q1: V8, _ q2: V8, _ q3: V8) {
            let r0 = q0 + half * (q1 + q2), r1 = half * (q1 - q2), r2 = half * (q1 + q2) + q3
            for l in 0..<lanes {
                let dst = dw + ((o * cin + c0 + l) * 3 + a) * 3
                dst[0] = r0[l]; dst[1] = r1[l]; dst[2] = r2[l]
            }
        }
        along(0, c0j.0, c1j.0, c2j.0, c3j.0)
        along(1, c0j.1, c1j.1, c2j.1, c3j.1)
        along(2, c0j.2, c1j.2, c2j.2, c3j.2)
    }
}
