// FastMath's vector exp/tanh/sigmoid/log and PortableMath's Double log/exp/
// sin/cos against Double libm (libm is fine as a reference in a test: only
// results must not depend on it). The bounds asserted here are the ones the
// top-of-file comments of FastMath.swift and PortableMath.swift state.
import XCTest
import Foundation
import TensorEngine

final class FastMathTests: XCTestCase {
    /// Float ulp at the magnitude of `x` (the spacing of Floats there).
    func ulp(_ x: Double) -> Double { Double(Float(abs(x)).ulp) }

    func testExpTanhSigmoidOverTwoToThe24Points() {
        let n = 1 << 24
        var xs = [Float](repeating: 0, count: n)
        for i in 0..<n { xs[i] = -20 + 40 * Float(i) / Float(n) }
        var e = xs, t = xs, s = xs
        xs.withUnsafeBufferPointer { src in
            FastMath.exp(src.baseAddress!, &e, count: n)
            FastMath.tanh(src.baseAddress!, &t, count: n)
            FastMath.sigmoid(src.baseAddress!, &s, count: n)
        }
        var expUlp = 0.0, expRel = 0.0, tanhAbs = 0.0, sigRel = 0.0
        for i in 0..<n {
            let x = Double(xs[i]), ex = Foundation.exp(x)
            expUlp = max(expUlp, abs(Double(e[i]) - ex) / ulp(ex))
            expRel = max(expRel, abs(Double(e[i]) - ex) / ex)
            tanhAbs = max(tanhAbs, abs(Double(t[i]) - Foundation.tanh(x)))
            let sg = 1 / (1 + Foundation.exp(-x))
            sigRel = max(sigRel, abs(Double(s[i]) - sg) / sg)
        }
        print("FastMath over 2^24 points in [-20, 20]: exp \(expUlp) ulp (\(expRel) relative), tanh \(tanhAbs) absolute, sigmoid \(sigRel) relative")
        XCTAssertLessThanOrEqual(expUlp, 2, "exp max error in ulp")
        XCTAssertLessThan(expRel, 3e-7, "exp max relative error")
        XCTAssertLessThan(tanhAbs, 3e-7, "tanh max absolute error")
        XCTAssertLessThan(sigRel, 5e-7, "sigmoid max relative error")
        XCTAssertEqual(FastMath.exp(-100), 0)
        XCTAssertEqual(FastMath.tanh(50), 1)
        XCTAssertEqual(FastMath.tanh(-50), -1)
    }

    func testLogOverTwoToThe24Points() {
        // 2^23 points log-uniform over [2^-140, 2^120] (subnormals included) and 2^23 uniform in (0, 2]
        let n = 1 << 24, half = n / 2
        var xs = [Float](repeating: 0, count: n)
        for i in 0..<half { xs[i] = Float(Foundation.exp2(-140 + 260 * Double(i) / Double(half))) }
        for i in 0..<half { xs[half + i] = 2 * Float(i + 1) / Float(half) }
        var l = xs
        xs.withUnsafeBufferPointer { FastMath.log($0.baseAddress!, &l, count: n) }
        var worst = 0.0
        for i in 0..<n {
            let ref = Foundation.log(Double(xs[i]))
            if abs(ref) > 1e-30 { worst = max(worst, abs(Double(l[i]) - ref) / ulp(ref)) }
        }
        print("FastMath.log over 2^24 points: \(worst) ulp")
        XCTAssertLessThanOrEqual(worst, 1, "log max error in ulp of the result")
        XCTAssertEqual(FastMath.log(0), -.infinity)
        XCTAssertTrue(FastMath.log(-1).isNaN)
        XCTAssertTrue(FastMath.log(.nan).isNaN)
        XCTAssertEqual(FastMath.log(.infinity), .infinity)
        XCTAssertEqual(FastMath.log(1), 0)
    }

    func testPortableMathAgainstLibm() {
        var logUlp = 0.0, expUlp = 0.0, trigAbs = 0.0, powRel = 0.0
        func dulp(_ x: Double) -> Double { abs(x).ulp }
        for i in 0..<200_000 {
            let u = (Double(i) + 0.5) / 200_000
            let x = Foundation.exp2(-1074 + 2097 * u)                 // the whole positive Double range
            logUlp = max(logUlp, abs(PortableMath.log(x) - Foundation.log(x)) / dulp(Foundation.log(x)))
            let y = -700 + 1400 * u
            expUlp = max(expUlp, abs(PortableMath.exp(y) - Foundation.exp(y)) / dulp(Foundation.exp(y)))
            let (s, c) = PortableMath.sinCos(turns: u)
            trigAbs = max(trigAbs, abs(s - Foundation.sin(2 * .pi * u)), abs(c - Foundation.cos(2 * .pi * u)))
        }
        for t in 1...20_000 {
            let p = PortableMath.pow(0.999, t), q = Foundation.pow(0.999, Double(t))
            powRel = max(powRel, abs(p - q) / q)
        }
        print("PortableMath: log \(logUlp) ulp, exp \(expUlp) ulp, sin/cos \(trigAbs) absolute, pow(0.999, t ≤ 20000) \(powRel) relative")
        XCTAssertLessThanOrEqual(logUlp, 2)
        XCTAssertLessThanOrEqual(expUlp, 2)
        XCTAssertLessThan(trigAbs, 1e-15)   // libm's own sin(2πu) carries the rounding of 2πu (≤ 4.4e-16 here)
        XCTAssertLessThan(powRel, 1e-12)   // about t·2^-53 at worst (t multiplications' rounding)
        XCTAssertEqual(PortableMath.log(1), 0)
        XCTAssertEqual(PortableMath.exp(0), 1)
        XCTAssertEqual(PortableMath.log(0), -.infinity)
        XCTAssertEqual(PortableMath.log10(1000), 3, accuracy: 1e-15)
    }
}
