// EnvironmentFingerprint: the environment a run ran in — OS, kernel, CPU model
// and the instruction-set flags that can change numerics, the BLAS library,
// version and kernel, the worker thread count, the Swift compiler. Replay
// lists which of these changed. The host gathers it (kymo's HostStamp) and
// passes it in; this file only holds and compares it.
// Deliberately not: anything that identifies a person (user names, paths
// outside the run), nor anything compared to decide "identical".

import Foundation

public struct EnvironmentFingerprint: Codable, Equatable, Sendable {
    /// `PRETTY_NAME` of /etc/os-release.
    public var os: String
    /// uname: system, release, machine.
    public var kernel: String
    public var cpuModel: String
    /// The instruction-set extensions of interest the CPU has, in a fixed order.
    public var cpuFlags: [String]
    public var cpuCount: Int
    public var blasLibrary: String
    public var blasVersion: String
    /// The library's build configuration line (`openblas_get_config`).
    public var blasConfig: String
    /// The kernel the library chose for this CPU (`openblas_get_corename`).
    public var blasKernel: String
    /// `OPENBLAS_CORETYPE` when set (it forces the kernel).
    public var blasCoreType: String?
    /// Worker threads of the engine (in each process).
    public var threads: Int
    /// Processes of an MPI job (`mpirun -np N`); nil in records made before
    /// Kymo could run on several (read as 1). Never numerics: results do not depend on it.
    public var processes: Int?
    public var swiftVersion: String
    /// The GEMM kernel the engine ran (`kymo-sgemm avx2 6x16 (fixed-k FMA)`):
    /// speed only, never bits; nil in older records.
    public var gemmPath: String?

    public init(os: String, kernel: String, cpuModel: String, cpuFlags: [String], cpuCount: Int,
                blasLibrary: String, blasVersion: String, blasConfig: String, blasKernel: String,
                blasCoreType: String?, threads: Int, processes: Int? = nil, swiftVersion: String) {
        self.os = os; self.kernel = kernel; self.cpuModel = cpuModel; self.cpuFlags = cpuFlags
        self.cpuCount = cpuCount; self.blasLibrary = blasLibrary; self.blasVersion = blasVersion
        self.blasConfig = blasConfig; self.blasKernel = blasKernel; self.blasCoreType = blasCoreType
        self.threads = threads; self.processes = processes; self.swiftVersion = swiftVersion
    }

    /// Flags that decide which kernels run or how floats round.
    public static let flagsOfInterest = [
        "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2",
        "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
        "amx_tile", "amx_bf16", "neon", "asimd", "sve",
    ]

    /// One changed part of the environment.
    public struct Change: Equatable, Sendable {
        public var part: String
        public var recorded: String
        public var now: String

        public init(part: String, recorded: String, now: String) {
            self.part = part; self.recorded = recorded; self.now = now
        }
    }

    /// The parts that differ from `other` (self: recorded, other: now), in a fixed order.
    public func changes(to other: EnvironmentFingerprint) -> [Change] {
        var out: [Change] = []
        func cmp(_ part: String, _ a: String, _ b: String) { if a != b { out.append(Change(part: part, recorded: a, now: b)) } }
        cmp("os", os, other.os)
        cmp("kernel", kernel, other.kernel)
        cmp("cpu model", cpuModel, other.cpuModel)
        cmp("cpu flags", cpuFlags.joined(separator: " "), other.cpuFlags.joined(separator: " "))
        cmp("cpu count", "\(cpuCount)", "\(other.cpuCount)")
        cmp("blas library", blasLibrary, other.blasLibrary)
        cmp("blas version", blasVersion, other.blasVersion)
        cmp("blas config", blasConfig, other.blasConfig)
        cmp("blas kernel", blasKernel, other.blasKernel)
        cmp("OPENBLAS_CORETYPE", blasCoreType ?? "(unset)", other.blasCoreType ?? "(unset)")
        cmp("threads", "\(threads)", "\(other.threads)")
        cmp("processes", "\(processes ?? 1)", "\(other.processes ?? 1)")
        cmp("swift", swiftVersion, other.swiftVersion)
        cmp("gemm path", gemmPath ?? "(not recorded)", other.gemmPath ?? "(not recorded)")
        return out
    }

    /// Parts whose change can alter floating-point results in a record made
    /// before the numerics were recorded (bits then followed the BLAS kernel).
    /// The thread and process counts never could.
    public static let legacyNumericParts: Set<String> = ["blas library", "blas version", "blas kernel", "blas config", "cpu model",
                                                         "cpu flags", "OPENBLAS_CORETYPE", "swift"]

    /// Parts of the environment whose change can alter the bits of `record`:
    /// with recorded numerics only the compiler (which built the code), since
    /// Kymo's own kernels make the same bits on any AVX2/FMA CPU whatever
    /// BLAS, GEMM path, thread or process count (docs/engine.md).
    public static func numericParts(for record: RunRecord) -> Set<String> {
        record.numerics == nil ? legacyNumericParts : ["swift"]
    }
}
