// What decides the bits of a result, and what does not. `Numerics.version`
// names the numerics of this build (bumped whenever any result bit changes for
// the same inputs: a GEMM order, a polynomial, a reduction order); records
// should store it as "numerics". `gemmPath`, the CPU name and OpenBLAS's kernel
// are "environment": they change speed, never a bit (docs/engine.md,
// "Determinism", has the argument).
import CKymoGEMM

public enum Numerics {
    /// The numerics of this build: equal versions and equal inputs give equal bits on any AVX2/FMA CPU.
    public static let version = "kymo-numerics-2"

    /// One line on how the bits are made (for records and `kymo bench`).
    public static let rules = "fixed-k FMA sgemm, Kymo-owned exp/log/tanh/sigmoid/sin/cos, fixed chunking"

    /// The GEMM kernel this process uses, e.g. "kymo-sgemm avx2 6x16 (fixed-k FMA)". Environment only.
    public static var gemmPath: String {
        switch kymo_gemm_path() {
        case Int32(KYMO_GEMM_AVX512): return "kymo-sgemm avx512 12x32 (fixed-k FMA)"
        default:
            return kymo_gemm_avx512_selfcheck_failed() != 0
                ? "kymo-sgemm avx2 6x16 (fixed-k FMA; avx512 path failed its start-up check)"
                : "kymo-sgemm avx2 6x16 (fixed-k FMA)"
        }
    }

    /// The CPU's brand string from cpuid (environment), e.g. "AMD EPYC".
    public static var cpuName: String {
        var buf = [CChar](repeating: 0, count: 64)
        kymo_cpu_brand(&buf, Int32(buf.count))
        let s = String(cString: buf)
        return s.isEmpty ? "unknown x86-64" : s
    }

    /// "kymo-numerics-2 (…rules…); gemm …path…" — numerics first, then the environment part.
    public static var summary: String { "\(version) (\(rules)); gemm \(gemmPath)" }

    /// nil when this CPU can run Kymo; otherwise a message naming what it lacks.
    /// (A C constructor in CKymoGEMM also stops the process before `main` on
    /// such a CPU, since Swift code compiled for Haswell may fault before any check.)
    public static func checkCPU() -> String? {
        let missing = String(cString: kymo_cpu_missing_features())
        if missing.isEmpty { return nil }
        return "this CPU cannot run Kymo: it needs an x86-64 CPU with AVX2 and FMA "
            + "(Intel Haswell / AMD Zen or later); missing: \(missing)"
    }

    /// GEMM kernel paths, for tests and benchmarks (`forceGemmPath`). They give identical bits.
    public enum GemmPath: Int32, CaseIterable, Sendable {
        case automatic = 0, avx2 = 1, avx512 = 2
    }

    /// The GEMM path kymo_sgemm uses now (`.avx2` or `.avx512`, never `.automatic`).
    public static var activeGemmPath: GemmPath { kymo_gemm_path() == Int32(KYMO_GEMM_AVX512) ? .avx512 : .avx2 }

    /// True when this CPU can run the AVX-512 path.
    public static var hasAVX512: Bool { kymo_cpu_has_avx512f() != 0 }

    /// Forces a GEMM path for the whole process (`.automatic` restores the default).
    /// Returns false, changing nothing, when the CPU cannot run it. For tests and benchmarks.
    @discardableResult
    public static func forceGemmPath(_ path: GemmPath) -> Bool { kymo_gemm_force_path(path.rawValue) != 0 }
}
