// OpenBLAS: the system BLAS, for two things only — the speed reference of
// `kymo bench engine` (the same products through `cblas_sgemm`) and the
// environment lines of records. No result of Kymo goes through it: the engine
// computes with its own GEMM (docs/engine.md, "Numerics").

import COpenBLAS
import TensorEngine

enum OpenBLAS {
    /// The kernel OpenBLAS selected for this CPU (`Cooperlake`, `Haswell`, …).
    static var core: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS's build line (version, DYNAMIC_ARCH, the kernel).
    static var config: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p)
    }

    /// sgemm M×K·K×N through `cblas_sgemm` with `threads` OpenBLAS threads (a
    /// speed reference beside Kymo's paths); OpenBLAS is left single-threaded.
    static func sgemm(m: Int, k: Int, n: Int, threads: Int, repeats: Int) -> BenchResult {
        var s = RandomStream(seed: 0, name: "bench/gemm")
        let a = Tensor.normal([m, k], stream: &s), b = Tensor.normal([k, n], stream: &s)
        let c = Tensor(uninitialized: [m, n])
        openblas_set_num_threads(Int32(threads))
        defer { openblas_set_num_threads(1) }
        let t = a.withContiguousData { pa in
            b.withContiguousData { pb in
                c.withMutableData { pc in
                    EngineBenchmark.time(repeats: repeats) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                                    pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                    }
                }
            }
        }
        return BenchResult(name: "sgemm M=\(m) K=\(k) N=\(n) OpenBLAS \(core)", seconds: t, flops: 2 * Double(m * k * n))
    }
}
