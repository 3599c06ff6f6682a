// RecordFingerprint: the environment a run ran in — OS, kernel, CPU model and
// the instruction-set flags that can change numerics, the BLAS library,
// version and kernel, the worker thread count, the Swift compiler — and the
// build (Kymo version, commit). Replay lists which of these changed.
// Deliberately not: anything that identifies a person (user names, paths
// outside the run), nor anything compared to decide "identical".

import Foundation
import TensorEngine

/// The Kymo release and the commit of the source tree it was built from.
public enum KymoBuild {
    public static let version = "0.1.0"

    /// `KYMO_BUILD_COMMIT` if set; else `git rev-parse HEAD` in the folder of
    /// the running executable (a SwiftPM build lives in its source tree's
    /// `.build`), with `-dirty` when tracked files have changes; else `unknown`.
    public static let commit: String = {
        if let c = ProcessInfo.processInfo.environment["KYMO_BUILD_COMMIT"], !c.isEmpty { return c }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let dir = exe.deletingLastPathComponent().path
        guard let head = git(["-C", dir, "rev-parse", "HEAD"]), head.count == 40 else { return "unknown" }
        let dirty = git(["-C", dir, "status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
        return dirty ? head + "-dirty" : head
    }()

    public static var stamp: BuildStamp { BuildStamp(version: version, commit: commit) }

    private static func git(_ args: [String]) -> String? {
        let candidates = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"]
        guard let git = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        return captureOutput(of: git, args)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

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
    /// Worker threads of the engine.
    public var threads: Int
    public var swiftVersion: String

    public init(os: String, kernel: String, cpuModel: String, cpuFlags: [String], cpuCount: Int,
                blasLibrary: String, blasVersion: String, blasConfig: String, blasKernel: String,
                blasCoreType: String?, threads: Int, swiftVersion: String) {
        self.os = os; self.kernel = kernel; self.cpuModel = cpuModel; self.cpuFlags = cpuFlags
        self.cpuCount = cpuCount; self.blasLibrary = blasLibrary; self.blasVersion = blasVersion
        self.blasConfig = blasConfig; self.blasKernel = blasKernel; self.blasCoreType = blasCoreType
        self.threads = threads; self.swiftVersion = swiftVersion
    }

    /// Flags that decide which kernels run or how floats round.
    public static let flagsOfInterest = [
        "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2",
        "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
        "amx_tile", "amx_bf16", "neon", "asimd", "sve",
    ]

    /// This process's environment now.
    public static func current() -> EnvironmentFingerprint {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let config = Engine.blasConfig
        return EnvironmentFingerprint(
            os: osName(), kernel: unameLine(), cpuModel: cpuModel(cpu), cpuFlags: cpuFlags(cpu),
            cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            blasLibrary: config.hasPrefix("OpenBLAS") ? "OpenBLAS" : (config.split(separator: " ").first.map(String.init) ?? "unknown"),
            blasVersion: blasVersion(config), blasConfig: config, blasKernel: Engine.blasCore,
            blasCoreType: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
            threads: Engine.threads, swiftVersion: swiftVersion)
    }

    static func osName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
        return "unknown"
    }

    static func unameLine() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))"
    }

    static func cpuModel(_ cpuinfo: String) -> String {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    static func cpuFlags(_ cpuinfo: String) -> [String] {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") || line.hasPrefix("Features") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let present = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            return flagsOfInterest.filter(present.contains)
        }
        return []
    }

    /// `0.3.21` from `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64`.
    static func blasVersion(_ config: String) -> String {
        let words = config.split(separator: " ")
        guard words.count >= 2, words[1].first?.isNumber == true else { return "unknown" }
        return String(words[1])
    }

    /// The compiler that built this binary.
    public static let swiftVersion: String = {
        #if compiler(>=6.5)
        return "6.5 or newer"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3.2)
        return "6.3.2"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0 or older"
        #endif
    }()

    /// One changed part of the environment.
    public struct Change: Equatable, Sendable {
        public var part: String
        public var recorded: String
        public var now: String
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
        cmp("swift", swiftVersion, other.swiftVersion)
        return out
    }

    /// Parts whose change can alter floating-point results even when the code
    /// is deterministic (the thread count cannot: results never depend on it).
    public static let numericParts: Set<String> = ["blas library", "blas version", "blas kernel", "blas config", "cpu model",
                                                   "cpu flags", "OPENBLAS_CORETYPE", "swift"]
}
