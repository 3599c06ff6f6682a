// exp8 (and the softmax row's rowMax) are forced inline (`@inline(always)`,
// FastMath.swift) where Swift's heuristic used to leave them calls; its 2^n
// scale now reinterprets bits with `unsafeBitCast` instead of the equal-width
// `truncatingIfNeeded`. Neither may change a bit: here the buffers the
// inlined code computes (FastMath's 8-lane maps, in
// the file that defines the kernels, so inlined in every build; the softmax
// op's rows, inlined in release builds) are compared bit for bit with the
// kernels called as functions — as they ran before — from this test
// module, which cannot inline them: over 2^20 points in [−100, 100] and the
// hostile values (±0, ±inf, NaN, subnormals, the ±88.38 clamps, ±9 of tanh).
// The `unsafeBitCast` itself is the same reinterpretation as the equal-width
// `truncatingIfNeeded` (two's complement, no value change); what shows it end
// to end is the committed reference record and figures/paper-run replaying
// `identical` with the new exp8 (ReferenceRecordTests; docs/engine.md).
import XCTest
@testable import TensorEngine
import TestSupport

final class InlinedKernelBitsTests: XCTestCase {
    private static let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude,
                                            -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                                            -.greatestFiniteMagnitude, 88.3762626647949, -88.3762626647949, 88.38, -88.38,
                                            88.72, -87.34, -103.9, 9, -9, 9.0001, 1e-20, -1e-20, 0.5, -0.5]

    private func inputs() -> [Float] {
        let n = 1 << 20
        var xs = (0..<n).map { -100 + 200 * Float($0) / Float(n) }
        xs += Self.specials
        xs += randomTensor([1003], "inlined", low: -30, high: 30).toArray()
        return xs
    }

    /// The kernel called per 8 lanes (a padded tail), as a function: the old code.
    private func called(_ f: (V8) -> V8, _ xs: [Float]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: xs.count)
        var i = 0
        while i < xs.count {
            var v = V8(repeating: 0)
            let r = min(8, xs.count - i)
            for j in 0..<r { v[j] = xs[i + j] }
            let y = f(v)
            for j in 0..<r { out[i + j] = y[j].bitPattern }
            i += 8
        }
        return out
    }

    private func inlined(_ map: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ xs: [Float]) -> [UInt32] {
        var out = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { map(src.baseAddress!, $0.baseAddress!, xs.count) } }
        return out.map(\.bitPattern)
    }

    func testInlinedExpTanhSigmoidGiveTheCalledKernelsBits() {
        let xs = inputs()
        XCTAssertEqual(inlined({ FastMath.exp($0, $1, count: $2) }, xs), called(exp8, xs), "exp")
        XCTAssertEqual(inlined({ FastMath.tanh($0, $1, count: $2) }, xs), called(tanh8, xs), "tanh")
        XCTAssertEqual(inlined({ FastMath.sigmoid($0, $1, count: $2) }, xs), called(sigmoid8, xs), "sigmoid")
        // and the scalar entry points, one lane of the same kernel
        for x in Self.specials {
            XCTAssertEqual(FastMath.exp(x).bitPattern, exp8(V8(repeating: x))[0].bitPattern, "exp(\(x))")
            XCTAssertEqual(FastMath.sigmoid(x).bitPattern, sigmoid8(V8(repeating: x))[0].bitPattern, "sigmoid(\(x))")
        }
    }

    /// exp8 (and sigmoid8 through it) reads its constants from memory
    /// (`ExpConstants`) and shares `expReduced8` with softmaxExp8, where it had
    /// them as literals in its own body: against that kernel, kept here
    /// verbatim, bit for bit over 2^20 points in [−100, 100], the specials, and
    /// every 4093rd bit pattern of all 2^32 (NaNs included).
    func testExpWithSharedConstantsGivesTheLiteralKernelsBits() {
        var xs = inputs()
        var b: UInt32 = 0
        while b < UInt32.max - 4093 { xs.append(Float(bitPattern: b)); b += 4093 }
        for (name, f, literal) in [("exp", exp8, Self.exp8Literal),
                                   ("sigmoid", sigmoid8, { 1 / (1 + Self.exp8Literal(-$0)) })] as [(String, (V8) -> V8, (V8) -> V8)] {
            let got = called(f, xs), want = called(literal, xs)
            let differ = (0..<xs.count).filter { got[$0] != want[$0] }
            XCTAssertEqual(differ.count, 0, "\(name): \(differ.count) of \(xs.count) differ, first at x = \(differ.first.map { xs[$0] } ?? 0)")
        }
    }

    /// exp8 as it was, its constants literals.
    private static func exp8Literal(_ x0: V8) -> V8 {
        let hi = V8(repeating: 88.3762626647949), lo = V8(repeating: -88.3762626647949)
        var x = x0
        x.replace(with: hi, where: x .> hi)
        x.replace(with: lo, where: x .< lo)
        let magic = V8(repeating: 12582912.0)
        let t = fma8(magic, x, V8(repeating: 1.44269504088896341))
        let n = t - magic
        var r = fma8(x, n, V8(repeating: -0.693359375))
        r = fma8(r, n, V8(repeating: 2.12194440e-4))
        var y = V8(repeating: 1.9875691500e-4)
        y = fma8(V8(repeating: 1.3981999507e-3), y, r)
        y = fma8(V8(repeating: 8.3334519073e-3), y, r)
        y = fma8(V8(repeating: 4.1665795894e-2), y, r)
        y = fma8(V8(repeating: 1.6666665459e-1), y, r)
        y = fma8(V8(repeating: 5.0000001201e-1), y, r)
        let r2 = r * r
        y = fma8(r + 1, y, r2)
        let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let n1 = ni &>> 1, n2 = ni &- n1
        let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: V8.self)
        let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: V8.self)
        var out = y * s1 * s2
        out.replace(with: V8(repeating: 0), where: x0 .< lo)
        return out
    }

    /// softmaxExp8 (y·(2^(n+64)·2^−64), no clamps, its constants from memory)
    /// against exp8 (the clamps, (y·2^n1)·2^n2), bit for
    /// bit over its domain x ≤ 43.3: every bit pattern where the scale's
    /// exponents reach their ends (|x| in [86, 90]: n = −126…−130, exp8's −88.38
    /// clamp; [43, 43.3]) and near 0, every 1021st pattern of all x ≤ 43.3
    /// (negative and positive), ±inf below, and NaN (NaN either way).
    func testSoftmaxExpGivesExp8sBits() {
        let k = ExpConstants.shared.pointee
        var compared = 0, mismatches = 0, first = ""
        func compare(_ v: V8) {
            let got = softmaxExp8(v, k), want = exp8(v)
            compared += 8
            for l in 0..<8 where got[l].bitPattern != want[l].bitPattern && !(got[l].isNaN && want[l].isNaN) {
                mismatches += 1
                if first.isEmpty {
                    first = "exp(\(v[l])): 0x\(String(got[l].bitPattern, radix: 16)), exp8 0x\(String(want[l].bitPattern, radix: 16))"
                }
            }
        }
        func sweep(_ from: Float, _ to: Float, stride: UInt32 = 1) {
            // bit patterns of one sign, from |from| to |to|
            var v = V8(), l = 0, b = from.bitPattern
            let end = to.bitPattern
            while true {
                v[l] = Float(bitPattern: b); l += 1
                if l == 8 { compare(v); l = 0 }
                if end - b < stride { break }
                b += stride
            }
        }
        sweep(-86, -90)
        sweep(43, 43.3)
        sweep(0, 0x1p-20, stride: 4099)
        sweep(-0.0, -0x1p-20, stride: 4099)
        sweep(-0.0, -.infinity, stride: 1021)
        sweep(0, 43.3, stride: 1021)
        compare(V8(-.infinity, .nan, -.nan, 0, -0.0, -88.3762626647949, -87.33654, 43.3))
        print("softmaxExp8 against exp8: \(compared) values, \(mismatches) differ")
        XCTAssertGreaterThan(compared, 2_000_000)
        XCTAssertEqual(mismatches, 0, "first: \(first)")
    }

    /// The softmax op's rows (rowMax and exp8 inlined into them) against the
    /// row computed with the called kernels (`referenceSoftmaxRow`).
    func testSoftmaxRowsGiveTheCalledKernelsBits() throws {
        for n in [1, 7, 8, 9, 255, 256, 257, 1024] {
            var rows = randomTensor([6, n], "rows\(n)", low: -50, high: 50).toArray()
            rows[0] = 95   // a saturating exp
            rows[n] = -.infinity
            let x = try Tensor(rows, shape: [6, n])
            let y = try x.softmax().toArray()
            var want = [Float](repeating: 0, count: rows.count)
            rows.withUnsafeBufferPointer { src in
                want.withUnsafeMutableBufferPointer { dst in
                    for r in 0..<6 { referenceSoftmaxRow(src.baseAddress! + r * n, dst.baseAddress! + r * n, n) }
                }
            }
            XCTAssertEqual(y.map(\.bitPattern), want.map(\.bitPattern), "softmax rows of \(n)")
        }
    }
}
