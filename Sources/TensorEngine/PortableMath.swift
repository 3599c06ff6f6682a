// Double-precision log, exp and sine/cosine of an angle in turns, written with
// IEEE additions, multiplications and divisions only (all exactly rounded on
// every CPU), for the few scalar transcendental calls on paths that reach a
// result: Box–Muller normals, Adam's bias corrections, SSIM's window, PSNR.
// glibc's libm picks FMA or non-FMA variants of exp/log/sin/cos/pow at load time
// by CPU (and changes between glibc versions), so calling it there would make
// bits depend on the machine. Accuracy: a few ulp of Double (PortableMathTests),
// ample for values that are rounded to Float or printed.
// Deliberately not: a general-purpose or correctly rounded libm.

public enum PortableMath {
    static let ln2Hi = 6.93147180369123816490e-01   // high 32 bits of ln 2 (n·ln2Hi is exact for |n| < 2^20)
    static let ln2Lo = 1.90821492927058770002e-10   // ln 2 − ln2Hi

    /// Natural logarithm: x = m·2^e with m in [√½, √2), log m = 2·atanh(f), f = (m − 1)/(m + 1).
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x == .infinity { return .infinity }
        var e = Double(Int(x.exponent))
        var m = x.significand                       // [1, 2), exact (subnormals included)
        if m > 1.4142135623730951 { m *= 0.5; e += 1 }
        let f = (m - 1) / (m + 1)                   // |f| ≤ 0.1716
        let s = f * f
        // 2·atanh(f) = 2f·(1 + s/3 + s²/5 + …): s^k/(2k+1) for k = 1 … 11 (s^12/25 < 1e-19)
        var p = 1.0 / 23
        for d in stride(from: 21.0, through: 3, by: -2) { p = p * s + 1 / d }
        let r = 2 * f * s * p                        // the small part; 2f is exact
        return e * ln2Hi + ((2 * f) + (r + e * ln2Lo))
    }

    /// log₁₀ x = log x / ln 10.
    public static func log10(_ x: Double) -> Double { log(x) * 0.43429448190325182765 }

    /// e^x: x = n·ln 2 + r with |r| ≤ ½ ln 2, a degree-14 Taylor polynomial of e^r, scaled by 2^n exactly.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let n = (x * 1.4426950408889634).rounded()
        let r = (x - n * ln2Hi) - n * ln2Lo
        var p = 1.0
        for k in stride(from: 14.0, through: 1, by: -1) { p = 1 + p * r / k }
        // 2^n in two factors, so that subnormal results and n = 1024 stay exact
        let n1 = Int(n) / 2, n2 = Int(n) - n1
        return p * Double(sign: .plus, exponent: n1, significand: 1) * Double(sign: .plus, exponent: n2, significand: 1)
    }

    /// xⁿ for a non-negative integer n by repeated squaring (a fixed sequence of multiplications).
    public static func pow(_ x: Double, _ n: Int) -> Double {
        precondition(n >= 0, "PortableMath.pow takes a non-negative integer exponent")
        var result = 1.0, base = x, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }

    /// Taylor coefficients of sin(a)/a in powers of a², highest first: (-1)^k / (2k+1)!, k = 11 … 0.
    static let sinCoefficients: [Double] = [
        -1.0 / 25852016738884976640000.0, 1.0 / 51090942171709440000.0, -1.0 / 121645100408832000.0,
        1.0 / 355687428096000.0, -1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0,
        1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0, 1.0,
    ]
    /// Taylor coefficients of cos(a) in powers of a², highest first: (-1)^k / (2k)!, k = 11 … 0.
    static let cosCoefficients: [Double] = [
        -1.0 / 1124000727777607680000.0, 1.0 / 2432902008176640000.0, -1.0 / 6402373705728000.0,
        1.0 / 20922789888000.0, -1.0 / 87178291200.0, 1.0 / 479001600.0, -1.0 / 3628800.0,
        1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -1.0 / 2.0, 1.0,
    ]

    /// (sin 2πu, cos 2πu) for u in [0, 1), within a few ulp of the true values.
    public static func sinCos(turns u: Double) -> (sin: Double, cos: Double) {
        precondition(u >= 0 && u < 1, "sinCos(turns:) expects turns in [0, 1)")
        // The quadrant by exact arithmetic: 4u, its integer part and the remainder are all exact.
        let q4 = u * 4
        let quadrant = Int(q4)
        let r = q4 - Double(quadrant)   // [0, 1), exact
        // Within a quadrant, the upper half by symmetry (1 − r is exact there):
        // both series then run on [0, π/4], where neither cancels, so the
        // small one of the pair keeps its relative accuracy near the axes.
        let upper = r > 0.5
        let a = (upper ? 1 - r : r) * 1.5707963267948966   // [0, π/4]
        let a2 = a * a
        // Horner; the first omitted terms (a²⁵/25!, a²⁴/24!) are below 1e-19 on [0, π/2).
        var ps = 0.0, pc = 0.0
        for k in sinCoefficients { ps = ps * a2 + k }
        for k in cosCoefficients { pc = pc * a2 + k }
        let s = upper ? pc : ps * a, c = upper ? ps * a : pc
        switch quadrant {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }
}
