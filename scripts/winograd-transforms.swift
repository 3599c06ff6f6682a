// The per-call times behind docs/engine.md ("Speed", the AVX2 Winograd transforms):
// the 8-lane C transforms of Sources/CKymoGEMM/winograd.c (`kymo_winograd_input8`,
// `…_grad8`, `…_output8`) against the 8-lane Swift loops they replaced, which
// Tests/TensorEngineTests/WinogradSwiftTransforms.swift keeps. Each is one pass
// over all tiles of one sample, chunk by chunk (128 tiles, as the convolution cuts
// them), for the gate convolutions of the bench's models; thread CPU time, best
// of 40, Swift and C alternating, five rounds. It also checks that the two give
// the same bits on these shapes. Not part of the build or the tests; the Swift
// side is compiled as TensorEngine is (-O, -target-cpu haswell, whole module):
//
//   clang -O3 -ffp-contract=off -fno-fast-math -ISources/CKymoGEMM/include -c Sources/CKymoGEMM/winograd.c -o /tmp/winograd.o
//   sed '/@testable import/d' Tests/TensorEngineTests/WinogradSwiftTransforms.swift > /tmp/winograd-ref.swift
//   swiftc -O -wmo -parse-as-library -target-cpu haswell -import-objc-header Sources/CKymoGEMM/include/kymo_winograd.h \
//     scripts/winograd-transforms.swift /tmp/winograd-ref.swift /tmp/winograd.o -o /tmp/winograd-transforms
//   /tmp/winograd-transforms
#if canImport(Glibc)
import Glibc
#endif

// What the reference loops use from TensorEngine (FastMath.swift, Tensor+Winograd.swift).
typealias V8 = SIMD8<Float>
@inline(__always) func load8(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
@inline(__always) func store8(_ v: V8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self) }
struct WinogradTiles {
    let h, w, tilesX, perSample, total: Int
    static func plane(_ count: Int) -> Int { count + 16 }
    func scratchCount(n: Int) -> Int { kymo_winograd_input_scratch(n, w) }
    init(batch: Int, h: Int, w: Int) { self.h = h; self.w = w; tilesX = (w + 1) / 2; perSample = (h + 1) / 2 * tilesX; total = batch * perSample }
}

func values(_ count: Int, _ seed: UInt32) -> [Float] {
    var s = seed &* 2654435761 &+ 1
    return (0..<count).map { _ in
        s = s &* 1103515245 &+ 12345
        return Float(Int32(bitPattern: s >> 1) - (1 << 30)) / Float(1 << 30)
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func best(_ body: () -> Void) -> Double {
    var b = Double.infinity
    for _ in 0..<40 { let t0 = now(); body(); b = min(b, now() - t0) }
    return b * 1e6
}

func f(_ a: Double) -> String { String(Int((a * 10).rounded()) / 10) + "." + String(Int((a * 10).rounded()) % 10) }

@main enum WinogradTransformsTiming {
    static func main() {
        print("Winograd transforms on the AVX2 path, µs of thread CPU time per sample (all its tiles), best of 40: Swift 8-lane loops → C 8-lane")
        var differ = 0
        for (cin, cout, hw) in [(48, 128, 16), (64, 128, 16), (64, 128, 32)] {
            let g = WinogradTiles(batch: 1, h: hw, w: hw), group = 128
            let chunks = stride(from: 0, to: g.total, by: group).map { ($0, min(g.total, $0 + group)) }
            let x = values(cin * hw * hw, 11), dy = values(cout * hw * hw, 12), m = values(16 * cout * group, 13)
            let maxC = max(cin, cout)
            let plane = WinogradTiles.plane(maxC * group)
            let up = UnsafeMutablePointer<Float>.allocate(capacity: 16 * plane), up2 = UnsafeMutablePointer<Float>.allocate(capacity: 16 * plane)
            let yp = UnsafeMutablePointer<Float>.allocate(capacity: cout * hw * hw), yp2 = UnsafeMutablePointer<Float>.allocate(capacity: cout * hw * hw)
            let r = UnsafeMutablePointer<Float>.allocate(capacity: g.scratchCount(channels: maxC, n: group) + 4 * group + 16)
            let bias = UnsafeMutablePointer<Float>.allocate(capacity: cout)
            bias.initialize(repeating: 0.5, count: cout)
            x.withUnsafeBufferPointer { xb in dy.withUnsafeBufferPointer { yb in m.withUnsafeBufferPointer { mb in
                let xp = xb.baseAddress!, gy = yb.baseAddress!, mp = mb.baseAddress!
                func inputSwift(_ src: UnsafePointer<Float>, _ c: Int, _ u: UnsafeMutablePointer<Float>) {
                    for (lo, hi) in chunks { winogradInput(src, cin: c, g, lo, hi, u: u, plane: WinogradTiles.plane(c * (hi - lo)), rows: r) }
                }
                func inputC(_ src: UnsafePointer<Float>, _ c: Int, _ u: UnsafeMutablePointer<Float>) {
                    for (lo, hi) in chunks { kymo_winograd_input8(src, c, hw, hw, lo, hi, u, WinogradTiles.plane(c * (hi - lo)), r) }
                }
                func outputSwift(_ y: UnsafeMutablePointer<Float>) {
                    for (lo, hi) in chunks {
                        let n = hi - lo
                        g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
                            for o in 0..<cout {
                                outputTransform(mp + 16 * o * n + n0, plane: n, len: len, bias: bias[o], y: y + (b * cout + o) * hw * hw,
                                                h: hw, w: hw, ty: ty, tx0: tx0, rows: r)
                            }
                        }
                    }
                }
                func outputC(_ y: UnsafeMutablePointer<Float>) {
                    for (lo, hi) in chunks { kymo_winograd_output8(mp, cout, hw, hw, lo, hi, bias, y) }
                }
                func gradSwift(_ u: UnsafeMutablePointer<Float>) {
                    for (lo, hi) in chunks {
                        let n = hi - lo, mPlane = WinogradTiles.plane(cout * n)
                        g.forEachRun(lo, hi) { b, ty, tx0, len, n0 in
                            for o in 0..<cout {
                                gradTransform(gy + (b * cout + o) * hw * hw, h: hw, w: hw, ty: ty, tx0: tx0, len: len,
                                              m: u + o * n + n0, plane: mPlane, rows: r)
                            }
                        }
                    }
                }
                func gradC(_ u: UnsafeMutablePointer<Float>) {
                    for (lo, hi) in chunks { kymo_winograd_grad8(gy, cout, hw, hw, lo, hi, u, WinogradTiles.plane(cout * (hi - lo))) }
                }
                func same(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ count: Int, _ what: String) {
                    if memcmp(a, b, 4 * count) != 0 { differ += 1; print("  DIFFERENT BITS: \(what)") }
                }
                let uCount = 16 * plane
                up.initialize(repeating: 0, count: uCount); up2.initialize(repeating: 0, count: uCount)
                inputSwift(xp, cin, up); inputC(xp, cin, up2); same(up, up2, uCount, "input")
                inputSwift(gy, cout, up); inputC(gy, cout, up2); same(up, up2, uCount, "dY's input transform")
                gradSwift(up); gradC(up2); same(up, up2, uCount, "grad")
                outputSwift(yp); outputC(yp2); same(yp, yp2, cout * hw * hw, "output")
                print("x [1,\(cin),\(hw),\(hw)], \(cout) output channels (\(chunks.count) chunk\(chunks.count > 1 ? "s" : "")):")
                for round in 1...5 {
                    let a = (best { inputSwift(xp, cin, up) }, best { inputC(xp, cin, up) })
                    let b = (best { inputSwift(gy, cout, up) }, best { inputC(gy, cout, up) })
                    let c = (best { outputSwift(yp) }, best { outputC(yp) })
                    let d = (best { gradSwift(up) }, best { gradC(up) })
                    print("  round \(round): input \(f(a.0)) → \(f(a.1)), dY's input transform \(f(b.0)) → \(f(b.1)), output + bias \(f(c.0)) → \(f(c.1)), dY's grad transform \(f(d.0)) → \(f(d.1)); all four \(f(a.0 + b.0 + c.0 + d.0)) → \(f(a.1 + b.1 + c.1 + d.1))")
                }
            } } }
        }
        print(differ == 0 ? "bits: the same on every transform" : "bits: \(differ) transforms differ")
    }
}
