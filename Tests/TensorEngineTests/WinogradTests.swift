// The Winograd F(2×2, 3×3) path of conv2d (3×3 kernel, padding 1: forward,
// input gradient, weight gradient) against the im2col path and against a
// Float64 direct convolution, on odd and even sizes, batch 1, 2 and 3, with and
// without bias; and its bit-identity across 1, 2 and 3 threads on a shape
// spanning several chunks.
// The im2col result for the same convolution comes from zero-padding the input
// explicitly and convolving with padding 0 (a path Winograd never takes).
// Error measure: max |got − exact| / max |exact| per tensor.
import XCTest
import Foundation
import TensorEngine
import TestSupport

final class WinogradTests: XCTestCase {
    override func setUp() { Engine.configure(threads: 2) }

    /// Bound on Winograd's error (relative to the tensor's largest magnitude);
    /// measured ≤ 4.6e-7 over y, dX and dW here, against ≤ 9.5e-7 for im2col (Kymo GEMM, one FMA chain per element).
    static let tolerance = 2e-6

    /// x padded by one zero row/column on every side (differentiable: built by concat).
    func zeroPadded(_ x: Tensor) throws -> Tensor {
        let s = x.shape
        let rows = Tensor(zeros: [s[0], s[1], 1, s[3]])
        let tall = try Tensor.concat([rows, x, rows], axis: 2)
        let cols = Tensor(zeros: [s[0], s[1], s[2] + 2, 1])
        return try Tensor.concat([cols, tall, cols], axis: 3)
    }

    /// Exact (Float64) same-padded 3×3 correlation y, input gradient dx and weight gradient dw
    /// for upstream gradient gy.
    func exact(x: [Float], w: [Float], b: [Float]?, gy: [Float], batch: Int, cin: Int, cout: Int, h: Int, wd: Int)
        -> (y: [Double], dx: [Double], dw: [Double]) {
        var y = [Double](repeating: 0, count: batch * cout * h * wd)
        var dx = [Double](repeating: 0, count: batch * cin * h * wd)
        var dw = [Double](repeating: 0, count: cout * cin * 9)
        for n in 0..<batch {
            for o in 0..<cout {
                for r in 0..<h {
                    for c in 0..<wd {
                        var s = Double(b?[o] ?? 0)
                        let yi = ((n * cout + o) * h + r) * wd + c
                        for k in 0..<cin {
                            for i in 0..<3 {
                                let sy = r + i - 1
                                if sy < 0 || sy >= h { continue }
                                for j in 0..<3 {
                                    let sx = c + j - 1
                                    if sx < 0 || sx >= wd { continue }
                                    let xi = ((n * cin + k) * h + sy) * wd + sx, wi = ((o * cin + k) * 3 + i) * 3 + j
                                    s += Double(x[xi]) * Double(w[wi])
                                    dx[xi] += Double(gy[yi]) * Double(w[wi])
                                    dw[wi] += Double(gy[yi]) * Double(x[xi])
                                }
                            }
                        }
                        y[yi] = s
                    }
                }
            }
        }
        return (y, dx, dw)
    }

    func relativeError(_ got: [Float], _ want: [Double]) -> Double {
        let scale = want.map(abs).max() ?? 0
        var err = 0.0
        for (g, e) in zip(got, want) { err = max(err, abs(Double(g) - e)) }
        return err / max(scale, 1e-30)
    }

    func testMatchesIm2colAndExactConvolution() throws {
        // (batch, cin, cout, H, W, bias): odd and even sizes, single pixels, runs across chunk boundaries
        let cases: [(Int, Int, Int, Int, Int, Bool)] = [
            (1, 3, 5, 7, 9, true), (3, 8, 16, 12, 12, false), (3, 16, 24, 20, 21, true),
            (1, 4, 6, 1, 1, true), (1, 2, 3, 2, 3, false), (3, 32, 40, 17, 34, true), (1, 64, 32, 16, 16, false),
            (2, 8, 8, 40, 39, true),
        ]
        var worstWinograd = [0.0, 0.0, 0.0], worstIm2col = [0.0, 0.0, 0.0]
        for (batch, cin, cout, h, wd, hasBias) in cases {
            let what = "x [\(batch),\(cin),\(h),\(wd)] w [\(cout),\(cin),3,3] bias \(hasBias)"
            var s = RandomStream(seed: 5, name: "winograd/\(what)")
            let x = Tensor.normal([batch, cin, h, wd], stream: &s)
            let w = Tensor.normal([cout, cin, 3, 3], std: Float(1 / (3 * Double(cin).squareRoot())), stream: &s).requiringGrad()
            let b = hasBias ? Tensor.normal([cout], stream: &s) : nil
            let gy = Tensor.normal([batch, cout, h, wd], stream: &s)

            let xw = x.detached().requiringGrad()
            let yw = try xw.conv2d(weight: w, bias: b, padding: (1, 1))          // Winograd
            try yw.backward(seed: gy)
            let dww = try XCTUnwrap(w.grad)
            w.grad = nil
            let xi = x.detached().requiringGrad()
            let yi = try zeroPadded(xi).conv2d(weight: w, bias: b, padding: (0, 0))   // im2col
            try yi.backward(seed: gy)
            let dwi = try XCTUnwrap(w.grad)

            let ref = exact(x: x.toArray(), w: w.toArray(), b: b?.toArray(), gy: gy.toArray(),
                            batch: batch, cin: cin, cout: cout, h: h, wd: wd)
            let errs = [relativeError(yw.toArray(), ref.y), relativeError(try XCTUnwrap(xw.grad).toArray(), ref.dx),
                        relativeError(dww.toArray(), ref.dw)]
            let base = [relativeError(yi.toArray(), ref.y), relativeError(try XCTUnwrap(xi.grad).toArray(), ref.dx),
                        relativeError(dwi.toArray(), ref.dw)]
            for (name, e) in zip(["y", "dx", "dw"], errs) {
                XCTAssertLessThanOrEqual(e, Self.tolerance, "\(what): Winograd \(name) error")
            }
            // and against the im2col result directly (both within rounding of the exact value)
            assertClose(yw, yi, rtol: 0, atol: Float(2 * Self.tolerance) * (yi.toArray().map(abs).max() ?? 0), "\(what): y vs im2col")
            for i in 0..<3 {
                worstWinograd[i] = max(worstWinograd[i], errs[i])
                worstIm2col[i] = max(worstIm2col[i], base[i])
            }
        }
        print("max relative error y, dx, dw: Winograd \(worstWinograd), im2col \(worstIm2col)")
    }

    func testBitIdenticalAcrossThreadCounts() throws {
        // 4 samples × 225 tiles: 8 fixed chunks, some starting inside a tile row, summed
        // for the weight gradient in 6 groups (some of two chunks)
        func run(threads: Int) throws -> [UInt32] {
            Engine.configure(threads: threads)
            var s = RandomStream(seed: 11, name: "winograd/threads")
            let x = Tensor.normal([4, 16, 30, 29], stream: &s).requiringGrad()
            let w = Tensor.normal([40, 16, 3, 3], std: 0.1, stream: &s).requiringGrad()
            let b = Tensor.normal([40], stream: &s).requiringGrad()
            let y = try x.conv2d(weight: w, bias: b)
            try y.backward(seed: Tensor.normal(y.shape, stream: &s))
            return (y.toArray() + x.grad!.toArray() + w.grad!.toArray()).map(\.bitPattern)
        }
        let one = try run(threads: 1), two = try run(threads: 2), three = try run(threads: 3)
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, three)
        Engine.configure(threads: 2)
    }
}
