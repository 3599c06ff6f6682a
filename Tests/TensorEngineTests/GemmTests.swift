// Kymo's SGEMM: its bits are defined as one scalar FMA chain per element over k
// in increasing order (checked bit for bit against a Swift transcription of
// that definition), it is accurate against a Double product, every path gives
// the same bits, and matmul gives the same bits on 1, 2 and 3 threads and for
// any layout of its operands (transposed, sliced, copied).
import XCTest
import CKymoGEMM
import TensorEngine
import TestSupport

final class GemmTests: XCTestCase {
    override func setUp() { Engine.configure(threads: 2) }
    override func tearDown() { Numerics.forceGemmPath(.automatic) }

    /// One GEMM problem with padded leading dimensions (lda, ldb, ldc > the logical widths).
    struct Problem {
        let m, n, k: Int
        let transA, transB, accumulate: Bool
        let lda, ldb, ldc: Int
        var a, b, c: [Float]

        init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, accumulate: Bool, pad: Int, seed: UInt64) {
            self.m = m; self.n = n; self.k = k
            self.transA = transA; self.transB = transB; self.accumulate = accumulate
            lda = (transA ? m : k) + pad; ldb = (transB ? k : n) + 2 * pad; ldc = n + 3 * pad
            var s = RandomStream(seed: seed, name: "gemm/\(m)x\(n)x\(k)")
            a = Tensor.uniform([(transA ? k : m) * lda], low: -1, high: 1, stream: &s).toArray()
            b = Tensor.uniform([(transB ? n : k) * ldb], low: -1, high: 1, stream: &s).toArray()
            c = Tensor.uniform([m * ldc], low: -1, high: 1, stream: &s).toArray()
        }
        func A(_ i: Int, _ p: Int) -> Float { transA ? a[p * lda + i] : a[i * lda + p] }
        func B(_ p: Int, _ j: Int) -> Float { transB ? b[j * ldb + p] : b[p * ldb + j] }

        /// kymo_sgemm's result (the whole ldc-strided buffer, padding included).
        func run() -> [Float] {
            var out = c
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    kymo_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, pa.baseAddress!, lda, pb.baseAddress!, ldb,
                               &out, ldc, accumulate ? 1 : 0)
                }
            }
            return out
        }
        /// The definition: c = (accumulate ? C : 0); c = fma(A(i,p), B(p,j), c) for p = 0, 1, …
        func reference() -> [Float] {
            var out = c
            // element strides of op(A) along (i, p) and of op(B) along (p, j)
            let (ai, ap) = transA ? (1, lda) : (lda, 1), (bp, bj) = transB ? (1, ldb) : (ldb, 1)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        for i in 0..<m {
                            for j in 0..<n {
                                var v: Float = accumulate ? po[i * ldc + j] : 0
                                var x = i * ai, y = j * bj
                                for _ in 0..<k { v = v.addingProduct(pa[x], pb[y]); x += ap; y += bp }
                                po[i * ldc + j] = v
                            }
                        }
                    }
                }
            }
            return out
        }
    }

    /// Shapes around the micro-tile sizes (6×16, 12×32), the row tile (MC = 144), the K block (256) and the packing transposes (8 at a time).
    static let rowCounts = [1, 7, 12, 13, 33, 145]
    static let columnCounts = [5, 16, 17, 33, 64]
    static let depths = [1, 3, 19, 256, 257, 600]

    /// On every path this CPU runs (each packs A and B into its own micro-panel
    /// shape, 6×16 or 12×32, whole panels through register transposes, edge
    /// panels element by element; AVX2 reads a non-transposed A's rows in place,
    /// here with lda > k): the scalar FMA chain, bit for bit.
    func testMatchesTheScalarFMAChainBitForBit() {
        var paths = 0
        for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) {
            checkScalarChain(path: path)
            paths += 1
        }
        Numerics.forceGemmPath(.automatic)
        XCTAssertGreaterThanOrEqual(paths, 1, "the AVX2 path always runs")
    }

    func checkScalarChain(path: Numerics.GemmPath) {
        var checked = 0
        for m in Self.rowCounts {
            for n in Self.columnCounts {
                for k in Self.depths {
                    for flags in 0..<8 {
                        let p = Problem(m: m, n: n, k: k, transA: flags & 1 != 0, transB: flags & 2 != 0,
                                        accumulate: flags & 4 != 0, pad: 1 + flags % 3, seed: UInt64(flags))
                        let got = p.run(), want = p.reference()
                        if got.map(\.bitPattern) != want.map(\.bitPattern) {
                            let bad = got.indices.first { got[$0].bitPattern != want[$0].bitPattern }!
                            XCTFail("\(path) m \(m) n \(n) k \(k) flags \(flags): element \(bad) is \(got[bad]), the FMA chain gives \(want[bad])")
                            return
                        }
                        checked += 1
                    }
                }
            }
        }
        XCTAssertEqual(checked, 6 * 5 * 6 * 8)
    }

    /// The shapes of the per-sample convolution and attention products, whose edge tiles
    /// every path stores straight into C (exact row counts, partial columns) and
    /// whose operands it packs through 8-, 4- and 2-wide register transposes (a row count
    /// of 8 + 4 + rest, a transposed B's ragged last panel): on every path, the scalar
    /// FMA chain bit for bit, the padding between C's rows untouched, both paths equal.
    func testEdgeTilesAndTransposedPackingOnConvolutionShapes() {
        let shapes = [(128, 48, 64), (128, 64, 48), (48, 64, 128), (8, 100, 256), (8, 40, 300), (36, 33, 19),
                      (37, 47, 21), (20, 31, 9), (4, 16, 5), (145, 20, 260)]
        var results: [Numerics.GemmPath: [[UInt32]]] = [:]
        for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) {
            var all: [[UInt32]] = []
            for (m, n, k) in shapes {
                for flags in 0..<8 {
                    let p = Problem(m: m, n: n, k: k, transA: flags & 1 != 0, transB: flags & 2 != 0,
                                    accumulate: flags & 4 != 0, pad: 1 + flags % 3, seed: UInt64(40 + flags))
                    let got = p.run().map(\.bitPattern), want = p.reference().map(\.bitPattern)
                    XCTAssertEqual(got, want, "\(path) m \(m) n \(n) k \(k) flags \(flags): not the scalar FMA chain")
                    for i in 0..<m {
                        for j in n..<p.ldc { XCTAssertEqual(got[i * p.ldc + j], p.c[i * p.ldc + j].bitPattern, "padding written") }
                    }
                    all.append(got)
                }
            }
            results[path] = all
        }
        Numerics.forceGemmPath(.automatic)
        XCTAssertEqual(results[.avx2]?.count, shapes.count * 8)
        if let avx512 = results[.avx512] { XCTAssertEqual(avx512, results[.avx2], "the AVX-512 and AVX2 paths differ") }
    }

    /// Every edge tile the kernels store straight into C (exactly its rows and columns:
    /// rows 1–6 and columns 1–16 of the AVX2 path's 6×16 tile, in a product of one tile or
    /// after whole ones; B packed, read in place, or both in one product, whose first K
    /// block packs B and whose second reads it in place) and every row count the packing
    /// transposes split (8 + 4 + 2 + 1), and the AVX2 path's 4-row panels (a tail of 8
    /// rows as 4 + 4, of 10 as 6 + 4: m 8, 10, 14…): on every path, the scalar FMA chain bit for bit,
    /// C's padding included (nothing outside the tile written), K blocks with and without
    /// accumulation, both transposes, and the AVX2 and AVX-512 paths equal.
    func testExactEdgeTilesEveryRowAndColumnCount() {
        var shapes: [(Int, Int, Int)] = []
        for m in Array(1...13) + [23] { for n in 1...32 { for k in [1, 19, 257] { shapes.append((m, n, k)) } } }
        // kc·ldb > 16,384: B in place for M ≤ 36 (rows not 4 KB apart), packed above (AVX2)
        for m in Array(19...24) + Array(37...42) { for n in [65, 72, 73, 80] { shapes.append((m, n, 257)) } }
        // a non-transposed A read in place up to N = 256 columns, packed above (AVX2)
        for m in [7, 13] { for n in [256, 257, 300] { for k in [19, 257] { shapes.append((m, n, k)) } } }
        shapes.append((145, 257, 19))
        var results: [Numerics.GemmPath: [[UInt32]]] = [:]
        for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) {
            var all: [[UInt32]] = [], failures = 0
            for (m, n, k) in shapes {
                for flags in 0..<8 {
                    let p = Problem(m: m, n: n, k: k, transA: flags & 1 != 0, transB: flags & 2 != 0,
                                    accumulate: flags & 4 != 0, pad: 1 + flags % 3, seed: UInt64(70 + flags))
                    let got = p.run().map(\.bitPattern), want = p.reference().map(\.bitPattern)
                    if got != want, failures < 5 {
                        failures += 1
                        let bad = got.indices.first { got[$0] != want[$0] }!
                        XCTFail("\(path) m \(m) n \(n) k \(k) flags \(flags): element \(bad) (row \(bad / p.ldc), column \(bad % p.ldc)) is not the scalar FMA chain")
                    }
                    all.append(got)
                }
            }
            results[path] = all
        }
        Numerics.forceGemmPath(.automatic)
        XCTAssertEqual(results[.avx2]?.count, shapes.count * 8)
        if let avx512 = results[.avx512] { XCTAssertEqual(avx512, results[.avx2], "the AVX-512 and AVX2 paths differ") }
    }

    /// A left operand packed once (`kymo_sgemm_pack_a`, as the Winograd weights are)
    /// gives kymo_sgemm's bits: on every path, for shapes with edge tiles, several K
    /// blocks (600 > 256) and row blocks (300 > 144), both layouts of A and B and
    /// accumulation; and an operand packed on one path, used after the other path
    /// is forced, still gives the same bits.
    func testPackedLeftOperandGivesTheSameBits() {
        let shapes = [(128, 64, 48), (48, 64, 128), (13, 33, 600), (300, 17, 257), (7, 5, 3)]
        var checked = 0
        for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) {
            for (m, n, k) in shapes {
                for flags in 0..<8 {
                    let p = Problem(m: m, n: n, k: k, transA: flags & 1 != 0, transB: flags & 2 != 0,
                                    accumulate: flags & 4 != 0, pad: 1 + flags % 3, seed: UInt64(11 + flags))
                    let want = p.run()
                    var packed = [Float](repeating: .nan, count: kymo_sgemm_packed_a_count(m, k))
                    let packedPath = kymo_sgemm_pack_a(p.transA ? 1 : 0, m, k, p.a, p.lda, &packed)
                    XCTAssertEqual(packedPath, path.rawValue)
                    for usePath in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(usePath) {
                        var got = p.c
                        p.b.withUnsafeBufferPointer { pb in
                            kymo_sgemm_packed(packedPath, packed, p.transB ? 1 : 0, m, n, k, pb.baseAddress!, p.ldb,
                                              &got, p.ldc, p.accumulate ? 1 : 0)
                        }
                        XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern),
                                       "packed on \(path), run while \(usePath) is forced: m \(m) n \(n) k \(k) flags \(flags)")
                        checked += 1
                    }
                    Numerics.forceGemmPath(path)
                }
            }
        }
        Numerics.forceGemmPath(.automatic)
        XCTAssertGreaterThanOrEqual(checked, 5 * 8)
    }

    func testAccurateAgainstDouble() {
        // |c − exact| ≤ γ_k · Σ_p |a_ip·b_pj| (+ |C|), γ_k = k·u/(1 − k·u): the classical bound for any summation order.
        for (m, n, k) in [(7, 33, 1152), (145, 17, 600), (40, 20, 2304), (3, 5, 1)] {
            for flags in 0..<8 {
                let p = Problem(m: m, n: n, k: k, transA: flags & 1 != 0, transB: flags & 2 != 0,
                                accumulate: flags & 4 != 0, pad: 2, seed: 7)
                let got = p.run()
                let u = 0x1p-24, gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var exact = p.accumulate ? Double(p.c[i * p.ldc + j]) : 0
                        var mag = abs(exact)
                        for q in 0..<k {
                            let t = Double(p.A(i, q)) * Double(p.B(q, j))
                            exact += t; mag += abs(t)
                        }
                        let err = abs(Double(got[i * p.ldc + j]) - exact)
                        worst = max(worst, err / (gamma * mag))
                        XCTAssertLessThanOrEqual(err, gamma * mag, "m \(m) n \(n) k \(k) flags \(flags) at (\(i), \(j))")
                    }
                }
                // padding between rows of C is never written
                for i in 0..<m {
                    for j in n..<p.ldc { XCTAssertEqual(got[i * p.ldc + j].bitPattern, p.c[i * p.ldc + j].bitPattern) }
                }
                XCTAssertLessThan(worst, 1, "worst error / bound")
            }
        }
    }

    func testEveryPathGivesTheSameBits() throws {
        XCTAssertTrue(Numerics.forceGemmPath(.avx2))
        XCTAssertEqual(Numerics.gemmPath, "kymo-sgemm avx2 6x16 (fixed-k FMA)")
        let problems = [(300, 145, 600), (13, 1000, 257), (145, 31, 3), (6, 16, 256)].flatMap { m, n, k in
            (0..<8).map { f in Problem(m: m, n: n, k: k, transA: f & 1 != 0, transB: f & 2 != 0, accumulate: f & 4 != 0, pad: 3, seed: 3) }
        }
        let avx2 = problems.map { $0.run() }
        guard Numerics.forceGemmPath(.avx512) else {
            Numerics.forceGemmPath(.automatic)
            throw XCTSkip("this CPU has no AVX-512F: only the AVX2 path can run here (\(Numerics.cpuName))")
        }
        XCTAssertEqual(Numerics.gemmPath, "kymo-sgemm avx512 12x32 (fixed-k FMA)")
        let avx512 = problems.map { $0.run() }
        for (i, p) in problems.enumerated() {
            XCTAssertEqual(avx2[i].map(\.bitPattern), avx512[i].map(\.bitPattern), "m \(p.m) n \(p.n) k \(p.k)")
        }
    }

    /// Matmul through every tiling branch (batched, column tiles, row tiles, one call) on 1, 2, 3 threads.
    func testMatmulBitIdenticalAcrossThreadCountsAndLayouts() throws {
        var s = RandomStream(seed: 11, name: "gemm/threads")
        let cases: [(Tensor, Tensor)] = [
            (Tensor.normal([256, 300], stream: &s), Tensor.normal([300, 1500], stream: &s)),   // column tiles
            (Tensor.normal([400, 300], stream: &s), Tensor.normal([300, 200], stream: &s)),    // row tiles
            (Tensor.normal([5, 37, 70], stream: &s), Tensor.normal([5, 70, 29], stream: &s)),  // batched
            (Tensor.normal([9, 40], stream: &s), Tensor.normal([40, 11], stream: &s)),         // one call
        ]
        func run(_ threads: Int) throws -> [[UInt32]] {
            Engine.configure(threads: threads)
            return try cases.map { a, b in try a.matmul(b).toArray().map(\.bitPattern) }
        }
        let one = try run(1), two = try run(2), three = try run(3)
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, three)
        Engine.configure(threads: 2)
        // The same products from transposed and sliced operands: the same bits (only the packing differs).
        for (idx, (a, b)) in cases.enumerated() {
            let r = a.rank
            let at = try a.transposed(r - 2, r - 1).contiguous().transposed(r - 2, r - 1)   // column-major view
            let bt = try b.transposed(r - 2, r - 1).contiguous().transposed(r - 2, r - 1)
            let wide = try Tensor.concat([b, b], axis: r - 1).slice(axis: r - 1, start: b.shape[r - 1], length: b.shape[r - 1])  // ld = 2N
            XCTAssertEqual(try at.matmul(bt).toArray().map(\.bitPattern), one[idx], "case \(idx): transposed operands")
            XCTAssertEqual(try a.matmul(wide).toArray().map(\.bitPattern), one[idx], "case \(idx): sliced B")
        }
    }

    /// matmulBackward's accumulate-over-batch branches with operands that need a
    /// contiguous copy (B permuted so its batch axis is not outermost) or are
    /// strided views (A transposed). Run under AddressSanitizer too: the copy
    /// must stay alive for as long as the GEMM reads it.
    func testMatmulBackwardWithNonContiguousOperands() throws {
        var s = RandomStream(seed: 12, name: "gemm/backward")
        let m = 9, k = 20, n = 13, batch = 4
        // 1. A shared [M, K], B batched [B, K, N] as a permuted view of [K, B, N]: dA = Σ_b dC_b · B_bᵀ.
        let a1 = Tensor.normal([m, k], stream: &s).requiringGrad()
        let bBase = Tensor.normal([k, batch, n], stream: &s)
        let b1 = try bBase.permuted([1, 0, 2]).requiringGrad()
        let seed1 = Tensor.normal([batch, m, n], stream: &s)
        try a1.matmul(b1).backward(seed: seed1)
        let a1c = a1.detached().requiringGrad(), b1c = b1.contiguous().detached().requiringGrad()
        try a1c.matmul(b1c).backward(seed: seed1)
        XCTAssertEqual(a1.grad!.toArray().map(\.bitPattern), a1c.grad!.toArray().map(\.bitPattern), "dA, shared A")
        XCTAssertEqual(b1.grad!.toArray().map(\.bitPattern), b1c.grad!.toArray().map(\.bitPattern), "dB, permuted B")
        // against Double: dA[i][p] = Σ_b Σ_j dC[b][i][j] · B[b][p][j]
        let g = seed1.toArray(), bb = b1c.toArray()
        var want = [Float](repeating: 0, count: m * k)
        for i in 0..<m { for p in 0..<k {
            var acc = 0.0
            for bi in 0..<batch { for j in 0..<n { acc += Double(g[(bi * m + i) * n + j]) * Double(bb[(bi * k + p) * n + j]) } }
            want[i * k + p] = Float(acc)
        } }
        assertClose(a1.grad!.toArray(), want, rtol: 1e-5, atol: 1e-5, "dA against Double")

        // 2. A batched as a transposed view [B, M, K] of [B, K, M], B shared [K, N]: dB = Σ_b A_bᵀ · dC_b.
        let aBase = Tensor.normal([batch, k, m], stream: &s)
        let a2 = try aBase.transposed(1, 2).requiringGrad()
        let b2 = Tensor.normal([k, n], stream: &s).requiringGrad()
        try a2.matmul(b2).backward(seed: seed1)
        let a2c = a2.contiguous().detached().requiringGrad(), b2c = b2.detached().requiringGrad()
        try a2c.matmul(b2c).backward(seed: seed1)
        assertClose(b2.grad!.toArray(), b2c.grad!.toArray(), rtol: 1e-5, atol: 1e-5, "dB, transposed A")
        XCTAssertEqual(a2.grad!.toArray().map(\.bitPattern), a2c.grad!.toArray().map(\.bitPattern), "dA, transposed A")
        // 3. a slice with a non-unit row stride in both axes' senses: forces a copy in withMatrix
        let wide = Tensor.normal([batch, k, 3 * n], stream: &s)
        let b3 = try wide.permuted([1, 0, 2]).slice(axis: 2, start: n, length: n).requiringGrad()   // [K, B, N] view
        let b3b = try b3.permuted([1, 0, 2])                                                         // [B, K, N], batch stride 3N
        let a3 = Tensor.normal([m, k], stream: &s).requiringGrad()
        try a3.matmul(b3b).backward(seed: seed1)
        let a3c = a3.detached().requiringGrad()
        try a3c.matmul(b3b.contiguous().detached()).backward(seed: seed1)
        XCTAssertEqual(a3.grad!.toArray().map(\.bitPattern), a3c.grad!.toArray().map(\.bitPattern), "dA, sliced B")
    }

    func testNumericsFingerprint() {
        XCTAssertNil(Numerics.checkCPU(), "this test machine runs Kymo, so it has AVX2 and FMA")
        XCTAssertTrue(Numerics.summary.hasPrefix(Numerics.version))
        XCTAssertTrue(Numerics.gemmPath.hasPrefix("kymo-sgemm "))
        XCTAssertFalse(Numerics.cpuName.isEmpty)
    }
}
