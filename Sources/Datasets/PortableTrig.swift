// PortableTrig: sine and cosine of an angle given in turns, computed with
// IEEE additions and multiplications only, so that every machine (any libm,
// any OS) gets the same bits. Used for Moving MNIST's random directions: the
// motion truncates positions to whole pixels, where a one-ulp difference from
// another libm could move a digit by a pixel on another machine.
// Deliberately not: a general-purpose fast or correctly rounded libm.

/// Taylor coefficients of sin(a)/a in powers of a², highest first: (-1)^k / (2k+1)!, k = 11 … 0.
private let sinCoefficients: [Double] = [
    -1.0 / 25852016738884976640000.0, 1.0 / 51090942171709440000.0, -1.0 / 121645100408832000.0,
    1.0 / 355687428096000.0, -1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0,
    1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0, 1.0,
]
/// Taylor coefficients of cos(a) in powers of a², highest first: (-1)^k / (2k)!, k = 11 … 0.
private let cosCoefficients: [Double] = [
    -1.0 / 1124000727777607680000.0, 1.0 / 2432902008176640000.0, -1.0 / 6402373705728000.0,
    1.0 / 20922789888000.0, -1.0 / 87178291200.0, 1.0 / 479001600.0, -1.0 / 3628800.0,
    1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -1.0 / 2.0, 1.0,
]

/// (sin 2πu, cos 2πu) for u in [0, 1), within a few ulp of the true values.
public func portableSinCos(turns u: Double) -> (sin: Double, cos: Double) {
    precondition(u >= 0 && u < 1, "portableSinCos expects turns in [0, 1)")
    // The quadrant by exact arithmetic: 4u, its integer part and the remainder are all exact.
    let q4 = u * 4
    let quadrant = Int(q4)
    let a = (q4 - Double(quadrant)) * 1.5707963267948966   // [0, π/2)
    let a2 = a * a
    // Horner; the first omitted terms (a²⁵/25!, a²⁴/24!) are below 1e-19 on [0, π/2).
    var ps = 0.0, pc = 0.0
    for k in sinCoefficients { ps = ps * a2 + k }
    for k in cosCoefficients { pc = pc * a2 + k }
    let s = ps * a, c = pc
    switch quadrant {
    case 0: return (s, c)
    case 1: return (c, -s)
    case 2: return (-s, -c)
    default: return (-c, s)
    }
}
