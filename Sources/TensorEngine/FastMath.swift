// Vectorized exp, tanh, sigmoid and log over Float buffers (8 lanes at a time).
// Every lane is computed independently by the same code, so an element's
// result never depends on where it sits in a buffer or how work is split. Only
// IEEE additions, multiplications, fused multiply-adds, divisions, compares
// and bit operations are used (no libm, no approximate rcp/rsqrt
// instructions), so the bits are the same on every CPU that runs this build.
//
// Accuracy, asserted by FastMathTests against Double libm (exp, tanh and
// sigmoid over 2^24 points in [-20, 20]; log over 2^24 points spanning
// [2^-140, 2^120] and (0, 2]): exp ≤ 2 ulp and < 3e-7 relative (Cephes expf
// polynomial after Cody–Waite range reduction; measured 1.25 ulp); tanh
// < 3e-7 absolute (a 13/6 rational minimax approximation, clamped to ±9 where
// tanh rounds to ±1; measured 2.9e-7); sigmoid < 5e-7 relative (1 / (1 +
// exp(−x)) with the exp above, so small values keep their relative accuracy,
// unlike 0.5 + 0.5·tanh(x/2); measured 1.9e-7); log ≤ 1 ulp (Cephes logf;
// measured 0.82 ulp), log 0 = −inf, log of a negative number = NaN.
// Deliberately not: a full libm; exp inputs beyond ±88 saturate to 0 / +inf.
//
// exp8, tanh8 and sigmoid8 are `@inline(always)`: Swift 6.3 treats
// `@inline(__always)` as a heuristic, and declined it for them (a call per 8
// lanes, its constants broadcast again and the vector passed and returned in
// two 128-bit halves at every call: exp8 11 % of a `kymo bench models`
// profile, inside the softmax rows; sigmoid8 2.7 % on a Zen 3). Inlining
// changes no operation, so no bit (`InlinedKernelBitsTests`). A loop that
// inlines them must load and store whole vectors (`load8`/`store8`): the gate
// loops' `loadPart`/`storePart` (a partial vector's lanes one by one) made the
// compiler split every vector of the loop into 128-bit halves, and the gates
// got 2× slower; so they run whole vectors in a main loop and only a last
// partial vector through `loadPart` (docs/engine.md, "Speed").

typealias V8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> V8 {
    UnsafeRawPointer(p).loadUnaligned(as: V8.self)
}

@inline(__always) func store8(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
}

@inline(__always) func fma8(_ a: V8, _ b: V8, _ c: V8) -> V8 { a.addingProduct(b, c) }  // a + b*c

@inline(always) func exp8(_ x0: V8) -> V8 {
    let k = ExpConstants.shared.pointee
    var x = x0
    x.replace(with: k.hi, where: x .> k.hi)
    x.replace(with: k.lo, where: x .< k.lo)
    let (t, y) = expReduced8(x, k)
    // scale by 2^n (n in [-127, 128]: split in two factors to stay in range)
    // (the Int32/UInt32 reinterpretations are bit casts, as `truncatingIfNeeded`
    // between equal widths is: inlined into a large caller, that generic
    // initializer stayed a call per vector)
    let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let n1 = ni &>> 1, n2 = ni &- n1
    let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: V8.self)
    let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: V8.self)
    var out = y * s1 * s2
    out.replace(with: V8(repeating: 0), where: x0 .< k.lo)
    return out
}

/// The part of exp both exps share: t = 1.5·2^23 + n with n = round(x / ln 2)
/// (the integer in t's bits), and y ≈ e^r for r = x − n·ln 2 (Cody–Waite, ln 2
/// in two parts; the Cephes expf polynomial).
@inline(always) func expReduced8(_ x: V8, _ k: ExpConstants) -> (t: V8, y: V8) {
    let t = fma8(k.magic, x, k.log2e)
    let n = t - k.magic
    var r = fma8(x, n, k.ln2Hi)
    r = fma8(r, n, k.ln2Lo)
    var y = k.p0
    y = fma8(k.p1, y, r)
    y = fma8(k.p2, y, r)
    y = fma8(k.p3, y, r)
    y = fma8(k.p4, y, r)
    y = fma8(k.p5, y, r)
    let r2 = r * r
    y = fma8(r + k.one, y, r2)
    return (t, y)
}

/// exp8's and softmaxExp8's constants, in memory the optimizer cannot
/// see (`ExpConstants.shared` is filled at run time): a softmax kernel loads
/// them once, before its loop (exp8 at each use), and keeps them in registers
/// or reads whole vectors of them from its stack as FMA operands. Left as literals, LLVM re-broadcasts each one
/// from its constant pool (`vbroadcastss`) inside the loop whenever registers run
/// short, and on a Zen 3 a loop of exps with its constants broadcast in the loop
/// took 1.4× the time of the same loop reading whole vectors (a C loop, 8,192 exps:
/// 3.64 against 2.61 µs).
struct ExpConstants {
    var magic, log2e, ln2Hi, ln2Lo, p0, p1, p2, p3, p4, p5, one, lo, hi, twoToMinus64: V8
    var bias: SIMD8<Int32>

    nonisolated(unsafe) static let shared: UnsafePointer<ExpConstants> = {
        let p = UnsafeMutablePointer<ExpConstants>.allocate(capacity: 1)
        p.initialize(to: ExpConstants(
            magic: V8(repeating: 12582912.0), log2e: V8(repeating: 1.44269504088896341),
            ln2Hi: V8(repeating: -0.693359375), ln2Lo: V8(repeating: 2.12194440e-4),
            p0: V8(repeating: 1.9875691500e-4), p1: V8(repeating: 1.3981999507e-3), p2: V8(repeating: 8.3334519073e-3),
            p3: V8(repeating: 4.1665795894e-2), p4: V8(repeating: 1.6666665459e-1), p5: V8(repeating: 5.0000001201e-1),
            one: V8(repeating: 1), lo: V8(repeating: -88.3762626647949), hi: V8(repeating: 88.3762626647949),
            twoToMinus64: V8(repeating: 0x1p-64),
            bias: SIMD8<Int32>(repeating: 127 + 64 - 0x4B40_0000)))
        return UnsafePointer(p)
    }()
}

/// exp8(x) for x ≤ 43.3, the softmax's exp (its x = s − max is ≤ 0), in 18
/// vector operations where exp8 takes 25, and no clamp: the same operations up
/// to y ≈ e^r (`expReduced8`), then y·(2^(n+64)·2^−64) where exp8 computes
/// (y·2^n1)·2^n2 (n1 = n >> 1, n2 = n − n1). For n in [−128, 62] the scale
/// 2^(n+64)·2^−64 is 2^n exactly (a normal or subnormal power of two) and
/// exp8's first product is exact (a normal result), so both are the one
/// rounding of the exact y·2^n; below −88.376 both give 0. So the bits are
/// exp8's for every x ≤ 43.3 (`InlinedKernelBitsTests.testSoftmaxExpGivesExp8sBits`,
/// every bit pattern at the boundaries); above it 2^(n+64) leaves the floats,
/// so only a caller whose x cannot exceed 43.3 may use it. The scale is formed
/// beside the polynomial, so one multiply follows it where two did: the
/// softmax's exps wait on their dependent chains, not on the FMA units, and the
/// multiply taken off the chain made the softmax rows and backward's recompute
/// 2–5 % faster per call (docs/engine.md, "Speed"). `k` is `ExpConstants.shared.pointee`,
/// loaded once before the caller's loop.
@inline(always) func softmaxExp8(_ x: V8, _ k: ExpConstants) -> V8 {
    let (t, y) = expReduced8(x, k)
    // 2^(n+64) (t's bits are magic's plus n, see exp8), times 2^−64: 2^n, off y's chain
    let s = unsafeBitCast((unsafeBitCast(t, to: SIMD8<Int32>.self) &+ k.bias) &<< 23, to: V8.self)
    var out = y * (s * k.twoToMinus64)
    out.replace(with: V8(repeating: 0), where: x .< k.lo)
    return out
}

@inline(always) func tanh8(_ x0: V8) -> V8 {
    let c = V8(repeating: 9.0)
    var x = x0
    x.replace(with: c, where: x .> c)
    x.replace(with: -c, where: x .< -c)
    let x2 = x * x
    var p = V8(repeating: -2.76076847742355e-16)
    p = fma8(V8(repeating: 2.00018790482477e-13), p, x2)
    p = fma8(V8(repeating: -8.60467152213735e-11), p, x2)
    p = fma8(V8(repeating: 5.12229709037114e-08), p, x2)
    p = fma8(V8(repeating: 1.48572235717979e-05), p, x2)
    p = fma8(V8(repeating: 6.37261928875436e-04), p, x2)
    p = fma8(V8(repeating: 4.89352455891786e-03), p, x2)
    p = p * x
    var q = V8(repeating: 1.19825839466702e-06)
    q = fma8(V8(repeating: 1.18534705686654e-04), q, x2)
    q = fma8(V8(repeating: 2.26843463243900e-03), q, x2)
    q = fma8(V8(repeating: 4.89352518554385e-03), q, x2)
    var y = p / q
    let one = V8(repeating: 1)
    y.replace(with: one, where: y .> one)
    y.replace(with: -one, where: y .< -one)
    return y
}

/// Natural log (Cephes logf: x = m·2^e with m in [√½, √2), a degree-9 polynomial in m − 1).
/// log 0 = −inf, log of a negative number or NaN = NaN, log(+inf) = +inf; subnormals are scaled first.
@inline(__always) func log8(_ x0: V8) -> V8 {
    var x = x0
    let tiny = x .< V8(repeating: Float.leastNormalMagnitude)
    x.replace(with: x * 8388608.0, where: tiny)                         // · 2^23 (exact)
    let bits = x.bitPattern(as: SIMD8<UInt32>.self)
    let biased = SIMD8<Int32>(truncatingIfNeeded: bits &>> 23) &- 126    // x = m·2^e, m in [½, 1)
    var e = V8(biased)
    e.replace(with: e - 23, where: tiny)
    var m = V8(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000)
    let small = m .< V8(repeating: 0.707106781186547524)
    e.replace(with: e - 1, where: small)
    var f = m - 1
    f.replace(with: (m + m) - 1, where: small)                          // exact either way
    m = f
    let z = m * m
    var y = V8(repeating: 7.0376836292e-2)
    y = fma8(V8(repeating: -1.1514610310e-1), y, m)
    y = fma8(V8(repeating: 1.1676998740e-1), y, m)
    y = fma8(V8(repeating: -1.2420140846e-1), y, m)
    y = fma8(V8(repeating: 1.4249322787e-1), y, m)
    y = fma8(V8(repeating: -1.6668057665e-1), y, m)
    y = fma8(V8(repeating: 2.0000714765e-1), y, m)
    y = fma8(V8(repeating: -2.4999993993e-1), y, m)
    y = fma8(V8(repeating: 3.3333331174e-1), y, m)
    y = y * m * z
    y = fma8(y, e, V8(repeating: -2.12194440e-4))
    y = fma8(y, z, V8(repeating: -0.5))
    var out = m + y
    out = fma8(out, e, V8(repeating: 0.693359375))
    out.replace(with: V8(repeating: -.infinity), where: x0 .== V8(repeating: 0))
    out.replace(with: V8(repeating: .nan), where: .!(x0 .>= V8(repeating: 0)))  // negative or NaN
    out.replace(with: V8(repeating: .infinity), where: x0 .== V8(repeating: .infinity))
    return out
}

@inline(always) func sigmoid8(_ x: V8) -> V8 {
    1 / (1 + exp8(-x))
}

extension SIMD8 where Scalar == Float {
    @inline(__always) init(bitPattern u: SIMD8<UInt32>) {
        self = unsafeBitCast(u, to: SIMD8<Float>.self)
    }
    @inline(__always) func bitPattern(as _: SIMD8<UInt32>.Type) -> SIMD8<UInt32> {
        unsafeBitCast(self, to: SIMD8<UInt32>.self)
    }
}

/// Applies an 8-lane function to n floats; the tail goes through the same
/// function on a padded vector, so every element gets identical treatment.
@inline(__always) func map8(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V8) -> V8) {
    var i = 0
    while i + 8 <= n {
        store8(f(load8(src + i)), dst + i)
        i += 8
    }
    if i < n {
        var v = V8(repeating: 0)
        for j in 0..<(n - i) { v[j] = src[i + j] }
        let r = f(v)
        for j in 0..<(n - i) { dst[i + j] = r[j] }
    }
}

public enum FastMath {
    public static func exp(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) { map8(src, dst, count, exp8) }
    public static func tanh(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) { map8(src, dst, count, tanh8) }
    public static func sigmoid(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) { map8(src, dst, count, sigmoid8) }
    public static func log(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) { map8(src, dst, count, log8) }

    public static func exp(_ x: Float) -> Float { exp8(V8(repeating: x))[0] }
    public static func tanh(_ x: Float) -> Float { tanh8(V8(repeating: x))[0] }
    public static func sigmoid(_ x: Float) -> Float { sigmoid8(V8(repeating: x))[0] }
    public static func log(_ x: Float) -> Float { log8(V8(repeating: x))[0] }
}
