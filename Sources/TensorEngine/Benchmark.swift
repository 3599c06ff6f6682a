// Engine benchmarks: the FMA peak of this machine, GEMM and conv2d on the
// ConvLSTM shapes. Times are medians of repeated runs after a warm-up. Used by
// `kymo bench engine`; never by tests (timing is not a correctness check).
// `gemmComparison` times the same product through each of Kymo's GEMM paths
// this CPU runs (`kymo bench engine` adds OpenBLAS beside them).
import Foundation
import CKymoGEMM

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

/// A measured FMA peak: which path's vector width it was measured with, and the rate.
public struct FMAPeak: Sendable {
    /// `.avx2` or `.avx512`: the GEMM path whose vector width the chains used.
    public let path: Numerics.GemmPath
    /// Vector lanes (8 or 16) and independent chains of the kernel that ran.
    public let lanes: Int
    public let chains: Int
    /// One thread alone.
    public let gflopsPerCore: Double
    /// `threads` threads computing at once, all of them together: what every
    /// "% of peak" on that many threads is against. Two hyperthreads of one
    /// core, or more threads than cores, give less than `threads` × one.
    public let threads: Int
    public let gflopsOnThreads: Double

    /// "AVX-512 (16 lanes)" or "AVX2 (8 lanes)".
    public var label: String { (path == .avx512 ? "AVX-512" : "AVX2") + " (\(lanes) lanes)" }

    /// The faster rates of two measurements of the same kernel on the same threads
    /// (other work on the machine can only slow one, so the faster is the closer to
    /// the units' rate); `self` when `other` measured something else.
    public func faster(_ other: FMAPeak) -> FMAPeak {
        guard other.path == path, other.lanes == lanes, other.chains == chains, other.threads == threads else { return self }
        return FMAPeak(path: path, lanes: lanes, chains: chains, gflopsPerCore: max(gflopsPerCore, other.gflopsPerCore),
                       threads: threads, gflopsOnThreads: max(gflopsOnThreads, other.gflopsOnThreads))
    }
}

public enum EngineBenchmark {
    /// Median wall time of `body` over `repeats` runs after warming up: runs
    /// until `warmup` seconds have passed (at least one). A process's first
    /// parallel products ran at one thread's speed (`kymo bench engine
    /// --threads 2`'s first line: 1.67–1.82 ms where the same product later
    /// took 0.98), so one warm-up call was not enough.
    public static func time(repeats: Int, warmup: Double = 0.05, _ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        repeat { try body() } while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < warmup
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Peak fp32 FMA throughput (GFLOP/s) at the vector width of the GEMM path
    /// now in use (`Numerics.activeGemmPath`): AVX-512's 16-lane chains where
    /// that path runs, AVX2's 8-lane ones otherwise; of one thread, and of
    /// `threads` threads at once. Every "% of peak" Kymo prints is against
    /// the rate on the threads it ran with.
    public static func fmaPeakPerCore(threads: Int = 1) -> FMAPeak {
        fmaPeak(path: Numerics.activeGemmPath, threads: threads)!
    }

    /// The FMA peak with `path`'s vector width (CKymoGEMM's
    /// `kymo_fma_peak_chains`: independent chains, enough for two FMA units),
    /// of one thread and, when `threads` > 1, of that many threads running the
    /// chains at once (`kymo_fma_peak_concurrent`); nil when this CPU cannot
    /// run that path. The fastest of `repeats` runs after a warm-up: other work
    /// on the machine can only slow a run, so the fastest is the closest to
    /// the units' rate.
    public static func fmaPeak(path: Numerics.GemmPath, rounds: Int = 500_000, repeats: Int = 15, threads: Int = 1) -> FMAPeak? {
        let p = path == .automatic ? Numerics.activeGemmPath : path
        var lanes: Int32 = 0, chains: Int32 = 0
        var sink: Float = 0
        _ = kymo_fma_peak_chains(p.rawValue, 1, 0, &lanes, &chains)
        guard lanes > 0 else { return nil }
        var seconds = Double.infinity
        for _ in 0...max(1, repeats) {   // the first run is the warm-up's share of the minimum
            let t0 = DispatchTime.now().uptimeNanoseconds
            sink += kymo_fma_peak_chains(p.rawValue, rounds, sink, &lanes, &chains)
            seconds = min(seconds, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        if sink.isNaN { print("") }   // keeps the kernel's result alive
        let flops = Double(rounds) * Double(lanes) * Double(chains) * 2
        let one = flops / seconds / 1e9
        guard threads > 1, let together = concurrentSeconds(path: p, rounds: rounds, repeats: repeats, threads: threads) else {
            return FMAPeak(path: p, lanes: Int(lanes), chains: Int(chains), gflopsPerCore: one, threads: 1, gflopsOnThreads: one)
        }
        return FMAPeak(path: p, lanes: Int(lanes), chains: Int(chains), gflopsPerCore: one,
                       threads: threads, gflopsOnThreads: Double(threads) * flops / together / 1e9)
    }

    /// The fastest wall time of `threads` threads running `rounds` rounds of
    /// the chains at once; nil when they could not all run.
    static func concurrentSeconds(path: Numerics.GemmPath, rounds: Int, repeats: Int, threads: Int) -> Double? {
        var lanes: Int32 = 0, chains: Int32 = 0, ran: Int32 = 0
        var seconds = Double.infinity
        for _ in 0...max(1, repeats) {
            let t = kymo_fma_peak_concurrent(path.rawValue, rounds, Int32(threads), &lanes, &chains, &ran)
            guard ran == threads, t > 0 else { return nil }
            seconds = min(seconds, t)
        }
        return seconds
    }

    /// How many threads `kymo_fma_peak_concurrent` ran (for tests: the peak on
    /// N threads is measured on N threads, not scaled from one).
    public static func concurrentPeakThreads(path: Numerics.GemmPath, threads: Int) -> Int {
        var lanes: Int32 = 0, chains: Int32 = 0, ran: Int32 = 0
        _ = kymo_fma_peak_concurrent(path.rawValue, 1000, Int32(threads), &lanes, &chains, &ran)
        return Int(ran)
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
