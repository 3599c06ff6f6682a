// Engine benchmarks: the FMA peak of this machine, GEMM and conv2d on the
// ConvLSTM shapes. Times are medians of repeated runs after a warm-up. Used by
// `kymo bench engine`; never by tests (timing is not a correctness check).
// `gemmComparison` times the same product through each of Kymo's GEMM paths
// this CPU runs (`kymo bench engine` adds OpenBLAS beside them).
import Foundation

public struct BenchResult: Sendable {
    public let name: String
    public let seconds: Double      // median
    public let flops: Double        // per run
    public var gflops: Double { flops / seconds / 1e9 }

    public init(name: String, seconds: Double, flops: Double) {
        self.name = name
        self.seconds = seconds
        self.flops = flops
    }
}

public enum EngineBenchmark {
    /// Median wall time of `body` over `repeats` runs after one warm-up.
    public static func time(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Peak fp32 FMA throughput of one core (GFLOP/s): 12 independent 8-lane FMA chains.
    public static func fmaPeakPerCore() -> Double {
        let rounds = 2_000_000
        var sink: Float = 0
        let seconds = time(repeats: 3) { sink += fmaKernel(rounds: rounds, seed: sink) }
        if sink.isNaN { print("") }   // keeps the kernel's result alive
        return Double(rounds) * 12 * 16 / seconds / 1e9
    }

    @inline(never) static func fmaKernel(rounds: Int, seed: Float) -> Float {
        let a = V8(repeating: 0.999999), b = V8(repeating: 1e-7 + seed * 1e-30)
        var r0 = V8(repeating: 0), r1 = V8(repeating: 1), r2 = V8(repeating: 2), r3 = V8(repeating: 3)
        var r4 = V8(repeating: 4), r5 = V8(repeating: 5), r6 = V8(repeating: 6), r7 = V8(repeating: 7)
        var r8 = V8(repeating: 8), r9 = V8(repeating: 9), r10 = V8(repeating: 10), r11 = V8(repeating: 11)
        for _ in 0..<rounds {
            r0 = fma8(b, r0, a); r1 = fma8(b, r1, a); r2 = fma8(b, r2, a); r3 = fma8(b, r3, a)
            r4 = fma8(b, r4, a); r5 = fma8(b, r5, a); r6 = fma8(b, r6, a); r7 = fma8(b, r7, a)
            r8 = fma8(b, r8, a); r9 = fma8(b, r9, a); r10 = fma8(b, r10, a); r11 = fma8(b, r11, a)
        }
        return ((r0 + r1 + r2 + r3) + (r4 + r5 + r6 + r7) + (r8 + r9 + r10 + r11)).sum()
    }

    public static func gemm(m: Int, k: Int, n: Int, repeats: Int) throws -> BenchResult {
        var s = RandomStream(seed: 0, name: "bench/gemm")
        let a = Tensor.normal([m, k], stream: &s), b = Tensor.normal([k, n], stream: &s)
        let t = try time(repeats: repeats) { _ = try a.matmul(b) }
        return BenchResult(name: "sgemm M=\(m) K=\(k) N=\(n)", seconds: t, flops: 2 * Double(m * k * n))
    }

    /// The GEMM path a benchmark ran on (environment: paths differ in speed, never in bits).
    public static var gemmPath: String { Numerics.gemmPath }

    /// sgemm M×K·K×N through every Kymo GEMM path this CPU runs.
    public static func gemmComparison(m: Int, k: Int, n: Int, repeats: Int) throws -> [BenchResult] {
        var s = RandomStream(seed: 0, name: "bench/gemm")
        let a = Tensor.normal([m, k], stream: &s), b = Tensor.normal([k, n], stream: &s)
        let flops = 2 * Double(m * k * n)
        var out: [BenchResult] = []
        for path in [Numerics.GemmPath.avx2, .avx512] where Numerics.forceGemmPath(path) {
            let t = try time(repeats: repeats) { _ = try a.matmul(b) }
            out.append(BenchResult(name: "sgemm M=\(m) K=\(k) N=\(n) \(Numerics.gemmPath)", seconds: t, flops: flops))
        }
        Numerics.forceGemmPath(.automatic)
        return out
    }

    /// conv2d forward, and forward + backward (input and weight gradients).
    public static func conv(batch: Int, cin: Int, cout: Int, size: Int, repeats: Int) throws -> [BenchResult] {
        var s = RandomStream(seed: 0, name: "bench/conv")
        let x = Tensor.normal([batch, cin, size, size], stream: &s).requiringGrad()
        let w = Tensor.normal([cout, cin, 3, 3], std: 0.05, stream: &s).requiringGrad()
        let b = Tensor(zeros: [cout]).requiringGrad()
        let flops = 2 * Double(batch * cout * cin * 9 * size * size)
        let seed = Tensor.normal([batch, cout, size, size], stream: &s)
        let fwd = try time(repeats: repeats) { _ = try withNoGrad { try x.conv2d(weight: w, bias: b) } }
        let both = try time(repeats: repeats) {
            let y = try x.conv2d(weight: w, bias: b)
            try y.backward(seed: seed)
            x.grad = nil; w.grad = nil; b.grad = nil
        }
        let shape = "x [\(batch),\(cin),\(size),\(size)] w [\(cout),\(cin),3,3]"
        return [BenchResult(name: "conv2d fwd \(shape)", seconds: fwd, flops: flops),
                BenchResult(name: "conv2d fwd+bwd \(shape)", seconds: both, flops: 3 * flops)]
    }
}
